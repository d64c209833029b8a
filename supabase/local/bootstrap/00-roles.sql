-- The roles Supabase's database image (and the CLI's start-up SQL) creates before any
-- migration, with the attributes they end up with. Roles are cluster-wide: each is created
-- when missing and then brought to these attributes (a DATABASE_URL server, or a database
-- set up by an older bootstrap, may have them otherwise).
--   The API roles inherit (the image altered them from noinherit in 2023), so a role
-- granted to `authenticated` applies to it; authenticator does not, so it holds no
-- privileges until PostgREST switches role.
do $$
declare
  r record;
begin
  for r in select * from (values
    ('anon', 'nologin inherit nobypassrls'),
    ('authenticated', 'nologin inherit nobypassrls'),
    ('service_role', 'nologin inherit bypassrls'),
    ('authenticator', 'login noinherit'),
    ('supabase_admin', 'login superuser createdb createrole replication bypassrls'),
    ('supabase_auth_admin', 'login noinherit createrole noreplication'),
    ('supabase_storage_admin', 'login noinherit createrole noreplication'),
    ('supabase_functions_admin', 'login noinherit createrole noreplication'),
    ('supabase_realtime_admin', 'login noinherit createrole replication'),
    ('supabase_replication_admin', 'login replication'),
    ('supabase_etl_admin', 'login replication bypassrls'),
    ('supabase_read_only_user', 'login bypassrls'),
    ('dashboard_user', 'nologin createdb createrole replication'),
    ('pgbouncer', 'login')
  ) as roles(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.options);
    else
      execute format('alter role %I %s', r.name, r.options);
    end if;
  end loop;
end
$$;

-- The local stack's well-known passwords (the CLI uses "postgres" for every login role).
alter role authenticator with password 'postgres';
alter role pgbouncer with password 'postgres';
alter role supabase_admin with password 'postgres';
alter role supabase_auth_admin with password 'postgres';
alter role supabase_storage_admin with password 'postgres';
alter role supabase_functions_admin with password 'postgres';
alter role supabase_replication_admin with password 'postgres';
alter role supabase_read_only_user with password 'postgres';

-- Who may become whom: PostgREST's authenticator switches to the API roles; postgres may
-- too (and, on PostgreSQL 16+, grant them onwards); Storage's and Realtime's service roles
-- act as the API roles; the read-only and ETL users read everything.
grant anon, authenticated, service_role to authenticator;
grant authenticator to supabase_storage_admin;
grant anon, authenticated, service_role to supabase_realtime_admin;
do $$
begin
  if current_setting('server_version_num')::int >= 160000 then
    grant anon, authenticated, service_role to postgres with admin option;
  else
    grant anon, authenticated, service_role to postgres;
  end if;
end
$$;
grant pg_read_all_data, pg_monitor to supabase_read_only_user, supabase_etl_admin;
grant pg_read_all_data, pg_signal_backend, pg_monitor to postgres;
-- The image keeps postgres out of the service admin roles (an older bootstrap granted one).
revoke supabase_realtime_admin from postgres;

-- Per-role settings, as the image leaves them. The API roles carry no search_path:
-- PostgREST sets one per request (the exposed schema, then extra_search_path).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role anon reset search_path;
alter role authenticated reset search_path;
alter role service_role reset search_path;
alter role authenticator reset search_path;
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_admin set log_statement = none;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role supabase_auth_admin set log_statement = none;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_storage_admin set log_statement = none;
alter role supabase_functions_admin set search_path = supabase_functions;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
alter role supabase_read_only_user set default_transaction_read_only = on;

-- The database itself: no search_path of its own (an older bootstrap set one).
do $$
begin
  execute format('alter database %I reset search_path', current_database());
  execute format('grant all on database %I to postgres, dashboard_user', current_database());
  execute format('grant create on database %I to supabase_realtime_admin, supabase_etl_admin', current_database());
end
$$;
