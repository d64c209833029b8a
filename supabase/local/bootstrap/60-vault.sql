-- Supabase Vault (the supabase_vault extension is not available here): vault.secrets
-- holds each secret encrypted, vault.decrypted_secrets shows it decrypted, and
-- vault.create_secret() / vault.update_secret() write it, with the extension's signatures
-- and its privileges (postgres only; the API roles see nothing). Secrets are encrypted with
-- pgcrypto under a key made once per database and readable by supabase_admin alone;
-- Supabase's own scheme (libsodium, a key outside the database) is not reproduced.
create schema if not exists vault authorization supabase_admin;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

create table if not exists vault.local_key (
  only_one boolean primary key default true check (only_one),
  key text not null default encode(extensions.gen_random_bytes(32), 'hex')
);
insert into vault.local_key default values on conflict do nothing;

create or replace view vault.decrypted_secrets as
select s.id, s.name, s.description, s.secret,
  convert_from(extensions.pgp_sym_decrypt_bytea(decode(s.secret, 'base64'), k.key), 'utf8') as decrypted_secret,
  s.key_id, s.nonce, s.created_at, s.updated_at
from vault.secrets s cross join vault.local_key k;

create or replace function vault.create_secret(new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description, key_id)
  values (
    encode(extensions.pgp_sym_encrypt_bytea(convert_to(new_secret, 'utf8'), (select key from vault.local_key)), 'base64'),
    new_name, new_description, new_key_id
  )
  returning * into rec;
  return rec.id;
end
$$;

create or replace function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null, new_description text default null, new_key_id uuid default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets s set
    secret = case when new_secret is null then s.secret
      else encode(extensions.pgp_sym_encrypt_bytea(convert_to(new_secret, 'utf8'), (select key from vault.local_key)), 'base64') end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    key_id = coalesce(new_key_id, s.key_id),
    updated_at = current_timestamp
  where s.id = secret_id;
end
$$;

alter table vault.secrets owner to supabase_admin;
alter table vault.local_key owner to supabase_admin;
alter view vault.decrypted_secrets owner to supabase_admin;
alter function vault.create_secret(text, text, text, uuid) owner to supabase_admin;
alter function vault.update_secret(uuid, text, text, text, uuid) owner to supabase_admin;
revoke all on vault.secrets, vault.decrypted_secrets, vault.local_key from public, anon, authenticated, service_role;
revoke all on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) from public;
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets to postgres with grant option;
grant select on vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) to postgres with grant option;
