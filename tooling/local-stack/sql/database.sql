-- Per-database part of the Supabase setup: privileges stay wide open and RLS does the gating,
-- as on a hosted project. Run as a superuser in each new database before the migrations.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant execute on functions to anon, authenticated, service_role;
