-- leadsync schema: leads from both intake sources, the encrypted Zoho token store and the
-- log of sync attempts. Row-level security is on everywhere and no policy exists, so the
-- anon and authenticated keys can neither read nor write; only service_role (which bypasses
-- RLS) can. Everything that must be atomic lives in the SQL functions below, called over
-- PostgREST's /rpc.

-- ---------------------------------------------------------------------------------------
-- leads
-- ---------------------------------------------------------------------------------------
create table public.leads (
  id uuid primary key default gen_random_uuid(),
  source text not null check (source in ('quote_form', 'chatbot')),
  status text not null default 'pending'
    check (status in ('pending', 'syncing', 'synced', 'failed', 'spam')),

  -- normalised fields (what reaches Zoho)
  name text,
  first_name text,
  last_name text,
  email text,
  phone text,
  company text,
  message text,
  transcript jsonb,
  service text,
  budget text,
  page_url text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  session_id text,
  -- the body as posted, unknown fields included
  raw_payload jsonb not null default '{}'::jsonb,

  -- Idempotency-Key replay: the key and a hash of the body it was first used with
  idempotency_key text,
  request_fingerprint text,

  -- bumped whenever a chatbot session brings new details, so a batch that was already in
  -- flight with the old content does not mark the lead synced
  content_version integer not null default 1,

  zoho_id text,
  zoho_action text,
  attempts integer not null default 0,
  last_error_code text,
  last_error_message text,
  next_attempt_at timestamptz not null default now(),
  -- the claim lease: a crashed worker's leads come back once it expires
  claimed_by text,
  claim_expires_at timestamptz,

  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  synced_at timestamptz,

  constraint leads_contact_present check (email is not null or phone is not null)
);

create unique index leads_idempotency_key_per_source on public.leads (source, idempotency_key)
  where idempotency_key is not null;
create unique index leads_one_per_chat_session on public.leads (session_id)
  where source = 'chatbot' and session_id is not null;
create index leads_pending_by_age on public.leads (created_at) where status = 'pending';
create index leads_claim_expiry on public.leads (claim_expires_at) where status = 'syncing';
create index leads_created_at on public.leads (created_at);

alter table public.leads enable row level security;

-- ---------------------------------------------------------------------------------------
-- sync_attempts: one row per lead per Zoho call (or per give-up)
-- ---------------------------------------------------------------------------------------
create table public.sync_attempts (
  id bigint generated always as identity primary key,
  lead_id uuid not null references public.leads (id) on delete cascade,
  batch_id uuid,
  worker text,
  attempted_at timestamptz not null default now(),
  outcome text not null check (outcome in ('synced', 'failed', 'retry', 'superseded', 'released')),
  zoho_id text,
  zoho_action text,
  error_code text,
  error_message text
);

create index sync_attempts_lead on public.sync_attempts (lead_id, attempted_at desc);
create index sync_attempts_time on public.sync_attempts (attempted_at);

alter table public.sync_attempts enable row level security;

-- ---------------------------------------------------------------------------------------
-- zoho_tokens: a single row; the secrets are AES-256-GCM ciphertext made by the application
-- (the key never reaches the database)
-- ---------------------------------------------------------------------------------------
create table public.zoho_tokens (
  id smallint primary key default 1 check (id = 1),
  access_token_ciphertext text,
  refresh_token_ciphertext text not null,
  access_token_expires_at timestamptz,
  api_domain text not null,
  accounts_server text not null,
  last_refresh_at timestamptz,
  last_refresh_error_code text,
  last_refresh_error_message text,
  last_refresh_error_at timestamptz,
  updated_at timestamptz not null default now()
);

alter table public.zoho_tokens enable row level security;

-- ---------------------------------------------------------------------------------------
-- intake_lead: store a lead, honouring Idempotency-Key and chatbot sessions, atomically.
-- Returns the lead id, its status and what happened:
--   created | replayed | updated | key_reused (same key, other body) | in_flight
-- ---------------------------------------------------------------------------------------
create function public.intake_lead(
  p_source text,
  p_fields jsonb,
  p_raw_payload jsonb,
  p_idempotency_key text default null,
  p_fingerprint text default null
) returns table (id uuid, status text, outcome text)
language plpgsql
set search_path = public
as $$
declare
  v_session text := nullif(p_fields ->> 'session_id', '');
  v_existing public.leads%rowtype;
  v_merged jsonb;
  v_transcript jsonb;
