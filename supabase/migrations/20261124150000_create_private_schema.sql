-- The private schema holds the few functions that bypass row-level security. It is not
-- in the API's exposed schemas (config.toml [api] schemas), so nothing in it can be
-- called over REST; public wrappers (security invoker) call what people may call.
create schema if not exists private;
comment on schema private is 'Privileged helpers: security definer functions with a fixed search_path, never exposed over the API.';

revoke all on schema private from public;
grant usage on schema private to authenticated, anon, service_role;

-- Functions are executable by PUBLIC by default; here every grant is explicit.
alter default privileges in schema private revoke execute on functions from public;

-- Keeps updated_at honest on every table that has one.
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
revoke execute on function private.touch_updated_at() from public;
