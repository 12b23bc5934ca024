-- ---------------------------------------------------------------------------------------
-- claim_pending_leads answers only what the sync uses.
--
-- It answered whole rows, raw_payload included: the request as it came, which for a chat is its
-- whole transcript a second time. A batch of 100 leads was 92 KB of JSON for the database to
-- build, PostgREST and the gateway to pass on and the worker to parse and hold while Zoho
-- answered. Now it answers the lead's content, what the sync decides with (Zoho id, content
-- version, attempts, failing-since) and created_at (for an alert). The claim itself (which rows,
-- the lease, the token) is unchanged from 20261202030000. Narrowing with PostgREST's `select=`
-- instead was measured to cost PostgREST more CPU than it saved.
-- ---------------------------------------------------------------------------------------
drop function public.claim_pending_leads(integer, text, integer, text, text);

create function public.claim_pending_leads(
  p_limit integer, p_worker text, p_lease_seconds integer, p_token text, p_job text default null
)
returns table (
  id uuid, source text, name text, first_name text, last_name text, email text, phone text,
  company text, message text, transcript jsonb, service text, budget text, page_url text,
  utm_source text, utm_medium text, utm_campaign text,
  content_version integer, zoho_id text, zoho_action text, attempts integer,
  first_failed_at timestamptz, created_at timestamptz
)
language sql
set search_path = public
as $$
  with due as (
    select c.id from public.leads c
    where c.status = 'pending' and c.next_attempt_at <= now()
    order by c.created_at
    limit greatest(p_limit, 0)
    for update skip locked
  ), lease_expired as (
    select c.id from public.leads c
    where c.status = 'syncing' and c.claim_expires_at < now()
    order by c.claim_expires_at
    limit greatest(p_limit, 0)
    for update skip locked
  )
  update public.leads l set
    status = 'syncing',
    claimed_by = p_worker,
    claim_token = p_token,
    claim_job = p_job,
    claim_expires_at = now() + make_interval(secs => p_lease_seconds),
    attempts = l.attempts + 1,
    updated_at = now()
  where l.id in (select x.id from (select e.id from lease_expired e union all select d.id from due d) x limit greatest(p_limit, 0))
  returning l.id, l.source, l.name, l.first_name, l.last_name, l.email, l.phone,
    l.company, l.message, l.transcript, l.service, l.budget, l.page_url,
    l.utm_source, l.utm_medium, l.utm_campaign,
    l.content_version, l.zoho_id, l.zoho_action, l.attempts,
    l.first_failed_at, l.created_at;
$$;

revoke execute on function public.claim_pending_leads(integer, text, integer, text, text) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke execute on function public.claim_pending_leads(integer, text, integer, text, text) from anon, authenticated;
  end if;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant execute on function public.claim_pending_leads(integer, text, integer, text, text) to service_role;
  end if;
end
$$;
