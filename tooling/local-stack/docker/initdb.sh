#!/bin/sh
# First start of the compose Postgres: the same roles, grants and migrations as `npm run stack:up`.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -f /leadsync/sql/roles.sql
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "create database leadsync"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d leadsync -f /leadsync/sql/database.sql
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d leadsync -c "create schema if not exists supabase_migrations; create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text)"
for f in /leadsync/migrations/*.sql; do
  base=$(basename "$f" .sql)
  version=${base%%_*}
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d leadsync -1 -f "$f"
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d leadsync -c "insert into supabase_migrations.schema_migrations (version, name) values ('$version', '${base#*_}')"
done
