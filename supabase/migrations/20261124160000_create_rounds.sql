-- Rounds: one sitting of the questionnaire for a couple. A round is open until both
-- partners submitted; then it is revealed and each may read the other's answers. A round
-- records the instrument version it used, so old rounds stay readable after rewording.
create table public.rounds (
  id uuid primary key default gen_random_uuid(),
  couple_id uuid not null references public.couples (id) on delete cascade,
  instrument_version text not null check (char_length(instrument_version) between 1 and 40),
  -- How many prompts the main pass has in that version, for "12 of 60" progress.
  prompt_count integer not null check (prompt_count between 1 and 1000),
  started_by uuid references auth.users (id) on delete set null,
  started_at timestamptz not null default now(),
  revealed_at timestamptz
);
comment on table public.rounds is 'One sitting of the questionnaire per couple; open until both partners submitted, then revealed. Visible to the couple''s members; written only by SQL functions.';
create index rounds_couple_id_idx on public.rounds (couple_id, started_at desc);
-- At most one open round per couple: both partners answer in the same round.
create unique index rounds_one_open_per_couple on public.rounds (couple_id) where revealed_at is null;

-- A partner's part in a round: their progress, which the other partner may see live
-- (counts and submitted yes/no, never content).
create table public.round_participants (
  round_id uuid not null references public.rounds (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  answered_count integer not null default 0,
  predicted_count integer not null default 0,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz,
  primary key (round_id, user_id)
);
comment on table public.round_participants is 'Per partner and round: progress counts and when they submitted. Both partners may read it; written only by SQL functions.';
create index round_participants_user_id_idx on public.round_participants (user_id);

-- Answers to the prompts (kind = answer) and guesses of the partner's answers
-- (kind = prediction), 1–7. The author alone reads them until the round is revealed.
create table public.answers (
  round_id uuid not null,
  user_id uuid not null,
  kind text not null check (kind in ('answer', 'prediction')),
  prompt_id text not null check (prompt_id ~ '^[A-Za-z0-9_.-]{1,40}$'),
  value smallint not null check (value between 1 and 7),
  -- When the person gave it (client clock): an older answer arriving late never wins.
  answered_at timestamptz not null,
  updated_at timestamptz not null default now(),
  primary key (round_id, user_id, kind, prompt_id),
  foreign key (round_id, user_id) references public.round_participants (round_id, user_id) on delete cascade
);
comment on table public.answers is 'Answers and predictions, 1–7. The author reads their own; the partner only once the round is revealed and while both are still in the couple. Written only through save_answers.';
create index answers_user_id_idx on public.answers (user_id);

-- The optional private reflections: free text, the author's alone unless they share it.
create table public.reflections (
  round_id uuid not null,
  user_id uuid not null,
  prompt_id text not null check (prompt_id ~ '^[A-Za-z0-9_.-]{1,40}$'),
  body text not null check (char_length(body) <= 4000),
  shared boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (round_id, user_id, prompt_id),
  foreign key (round_id, user_id) references public.round_participants (round_id, user_id) on delete cascade
);
comment on table public.reflections is 'Private reflections in free text. The author alone, unless they mark one shared; a shared one is visible to the partner once the round is revealed.';
create index reflections_user_id_idx on public.reflections (user_id);

create trigger round_participants_touch_updated_at before update on public.round_participants
  for each row execute function private.touch_updated_at();
create trigger reflections_touch_updated_at before update on public.reflections
  for each row execute function private.touch_updated_at();

-- Policy helpers (security definer: they read couple_members and rounds whatever the
-- caller's own policies let them see).
create or replace function private.round_couple(p_round_id uuid)
returns uuid
language sql stable security definer set search_path = ''
as $$ select couple_id from public.rounds where id = p_round_id $$;

create or replace function private.can_read_round(p_round_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$ select private.is_couple_member(private.round_couple(p_round_id)) $$;

-- The partner may read someone's content in a round only when it is revealed and both
-- are (still) members of the round's couple: leaving ends that access at once.
create or replace function private.can_read_partner_content(p_round_id uuid, p_author uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1
    from public.rounds r
    join public.couple_members me on me.couple_id = r.couple_id and me.user_id = (select auth.uid())
    join public.couple_members author on author.couple_id = r.couple_id and author.user_id = p_author
    where r.id = p_round_id and r.revealed_at is not null
  )
$$;

revoke execute on function private.round_couple(uuid), private.can_read_round(uuid),
  private.can_read_partner_content(uuid, uuid) from public;
grant execute on function private.round_couple(uuid), private.can_read_round(uuid),
  private.can_read_partner_content(uuid, uuid) to authenticated;

alter table public.rounds enable row level security;
alter table public.round_participants enable row level security;
alter table public.answers enable row level security;
alter table public.reflections enable row level security;

create policy "Members can read their couple's rounds"
  on public.rounds for select to authenticated
  using (private.is_couple_member(couple_id));

create policy "Members can read progress in their couple's rounds"
  on public.round_participants for select to authenticated
  using (private.can_read_round(round_id));

create policy "Authors can read their own answers"
  on public.answers for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "Partners can read each other's answers once the round is revealed"
  on public.answers for select to authenticated
  using (private.can_read_partner_content(round_id, user_id));

create policy "Authors can read their own reflections"
  on public.reflections for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "Partners can read reflections shared with them once the round is revealed"
  on public.reflections for select to authenticated
  using (shared and private.can_read_partner_content(round_id, user_id));

revoke all on public.rounds, public.round_participants, public.answers, public.reflections from anon, authenticated;
grant select on public.rounds, public.round_participants, public.answers, public.reflections to authenticated;
