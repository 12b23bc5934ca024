-- ---------------------------------------------------------------------------------------
-- Claim tokens and renewed leases (the batch-job sync engine).
--
-- A claim now belongs to one run of one batch job, named by a token (a fresh uuid per run),
-- not to a worker: record_sync_results and release_claims touch only the leads still held
-- under the caller's token, so a stale batch (a run whose lease expired and whose leads were
-- claimed again, even by the same worker) can never clear or overwrite the newer claim.
-- claim_job remembers the BullMQ job id, so a job that BullMQ runs again after its worker
-- died (the stalled-job check) first hands back what its dead earlier run held.
-- The lease is renewed (extend_claims) while the job runs, so it can be short: a killed
-- worker's leads are claimable again within one lease.
-- ---------------------------------------------------------------------------------------
alter table public.leads add column claim_token text, add column claim_job text;

comment on column public.leads.claim_token is 'The batch run holding the claim; only it may record or release the lead.';
comment on column public.leads.claim_job is 'The BullMQ job id of that run (its re-runs release what a dead run held).';

drop function public.claim_pending_leads(integer, text, integer);
drop function public.record_sync_results(text, uuid, jsonb);
drop function public.release_claims(text, uuid[], timestamptz);

-- claim_pending_leads: as in 20261128000000, the claim now carrying p_token and p_job.
create function public.claim_pending_leads(
  p_limit integer, p_worker text, p_lease_seconds integer, p_token text, p_job text default null
)
returns setof public.leads
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
  where l.id in (select id from (select id from lease_expired union all select id from due) x limit greatest(p_limit, 0))
  returning l.*;
$$;

-- extend_claims: the running batch renews its lease; answers how many leads it still holds.
create function public.extend_claims(p_token text, p_lease_seconds integer)
returns integer
language sql
set search_path = public
as $$
  with extended as (
    update public.leads l set claim_expires_at = now() + make_interval(secs => p_lease_seconds)
    where l.status = 'syncing' and l.claim_token = p_token
    returning l.id
  )
  select count(*)::integer from extended;
$$;

-- record_sync_results: as in 20261201100000, guarded by the claim token; p_worker only names
-- the worker in the attempt log.
create function public.record_sync_results(p_token text, p_worker text, p_batch_id uuid, p_results jsonb)
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
      claim_token = null,
      claim_job = null,
      claim_expires_at = null,
      updated_at = now()
    from input i
    where l.id = i.id and l.status = 'syncing' and l.claim_token = p_token
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

-- release_claims: hand back leads claimed under p_token but not sent (all of them without
-- p_ids), uncounted, due again at p_not_before.
create function public.release_claims(p_token text, p_ids uuid[] default null, p_not_before timestamptz default null)
returns integer
language sql
set search_path = public
as $$
  with released as (
    update public.leads l set
      status = 'pending', claimed_by = null, claim_token = null, claim_job = null, claim_expires_at = null,
      attempts = greatest(l.attempts - 1, 0), next_attempt_at = coalesce(p_not_before, now()), updated_at = now()
    where l.status = 'syncing' and l.claim_token = p_token and (p_ids is null or l.id = any (p_ids))
    returning l.id
  )
  select count(*)::integer from released;
$$;

-- release_job_claims: a batch job that BullMQ runs again (its worker died mid-batch) hands back
-- what its earlier runs held before it claims: those runs are gone. Whether Zoho got them is
-- unknown, so they count as tried (like an expired lease) and the resend updates the same record.
create function public.release_job_claims(p_job text)
returns integer
language sql
set search_path = public
as $$
  with released as (
    update public.leads l set
      status = 'pending', claimed_by = null, claim_token = null, claim_job = null, claim_expires_at = null,
      next_attempt_at = now(), updated_at = now()
    where l.status = 'syncing' and l.claim_job = p_job
    returning l.id
  )
  select count(*)::integer from released;
$$;

do $$
declare
  f text;
begin
  foreach f in array array[
    'claim_pending_leads(integer, text, integer, text, text)',
    'extend_claims(text, integer)',
    'record_sync_results(text, text, uuid, jsonb)',
    'release_claims(text, uuid[], timestamptz)',
    'release_job_claims(text)'
  ] loop
    execute format('revoke execute on function public.%s from public', f);
    if exists (select 1 from pg_roles where rolname = 'anon') then
      execute format('revoke execute on function public.%s from anon, authenticated', f);
    end if;
    if exists (select 1 from pg_roles where rolname = 'service_role') then
      execute format('grant execute on function public.%s to service_role', f);
    end if;
  end loop;
end
$$;
