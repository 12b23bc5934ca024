-- ---------------------------------------------------------------------------------------
-- intake_leads: intake_lead for many leads in one transaction (group commit).
--
-- Under load the API sends the leads that arrived while its earlier calls were on their way as
-- one call: one HTTP round trip through the gateway and PostgREST, one transaction and one WAL
-- flush for all of them. Each item gets exactly the answer intake_lead would have given it
-- alone (created | replayed | updated | key_reused | in_flight), tagged with its position.
-- Two items with the same Idempotency-Key are two requests in flight at once: the first is
-- stored, the later ones get in_flight (409), as they would from concurrent calls.
--
-- p_items: [{ source, fields, raw_payload, idempotency_key?, fingerprint? }, ...]
-- ---------------------------------------------------------------------------------------
create function public.intake_leads(p_items jsonb)
returns table (idx integer, id uuid, status text, outcome text)
language plpgsql
set search_path = public
as $$
declare
  v_item record;
  v_key text;
  v_keys_seen text[] := '{}';
begin
  -- intake_lead waits for a chat session's lock. Taking every session lock of the batch first,
  -- in one global order, means two batches sharing sessions queue instead of deadlocking.
  perform pg_advisory_xact_lock(s.k)
    from (
      select distinct hashtextextended('leadsync:session:' || (e -> 'fields' ->> 'session_id'), 0) as k
      from jsonb_array_elements(p_items) e
      where e ->> 'source' = 'chatbot' and nullif(e -> 'fields' ->> 'session_id', '') is not null
      order by 1
    ) s;

  for v_item in
    select (t.ord - 1)::integer as i, t.e from jsonb_array_elements(p_items) with ordinality as t(e, ord)
  loop
    v_key := (v_item.e ->> 'source') || ':' || (v_item.e ->> 'idempotency_key');
    if v_key = any(v_keys_seen) then
      return query select v_item.i, null::uuid, null::text, 'in_flight'::text;
      continue;
    end if;
    if v_key is not null then
      v_keys_seen := v_keys_seen || v_key;
    end if;
    return query
      select v_item.i, r.id, r.status, r.outcome
      from public.intake_lead(
        v_item.e ->> 'source',
        v_item.e -> 'fields',
        v_item.e -> 'raw_payload',
        v_item.e ->> 'idempotency_key',
        v_item.e ->> 'fingerprint'
      ) r;
  end loop;
end;
$$;

revoke execute on function public.intake_leads(jsonb) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke execute on function public.intake_leads(jsonb) from anon, authenticated;
  end if;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    grant execute on function public.intake_leads(jsonb) to service_role;
  end if;
end
$$;
