-- What the image does once the auth, storage and realtime schemas exist: who owns them,
-- who may use them, the default privileges of the roles that add to them, and the event
-- triggers that tell PostgREST its schema changed.

-- Owners and schema privileges: supabase_admin owns the service schemas; each service's
-- admin role has it all; the API roles may use them (their tables grant no more).
alter schema auth owner to supabase_admin;
alter schema storage owner to supabase_admin;
alter schema realtime owner to supabase_admin;
grant all on schema auth to supabase_auth_admin, dashboard_user;
grant usage on schema auth to anon, authenticated, service_role, postgres, supabase_realtime_admin;
grant all on schema storage to supabase_storage_admin, dashboard_user;
grant usage on schema storage to anon, authenticated, service_role, postgres;
grant all on schema realtime to supabase_realtime_admin with grant option;
grant usage on schema realtime to anon, authenticated, service_role, postgres;

-- Each service owns what it creates: GoTrue (as supabase_auth_admin) the auth tables, the
-- Storage API (supabase_storage_admin) its helpers, Realtime (supabase_admin) its table
-- and functions.
alter table auth.instances owner to supabase_auth_admin;
alter table auth.schema_migrations owner to supabase_auth_admin;
alter table auth.audit_log_entries owner to supabase_auth_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter table realtime.messages owner to supabase_admin;
alter function realtime.topic() owner to supabase_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_admin;
alter function realtime.send_binary(bytea, text, text, boolean) owner to supabase_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_admin;

