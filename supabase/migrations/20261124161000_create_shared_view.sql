-- What the couple writes together on the shared view: a note and a "we discussed this"
-- mark per collision, their cycle, and their agreements. The couple's members read and
-- write them (a consenting coach will join later); nobody else, ex-partners included.

-- Who wrote last, set by the database rather than trusted from the request.
create or replace function private.stamp_author()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_by := (select auth.uid());
  new.updated_at := now();
  return new;
end;
$$;
revoke execute on function private.stamp_author() from public;

create or replace function private.stamp_creator()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.created_by := (select auth.uid());
  new.created_at := now();
  return new;
end;
$$;
revoke execute on function private.stamp_creator() from public;

-- True when the round is revealed and the caller is a member of its couple.
create or replace function private.can_discuss_round(p_round_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.rounds r
    join public.couple_members m on m.couple_id = r.couple_id and m.user_id = (select auth.uid())
    where r.id = p_round_id and r.revealed_at is not null
  )
$$;
revoke execute on function private.can_discuss_round(uuid) from public;
grant execute on function private.can_discuss_round(uuid) to authenticated;

-- One note per collision (situation) of a revealed round.
create table public.collision_notes (
  round_id uuid not null references public.rounds (id) on delete cascade,
  situation_id text not null check (situation_id ~ '^[A-Za-z0-9_.-]{1,40}$'),
  body text not null default '' check (char_length(body) <= 4000),
  discussed_at timestamptz,
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (round_id, situation_id)
);
comment on table public.collision_notes is 'The couple''s note and "we discussed this" mark per collision of a revealed round. Members of the couple only.';
create index collision_notes_updated_by_idx on public.collision_notes (updated_by);

-- The couple's cycle for a round: per partner the steps therapists map by hand (what
-- sets it off, what it means to me, what I feel first, what I do, what I feel underneath).
create table public.cycles (
  round_id uuid primary key references public.rounds (id) on delete cascade,
  steps jsonb not null default '{}'::jsonb check (jsonb_typeof(steps) = 'object' and pg_column_size(steps) <= 16384),
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table public.cycles is 'The couple''s cycle, as they wrote it together for a revealed round. Members of the couple only.';
create index cycles_updated_by_idx on public.cycles (updated_by);

-- Next steps both can add, tick and reorder.
create table public.agreements (
  id uuid primary key default gen_random_uuid(),
  couple_id uuid not null references public.couples (id) on delete cascade,
  body text not null check (char_length(btrim(body)) between 1 and 500),
  done boolean not null default false,
  position double precision not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table public.agreements is 'The couple''s agreements: next steps, ticked and ordered together. Members of the couple only.';
create index agreements_couple_id_idx on public.agreements (couple_id, position);
create index agreements_created_by_idx on public.agreements (created_by);
create index agreements_updated_by_idx on public.agreements (updated_by);

create trigger collision_notes_stamp before insert or update on public.collision_notes
  for each row execute function private.stamp_author();
create trigger cycles_stamp before insert or update on public.cycles
  for each row execute function private.stamp_author();
create trigger agreements_stamp before insert or update on public.agreements
  for each row execute function private.stamp_author();
create trigger agreements_stamp_creator before insert on public.agreements
  for each row execute function private.stamp_creator();

alter table public.collision_notes enable row level security;
alter table public.cycles enable row level security;
alter table public.agreements enable row level security;

create policy "Members can read notes of their revealed rounds"
  on public.collision_notes for select to authenticated
  using (private.can_discuss_round(round_id));
create policy "Members can write notes of their revealed rounds"
  on public.collision_notes for insert to authenticated
  with check (private.can_discuss_round(round_id));
create policy "Members can change notes of their revealed rounds"
  on public.collision_notes for update to authenticated
  using (private.can_discuss_round(round_id))
  with check (private.can_discuss_round(round_id));

create policy "Members can read the cycle of their revealed rounds"
  on public.cycles for select to authenticated
  using (private.can_discuss_round(round_id));
create policy "Members can write the cycle of their revealed rounds"
  on public.cycles for insert to authenticated
  with check (private.can_discuss_round(round_id));
create policy "Members can change the cycle of their revealed rounds"
  on public.cycles for update to authenticated
  using (private.can_discuss_round(round_id))
  with check (private.can_discuss_round(round_id));

create policy "Members can read their couple's agreements"
  on public.agreements for select to authenticated
  using (private.is_couple_member(couple_id));
create policy "Members can add agreements to their couple"
  on public.agreements for insert to authenticated
  with check (private.is_couple_member(couple_id));
create policy "Members can change their couple's agreements"
  on public.agreements for update to authenticated
  using (private.is_couple_member(couple_id))
  with check (private.is_couple_member(couple_id));
create policy "Members can remove their couple's agreements"
  on public.agreements for delete to authenticated
  using (private.is_couple_member(couple_id));

revoke all on public.collision_notes, public.cycles, public.agreements from anon, authenticated;
grant select, insert (round_id, situation_id, body, discussed_at), update (body, discussed_at) on public.collision_notes to authenticated;
grant select, insert (round_id, steps), update (steps) on public.cycles to authenticated;
grant select, insert (couple_id, body, done, position), update (body, done, position), delete on public.agreements to authenticated;