begin
  if p_idempotency_key is not null then
    -- A concurrent request holding the same key is still in flight: answer 409 rather than
    -- wait, as the Idempotency-Key draft asks.
    if not pg_try_advisory_xact_lock(hashtextextended('leadsync:idem:' || p_source || ':' || p_idempotency_key, 0)) then
      return query select null::uuid, null::text, 'in_flight'::text;
      return;
    end if;
    select * into v_existing from public.leads l
      where l.source = p_source and l.idempotency_key = p_idempotency_key;
    if found then
      if v_existing.request_fingerprint is distinct from p_fingerprint then
        return query select v_existing.id, v_existing.status, 'key_reused'::text;
      else
        return query select v_existing.id, 'pending'::text, 'replayed'::text;
      end if;
      return;
    end if;
  end if;

  if p_source = 'chatbot' and v_session is not null then
    perform pg_advisory_xact_lock(hashtextextended('leadsync:session:' || v_session, 0));
    select * into v_existing from public.leads l
      where l.source = 'chatbot' and l.session_id = v_session
      for update;
    if found then
      -- New details win, absent ones keep what we had; the longer transcript is kept.
      v_transcript := case
        when p_fields -> 'transcript' is null or jsonb_typeof(p_fields -> 'transcript') = 'null' then v_existing.transcript
        when v_existing.transcript is null then p_fields -> 'transcript'
        when length((p_fields -> 'transcript')::text) > length(v_existing.transcript::text) then p_fields -> 'transcript'
        else v_existing.transcript
      end;
      v_merged := jsonb_strip_nulls(jsonb_build_object(
        'name', coalesce(p_fields ->> 'name', v_existing.name),
        'first_name', coalesce(p_fields ->> 'first_name', v_existing.first_name),
        'last_name', coalesce(p_fields ->> 'last_name', v_existing.last_name),
        'email', coalesce(p_fields ->> 'email', v_existing.email),
        'phone', coalesce(p_fields ->> 'phone', v_existing.phone),
        'company', coalesce(p_fields ->> 'company', v_existing.company),
        'message', coalesce(p_fields ->> 'message', v_existing.message),
        'transcript', v_transcript
      ));
      if v_merged = jsonb_strip_nulls(jsonb_build_object(
        'name', v_existing.name, 'first_name', v_existing.first_name, 'last_name', v_existing.last_name,
        'email', v_existing.email, 'phone', v_existing.phone, 'company', v_existing.company,
        'message', v_existing.message, 'transcript', v_existing.transcript
      )) then
        return query select v_existing.id, 'pending'::text, 'replayed'::text;
        return;
      end if;

      update public.leads l set
        name = v_merged ->> 'name',
        first_name = v_merged ->> 'first_name',
        last_name = v_merged ->> 'last_name',
        email = v_merged ->> 'email',
        phone = v_merged ->> 'phone',
        company = v_merged ->> 'company',
        message = v_merged ->> 'message',
        transcript = v_merged -> 'transcript',
        raw_payload = l.raw_payload || p_raw_payload,
        content_version = l.content_version + 1,
        -- the update must reach Zoho too; a lead in a batch right now is re-queued when that
        -- batch reports (see record_sync_results); spam stays held back
        status = case when l.status in ('synced', 'failed') then 'pending' else l.status end,
        attempts = case when l.status in ('synced', 'failed') then 0 else l.attempts end,
        next_attempt_at = case when l.status in ('synced', 'failed') then now() else l.next_attempt_at end,
        updated_at = now()
      where l.id = v_existing.id;
      return query select v_existing.id, 'pending'::text, 'updated'::text;
      return;
    end if;
  end if;

  return query
  insert into public.leads as l (
    source, status, name, first_name, last_name, email, phone, company, message, transcript,
    service, budget, page_url, utm_source, utm_medium, utm_campaign, session_id,
    raw_payload, idempotency_key, request_fingerprint
  ) values (
    p_source,
    coalesce(p_fields ->> 'status', 'pending'),
    p_fields ->> 'name', p_fields ->> 'first_name', p_fields ->> 'last_name',
    p_fields ->> 'email', p_fields ->> 'phone', p_fields ->> 'company', p_fields ->> 'message',
    case when jsonb_typeof(p_fields -> 'transcript') = 'null' then null else p_fields -> 'transcript' end,
    p_fields ->> 'service', p_fields ->> 'budget', p_fields ->> 'page_url',
    p_fields ->> 'utm_source', p_fields ->> 'utm_medium', p_fields ->> 'utm_campaign', v_session,
    coalesce(p_raw_payload, '{}'::jsonb), p_idempotency_key, p_fingerprint
  )
  returning l.id, 'pending'::text, 'created'::text;
end;
$$;

-- ---------------------------------------------------------------------------------------
-- claim_pending_leads: hand up to p_limit due leads to one worker under a lease. SKIP LOCKED
-- means concurrent claimers never receive the same lead; an expired lease (a crashed worker)
-- makes its leads claimable again. Must stay VOLATILE: it writes.
-- ---------------------------------------------------------------------------------------
create function public.claim_pending_leads(p_limit integer, p_worker text, p_lease_seconds integer default 120)
returns setof public.leads
language sql
set search_path = public
as $$
  -- two index-friendly halves instead of one OR, which would scan every lead on each claim
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
    claim_expires_at = now() + make_interval(secs => p_lease_seconds),
    attempts = l.attempts + 1,
    updated_at = now()
  where l.id in (select id from (select id from lease_expired union all select id from due) x limit greatest(p_limit, 0))
  returning l.*;
$$;

