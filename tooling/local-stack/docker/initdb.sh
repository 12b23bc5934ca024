#!/bin/sh
# First start of the compose Postgres: the same roles and grants as `npm run stack:up`; the compose
# `migrate` service then applies supabase/migrations (node packages/db/dist/migrate-cli.js).
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -f /leadsync/sql/roles.sql
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "create database leadsync"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d leadsync -f /leadsync/sql/database.sql
