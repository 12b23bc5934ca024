-- ---------------------------------------------------------------------------------------
-- Retry horizon: a transient failure (network, timeout, 5xx, Zoho unreachable) never ends a
-- lead before SYNC_RETRY_HORIZON has passed since its FIRST failure. Counting attempts could
-- not promise that: a Zoho outage of ten minutes used up eight attempts. So the lead remembers
-- when its current run of transient failures began, and the worker compares that with the
-- horizon. The run ends with the lead's final answer (synced or failed), so whatever brings a
-- lead back to pending afterwards (an operator's retry, new chatbot details) starts a new one.
-- ---------------------------------------------------------------------------------------
alter table public.leads add column first_failed_at timestamptz;

comment on column public.leads.first_failed_at is
  'When the current run of transient sync failures began; null while the lead has none (set and cleared by record_sync_results).';

-- ---------------------------------------------------------------------------------------
-- record_sync_results, as in 20261128000000 plus:
--   * first_failed_at: kept (or set to now) on "retry", cleared on "synced" and "failed";
--   * "counted": false on a "retry" hands the claim's attempt back, as release_claims does:
--     a lead whose call failed because Zoho as a whole was failing (the sync then pauses and
--     probes) did not use up a try of its own, though the failure is logged and its run begins.
-- ---------------------------------------------------------------------------------------
create or replace function public.record_sync_results(p_worker text, p_batch_id uuid, p_results jsonb)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
begin
  with input as (
    select r.id, r.version, r.outcome, r.zoho_id, r.zoho_action, r.error_code, r.error_message, r.retry_at, r.counted
    from jsonb_to_recordset(p_results) as r(
      id uuid, version integer, outcome text, zoho_id text, zoho_action text,
      error_code text, error_message text, retry_at timestamptz, counted boolean
    )
  ),
  updated as (
    update public.leads l set
      status = case
        when l.content_version <> i.version then 'pending'
        when i.outcome = 'synced' then 'synced'
        when i.outcome = 'failed' then 'failed'
        else 'pending'
      end,
      zoho_id = coalesce(i.zoho_id, l.zoho_id),
      zoho_action = coalesce(i.zoho_action, l.zoho_action),
      synced_at = case when i.outcome = 'synced' then now() else l.synced_at end,
      last_error_code = case when i.outcome = 'synced' then null else i.error_code end,
      last_error_message = case when i.outcome = 'synced' then null else i.error_message end,
      first_failed_at = case when i.outcome = 'retry' then coalesce(l.first_failed_at, now()) end,
      next_attempt_at = case
        when l.content_version <> i.version then now()
        when i.outcome = 'retry' then coalesce(i.retry_at, now())
        else l.next_attempt_at
      end,
      attempts = case
        when l.content_version <> i.version then 0
        when i.counted is false then greatest(l.attempts - 1, 0)
        else l.attempts
      end,
      claimed_by = null,
      claim_expires_at = null,
      updated_at = now()
    from input i
    where l.id = i.id and l.status = 'syncing' and l.claimed_by = p_worker
    returning l.id, l.content_version <> i.version as superseded
  )
  insert into public.sync_attempts (lead_id, batch_id, worker, outcome, zoho_id, zoho_action, error_code, error_message)
  select i.id, p_batch_id, p_worker,
         case when u.superseded and i.outcome = 'synced' then 'superseded' else i.outcome end,
         i.zoho_id, i.zoho_action, i.error_code, i.error_message
  from input i join updated u on u.id = i.id;

  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