-- ---------------------------------------------------------------------------------------
-- record_sync_results: write one batch's per-lead outcomes and the attempt log in one
-- transaction. p_results is an array of
--   {"id","version","outcome":"synced"|"failed"|"retry","zoho_id","zoho_action",
--    "error_code","error_message","retry_at"}
-- Only leads still claimed by p_worker are touched (a lease that expired was taken over by
-- someone else, whose result wins). A lead whose content changed while in flight goes back
-- to pending so the new details are sent too.
-- ---------------------------------------------------------------------------------------
create function public.record_sync_results(p_worker text, p_batch_id uuid, p_results jsonb)
returns integer
language plpgsql
set search_path = public
as $$
declare
  v_count integer;
begin
  with input as (
    select r.id, r.version, r.outcome, r.zoho_id, r.zoho_action, r.error_code, r.error_message, r.retry_at
    from jsonb_to_recordset(p_results) as r(
      id uuid, version integer, outcome text, zoho_id text, zoho_action text,
      error_code text, error_message text, retry_at timestamptz
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
      next_attempt_at = case
        when l.content_version <> i.version then now()
        when i.outcome = 'retry' then coalesce(i.retry_at, now())
        else l.next_attempt_at
      end,
      attempts = case when l.content_version <> i.version then 0 else l.attempts end,
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

-- ---------------------------------------------------------------------------------------
-- release_claims: hand back leads a worker claimed but did not send: on shutdown, or when
-- Zoho asked us to wait (429) or needs an operator (re-authorise). The claim's attempt is not
-- counted; p_not_before keeps them from being claimed again before Zoho's reset.
-- ---------------------------------------------------------------------------------------
create function public.release_claims(p_worker text, p_ids uuid[] default null, p_not_before timestamptz default null)
returns integer
language sql
set search_path = public
as $$
  with released as (
    update public.leads l set
      status = 'pending', claimed_by = null, claim_expires_at = null,
      attempts = greatest(l.attempts - 1, 0), next_attempt_at = coalesce(p_not_before, now()), updated_at = now()
    where l.status = 'syncing' and l.claimed_by = p_worker and (p_ids is null or l.id = any (p_ids))
    returning l.id
  )
  select count(*)::integer from released;
$$;

-- ---------------------------------------------------------------------------------------
-- retry_lead: an operator puts a failed (or spam) lead back to pending.
-- ---------------------------------------------------------------------------------------
create function public.retry_lead(p_id uuid)
returns table (id uuid, status text)
language sql
set search_path = public
as $$
  update public.leads l set
    status = 'pending', attempts = 0, next_attempt_at = now(),
    last_error_code = null, last_error_message = null, updated_at = now()
  where l.id = p_id and l.status in ('failed', 'spam')
  returning l.id, l.status;
$$;

-- ---------------------------------------------------------------------------------------
-- lead_stats: counts by status and source, success rate, last 24 h (for health and metrics)
-- ---------------------------------------------------------------------------------------
create function public.lead_stats()
returns jsonb
language sql
stable
set search_path = public
as $$
  select jsonb_build_object(
    'total', (select count(*) from public.leads),
    'by_status', coalesce((select jsonb_object_agg(s.status, s.n) from (
      select l.status, count(*) as n from public.leads l group by l.status) s), '{}'::jsonb),
    'by_source', coalesce((select jsonb_object_agg(s.source, s.n) from (
      select l.source, count(*) as n from public.leads l group by l.source) s), '{}'::jsonb),
    'last_24h', (select count(*) from public.leads l where l.created_at > now() - interval '24 hours'),
    -- of the leads that reached a final answer from Zoho, the share that was accepted
    'success_rate', (select case when count(*) filter (where l.status in ('synced', 'failed')) = 0 then null
      else round(count(*) filter (where l.status = 'synced')::numeric
                 / count(*) filter (where l.status in ('synced', 'failed')), 4) end
      from public.leads l),
    'oldest_pending_at', (select min(l.created_at) from public.leads l where l.status = 'pending')
  );
$$;

-- ---------------------------------------------------------------------------------------
-- zoho_token_status: what health may show about the token; never the ciphertext
-- ---------------------------------------------------------------------------------------
create function public.zoho_token_status()
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce((select jsonb_build_object(
      'exists', true,
      'expires_at', t.access_token_expires_at,
      'api_domain', t.api_domain,
      'accounts_server', t.accounts_server,
      'last_refresh_at', t.last_refresh_at,
      'last_refresh_error_code', t.last_refresh_error_code,
      'last_refresh_error_message', t.last_refresh_error_message,
      'last_refresh_error_at', t.last_refresh_error_at)
    from public.zoho_tokens t where t.id = 1), jsonb_build_object('exists', false));
$$;

-- Only the service role may call these (functions are executable by PUBLIC by default).
do $$
declare
  f text;
begin
  foreach f in array array[
    'intake_lead(text, jsonb, jsonb, text, text)',
    'claim_pending_leads(integer, text, integer)',
    'record_sync_results(text, uuid, jsonb)',
    'release_claims(text, uuid[], timestamptz)',
    'retry_lead(uuid)',
    'lead_stats()',
    'zoho_token_status()'
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

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant all on public.leads, public.sync_attempts, public.zoho_tokens to service_role;
  end if;
end
$$;
