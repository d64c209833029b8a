-- Profiles: what a person calls themselves in the app and the language they read it in.
-- One row per account, created with the account and removed with it.
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 60),
  language text not null default 'nl' check (language in ('nl', 'en')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'A person as the app shows them: display name and language (nl or en). Created by a trigger when the account is created; deleted with it.';

alter table public.profiles enable row level security;

create policy "People can read their own profile"
  on public.profiles for select to authenticated
  using ((select auth.uid()) = id);

create policy "People can update their own profile"
  on public.profiles for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- Rows are created by the trigger below and removed with the account: people only edit
-- these two columns of their own row.
revoke all on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant update (display_name, language) on public.profiles to authenticated;

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function private.touch_updated_at();

-- A profile for every new account, from the name and language given at sign-up.
create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text := left(btrim(coalesce(new.raw_user_meta_data ->> 'display_name', '')), 60);
  v_language text := new.raw_user_meta_data ->> 'language';
begin
  if v_name = '' then
    v_name := left(split_part(coalesce(new.email, ''), '@', 1), 60);
  end if;
  if v_name = '' then
    v_name := '…';
  end if;
  insert into public.profiles (id, display_name, language)
  values (new.id, v_name, case when v_language in ('nl', 'en') then v_language else 'nl' end);
  return new;
end;
$$;
revoke execute on function private.create_profile_for_new_user() from public;

create trigger on_auth_user_created_create_profile
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();