-- postgres (the dashboard's SQL editor, a migration) may read and change the auth tables.
grant all on all tables in schema auth to postgres, dashboard_user;
grant all on all sequences in schema auth to postgres, dashboard_user;
grant all on all routines in schema auth to postgres, dashboard_user;
grant execute on all functions in schema auth to supabase_realtime_admin;
revoke all on auth.schema_migrations from dashboard_user, postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres, dashboard_user;

grant all on all sequences in schema storage to postgres, dashboard_user;
grant all on all routines in schema storage to postgres, dashboard_user;
alter default privileges for role postgres in schema storage grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage grant all on sequences to postgres, anon, authenticated, service_role;

grant all on all tables in schema realtime to postgres, dashboard_user;
grant all on all sequences in schema realtime to postgres, dashboard_user;
grant all on all routines in schema realtime to postgres, dashboard_user;
alter default privileges for role supabase_admin in schema realtime grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_admin in schema realtime grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_admin in schema realtime grant all on routines to postgres, dashboard_user;

-- Realtime's own bookkeeping schema, as the CLI creates it.
create schema if not exists _realtime;
alter schema _realtime owner to postgres;

-- GoTrue marks its old claim helpers so.
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

-- Database webhooks' schema, as the CLI creates it. Its trigger function posts through
-- pg_net, which this runtime does not have: there a webhook trigger records the call in
-- supabase_functions.hooks (request_id null) and sends nothing, so the table it is on
-- still takes writes.
create schema if not exists supabase_functions authorization supabase_admin;
grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;
grant all on schema supabase_functions to supabase_functions_admin;
grant supabase_functions_admin to postgres;
alter default privileges for role supabase_admin in schema supabase_functions grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema supabase_functions grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema supabase_functions grant all on sequences to postgres, anon, authenticated, service_role;
create table if not exists supabase_functions.migrations (
  version text primary key,
  inserted_at timestamptz not null default now()
);
insert into supabase_functions.migrations (version) values ('initial'), ('20210809183423_update_grants')
on conflict do nothing;
create table if not exists supabase_functions.hooks (
  id bigserial primary key,
  hook_table_id integer not null,
  hook_name text not null,
  created_at timestamptz not null default now(),
  request_id bigint
);
comment on table supabase_functions.hooks is 'Supabase Functions Hooks: Audit trail for triggered hooks.';
create index if not exists supabase_functions_hooks_request_id_idx on supabase_functions.hooks (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx on supabase_functions.hooks (hook_table_id, hook_name);
create or replace function supabase_functions.http_request() returns trigger
language plpgsql
security definer
set search_path = supabase_functions
as $$
declare
  url text := tg_argv[0]::text;
  method text := tg_argv[1]::text;
  request_id bigint;
begin
  if url is null or url = 'null' then
    raise exception 'url argument is missing';
  end if;
  if method is null or method = 'null' then
    raise exception 'method argument is missing';
  end if;
  if method not in ('GET', 'POST') then
    raise exception 'method argument % is invalid', method;
  end if;
  if to_regnamespace('net') is not null then
    if method = 'GET' then
      execute 'select net.http_get($1, $2, $3, $4)' into request_id
        using url, coalesce(nullif(tg_argv[3], 'null'), '{}')::jsonb,
          coalesce(nullif(tg_argv[2], 'null'), '{"Content-Type": "application/json"}')::jsonb,
          coalesce(nullif(tg_argv[4], 'null'), '1000')::integer;
    else
      execute 'select net.http_post($1, $2, $3, $4, $5)' into request_id
        using url,
          jsonb_build_object('old_record', old, 'record', new, 'type', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
          coalesce(nullif(tg_argv[3], 'null'), '{}')::jsonb,
          coalesce(nullif(tg_argv[2], 'null'), '{"Content-Type": "application/json"}')::jsonb,
          coalesce(nullif(tg_argv[4], 'null'), '1000')::integer;
    end if;
  end if;
  insert into supabase_functions.hooks (hook_table_id, hook_name, request_id) values (tg_relid, tg_name, request_id);
  return new;
end
$$;
alter table supabase_functions.migrations owner to supabase_functions_admin;
alter table supabase_functions.hooks owner to supabase_functions_admin;
alter function supabase_functions.http_request() owner to supabase_functions_admin;
grant all on all tables in schema supabase_functions to supabase_functions_admin, postgres, anon, authenticated, service_role;
grant all on all sequences in schema supabase_functions to supabase_functions_admin, postgres, anon, authenticated, service_role;
revoke all on function supabase_functions.http_request() from public;
grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;

-- PostgREST's schema cache follows DDL: the image's event triggers send `NOTIFY pgrst`
-- on every create, alter, comment or drop of an API-visible object, so a table made by a
-- migration or in the SQL editor is served at once. Objects in pg_temp and in the
-- services' own schemas are left out.
create or replace function extensions.pgrst_ddl_watch() returns event_trigger
language plpgsql
as $$
declare
  cmd record;
begin
  for cmd in select * from pg_event_trigger_ddl_commands()
  loop
    if (cmd.command_tag in (
          'CREATE SCHEMA', 'ALTER SCHEMA',
          'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
          'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE',
          'CREATE VIEW', 'ALTER VIEW',
          'CREATE MATERIALIZED VIEW', 'ALTER MATERIALIZED VIEW',
          'CREATE FUNCTION', 'ALTER FUNCTION',
          'CREATE TYPE', 'ALTER TYPE',
          'CREATE RULE',
          'COMMENT')
        and coalesce(cmd.schema_name, '') not in ('pg_temp', 'auth', 'realtime', '_realtime', 'storage'))
      or (cmd.command_tag = 'CREATE TRIGGER' and cmd.object_identity not like '% pg\_temp.%')
    then
      notify pgrst, 'reload schema';
    end if;
  end loop;
end
$$;

create or replace function extensions.pgrst_drop_watch() returns event_trigger
language plpgsql
as $$
declare
  obj record;
begin
  for obj in select * from pg_event_trigger_dropped_objects()
  loop
    if (obj.object_type in ('schema', 'table', 'foreign table', 'view', 'materialized view', 'function', 'type', 'rule')
        and obj.is_temporary is false
        and coalesce(obj.schema_name, '') not in ('auth', 'realtime', '_realtime', 'storage'))
      or (obj.object_type = 'trigger' and obj.object_identity not like '% pg\_temp.%')
    then
      notify pgrst, 'reload schema';
    end if;
  end loop;
end
$$;

alter function extensions.pgrst_ddl_watch() owner to supabase_admin;
alter function extensions.pgrst_drop_watch() owner to supabase_admin;
do $$
begin
  if not exists (select 1 from pg_event_trigger where evtname = 'pgrst_ddl_watch') then
    create event trigger pgrst_ddl_watch on ddl_command_end execute function extensions.pgrst_ddl_watch();
  end if;
  if not exists (select 1 from pg_event_trigger where evtname = 'pgrst_drop_watch') then
    create event trigger pgrst_drop_watch on sql_drop execute function extensions.pgrst_drop_watch();
  end if;
end
$$;
alter event trigger pgrst_ddl_watch owner to supabase_admin;
alter event trigger pgrst_drop_watch owner to supabase_admin;
