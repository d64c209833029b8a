-- Partner invites: a link with an unguessable token (256 random bits) that lets one
-- person join a couple. Only the token's SHA-256 is stored; the token itself is shown
-- once, to the person who made it. Single use, seven days, revocable, re-issuable.
create table public.couple_invites (
  id uuid primary key default gen_random_uuid(),
  couple_id uuid not null references public.couples (id) on delete cascade,
  invited_by uuid not null references auth.users (id) on delete cascade,
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  declined_at timestamptz,
  revoked_at timestamptz
);
comment on table public.couple_invites is 'Partner invite links of a couple. Token stored as sha256 only; written only through the invite functions.';
create index couple_invites_couple_id_idx on public.couple_invites (couple_id);
create index couple_invites_invited_by_idx on public.couple_invites (invited_by);
create index couple_invites_accepted_by_idx on public.couple_invites (accepted_by);

alter table public.couple_invites enable row level security;

create policy "Members can see their couple's invites"
  on public.couple_invites for select to authenticated
  using (private.is_couple_member(couple_id));

-- Even members never read the hash back.
revoke all on public.couple_invites from anon, authenticated;
grant select (id, couple_id, invited_by, created_at, expires_at, accepted_at, accepted_by, declined_at, revoked_at)
  on public.couple_invites to authenticated;
