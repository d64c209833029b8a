-- Couples: the shared space two partners link their accounts in. Membership rows say
-- who is in it; a person is a partner in at most one couple at a time. Rows are written
-- only by the SQL functions in the couple-functions migration, which check the caller.
create table public.couples (
  id uuid primary key default gen_random_uuid(),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.couples is 'A couple''s shared space. Visible to its members only; created, joined and left through SQL functions.';
create index couples_created_by_idx on public.couples (created_by);

create table public.couple_members (
  couple_id uuid not null references public.couples (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'partner' check (role in ('partner')),
  joined_at timestamptz not null default now(),
  primary key (couple_id, user_id)
);
comment on table public.couple_members is 'Who is in which couple, and as what. At most two partners per couple (checked by the join function) and one couple per person as partner (unique index).';
create unique index couple_members_one_couple_per_partner on public.couple_members (user_id) where role = 'partner';
create index couple_members_user_id_idx on public.couple_members (user_id);

-- Policy helpers. Security definer so that a policy on couple_members can ask about
-- couple_members without recursing into its own policy.
create or replace function private.is_couple_member(p_couple_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.couple_members
    where couple_id = p_couple_id and user_id = (select auth.uid())
  );
$$;
revoke execute on function private.is_couple_member(uuid) from public;
grant execute on function private.is_couple_member(uuid) to authenticated;

create or replace function private.is_partner_of(p_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.couple_members mine
    join public.couple_members theirs on theirs.couple_id = mine.couple_id
    where mine.user_id = (select auth.uid()) and theirs.user_id = p_user_id
  );
$$;
revoke execute on function private.is_partner_of(uuid) from public;
grant execute on function private.is_partner_of(uuid) to authenticated;

alter table public.couples enable row level security;
alter table public.couple_members enable row level security;

create policy "Members can read their couple"
  on public.couples for select to authenticated
  using (private.is_couple_member(id));

create policy "Members can read who is in their couple"
  on public.couple_members for select to authenticated
  using (private.is_couple_member(couple_id));

create policy "Partners can read each other's profile"
  on public.profiles for select to authenticated
  using (private.is_partner_of(id));

revoke all on public.couples, public.couple_members from anon, authenticated;
grant select on public.couples, public.couple_members to authenticated;
