-- When the current access token was issued. With access_token_expires_at it gives the lifetime
-- Zoho issued the token for, which caps the token manager's safety margin (and the scheduled
-- job's refresh-ahead time) at a quarter of that lifetime: a margin longer than a short-lived
-- token's whole life would refresh on every call. Null for rows written before this column (the
-- configured margin applies until the next refresh records it).
alter table public.zoho_tokens add column access_token_issued_at timestamptz;
