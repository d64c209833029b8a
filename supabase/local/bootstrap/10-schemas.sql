-- Schemas, extensions, grants and default privileges as on a fresh Supabase project.
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role, supabase_realtime_admin;
grant all on schema extensions to dashboard_user;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- public belongs to the database's owner, as PostgreSQL 15+ creates it (an older bootstrap
-- gave it to postgres); the API roles may use it, Realtime may create in it.
alter schema public owner to pg_database_owner;
grant usage on schema public to postgres, anon, authenticated, service_role;
grant create on schema public to postgres;
grant usage, create on schema public to supabase_realtime_admin;

-- Tables, functions and sequences made later in public by postgres (the role migrations
-- run as) or supabase_admin are open to the API roles; row-level security narrows them.
alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on sequences to postgres, anon, authenticated, service_role;
grant all on all tables in schema public to anon, authenticated, service_role;
grant all on all functions in schema public to anon, authenticated, service_role;
grant all on all sequences in schema public to anon, authenticated, service_role;

alter default privileges for role postgres in schema extensions grant all on functions to anon, authenticated, service_role;
grant all on all functions in schema extensions to anon, authenticated, service_role;
grant all on all tables in schema extensions to postgres, dashboard_user;
grant all on all sequences in schema extensions to postgres, dashboard_user;
grant all on all routines in schema extensions to postgres, dashboard_user;

-- GraphQL's public schema with the image's placeholder entry point (pg_graphql itself is
-- not available here; it is off by default on new projects too).
create schema if not exists graphql_public authorization supabase_admin;
alter schema graphql_public owner to supabase_admin;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema graphql_public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema graphql_public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema graphql_public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public grant all on sequences to postgres, anon, authenticated, service_role;
create or replace function graphql_public.graphql(
  "operationName" text default null,
  query text default null,
  variables jsonb default null,
  extensions jsonb default null
) returns jsonb
language sql
as $$ select jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql extension is not enabled.'))) $$;
alter function graphql_public.graphql(text, text, jsonb, jsonb) owner to supabase_admin;
grant execute on function graphql_public.graphql(text, text, jsonb, jsonb) to postgres, anon, authenticated, service_role;

-- The connection pooler's password lookup.
create schema if not exists pgbouncer authorization pgbouncer;
create or replace function pgbouncer.get_auth(p_usename text) returns table (username text, password text)
language sql stable security definer
set search_path = ''
as $$
  select rolname::text, case when rolvaliduntil < now() then null else rolpassword::text end
  from pg_catalog.pg_authid
  where rolname = p_usename and rolcanlogin
$$;
alter function pgbouncer.get_auth(text) owner to supabase_admin;
revoke execute on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer, postgres;

-- The publication Realtime's postgres_changes listens to; projects add their tables.
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Where the CLI records applied migrations and seed files.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text,
  created_by text,
  idempotency_key text unique,
  rollback text[]
);
create table if not exists supabase_migrations.seed_files (
  path text primary key,
  hash text not null
);
