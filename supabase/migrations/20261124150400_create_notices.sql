-- Notices: short messages for one person about something their partner did (joined,
-- declined the invite, left the couple), shown until they dismiss them.
create table public.notices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null check (kind in ('partner_joined', 'partner_left', 'invite_declined')),
  actor_name text not null,
  created_at timestamptz not null default now()
);
comment on table public.notices is 'Messages for one person about their couple (a partner joined, declined or left). Written by the couple functions; read and dismissed by their addressee.';
create index notices_user_id_idx on public.notices (user_id);

alter table public.notices enable row level security;

create policy "People can read their own notices"
  on public.notices for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "People can dismiss their own notices"
  on public.notices for delete to authenticated
  using ((select auth.uid()) = user_id);

revoke all on public.notices from anon, authenticated;
grant select, delete on public.notices to authenticated;
