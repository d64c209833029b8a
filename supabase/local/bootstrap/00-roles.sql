-- The roles Supabase creates before any migration. Roles are cluster-wide, so each is
-- created only when missing (a DATABASE_URL server may already have them).
do $$
declare
  r record;
begin
  for r in select * from (values
    ('anon', 'nologin noinherit'),
    ('authenticated', 'nologin noinherit'),
    ('service_role', 'nologin noinherit bypassrls'),
    ('authenticator', 'login noinherit'),
    ('supabase_admin', 'login superuser createdb createrole replication bypassrls'),
    ('supabase_auth_admin', 'login noinherit createrole'),
    ('supabase_storage_admin', 'login noinherit createrole'),
    ('supabase_realtime_admin', 'nologin noinherit'),
    ('supabase_replication_admin', 'login replication'),
    ('supabase_read_only_user', 'login bypassrls'),
    ('dashboard_user', 'nologin createdb createrole replication'),
    ('pgbouncer', 'login')
  ) as roles(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.options);
    end if;
  end loop;
end
$$;

-- The local stack's well-known passwords (the CLI uses "postgres" for every login role).
alter role authenticator with password 'postgres';
alter role supabase_admin with password 'postgres';
alter role supabase_auth_admin with password 'postgres';
alter role supabase_storage_admin with password 'postgres';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant supabase_realtime_admin to postgres;

-- PostgREST's and GoTrue's statement timeouts, as the platform sets them.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
