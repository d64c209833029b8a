-- The round's write API: start (or join) the open round, save answers (idempotent and
-- order-safe, for the offline queue), save a reflection, submit. Each checks the caller;
-- after submit nothing of that person's round can change. Progress and the reveal are
-- broadcast on the couple's private Realtime topic after the transaction commits.

-- Broadcasts a partner's progress to `couple:<id>` (counts only, never content).
create or replace function private.broadcast_progress(p_round_id uuid, p_user_id uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_payload jsonb;
  v_couple uuid;
begin
  select r.couple_id,
         jsonb_build_object(
           'roundId', r.id, 'userId', p.user_id, 'answered', p.answered_count,
           'predicted', p.predicted_count, 'total', r.prompt_count,
           'startedAt', p.started_at, 'submittedAt', p.submitted_at)
    into v_couple, v_payload
    from public.rounds r join public.round_participants p on p.round_id = r.id
   where r.id = p_round_id and p.user_id = p_user_id;
  if v_couple is not null then
    perform realtime.send(v_payload, 'progress', 'couple:' || v_couple::text, true);
  end if;
end;
$$;

-- The caller's open round: joins it, or starts one when the couple has none.
create or replace function private.start_round(p_instrument_version text, p_prompt_count integer)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_couple uuid;
  v_round uuid;
begin
  select m.couple_id into v_couple from public.couple_members m where m.user_id = v_uid and m.role = 'partner';
  if v_couple is null then
    raise exception 'not_in_couple' using errcode = '42501';
  end if;
  -- Serialise starts per couple, so two partners starting at once share one round.
  perform 1 from public.couples c where c.id = v_couple for update;
  select r.id into v_round from public.rounds r where r.couple_id = v_couple and r.revealed_at is null;
  if v_round is null then
    insert into public.rounds (couple_id, instrument_version, prompt_count, started_by)
    values (v_couple, p_instrument_version, p_prompt_count, v_uid)
    returning id into v_round;
  end if;
  insert into public.round_participants (round_id, user_id) values (v_round, v_uid)
  on conflict do nothing;
  perform private.broadcast_progress(v_round, v_uid);
  return v_round;
end;
$$;

-- The caller's participation in an open round they may still change, or an error.
create or replace function private.require_open_participation(p_round_id uuid, p_uid uuid)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_revealed timestamptz;
  v_submitted timestamptz;
  v_found boolean;
begin
  select true, r.revealed_at, p.submitted_at into v_found, v_revealed, v_submitted
    from public.rounds r
    join public.couple_members m on m.couple_id = r.couple_id and m.user_id = p_uid
    join public.round_participants p on p.round_id = r.id and p.user_id = p_uid
   where r.id = p_round_id;
  if v_found is null then
    raise exception 'not_in_round' using errcode = '42501';
  end if;
  if v_submitted is not null or v_revealed is not null then
    raise exception 'round_submitted' using errcode = '42501';
  end if;
end;
$$;

-- Saves a batch of answers and predictions: [{kind, promptId, value, answeredAt}, …].
-- Per prompt the newest answeredAt wins, so retries and late arrivals are harmless.
-- A value of null removes that answer. Returns the caller's answered count.
create or replace function private.save_answers(p_round_id uuid, p_answers jsonb)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_item jsonb;
  v_kind text;
  v_prompt text;
  v_value smallint;
  v_at timestamptz;
  v_answered integer;
begin
  perform private.require_open_participation(p_round_id, v_uid);
  if jsonb_typeof(p_answers) is distinct from 'array' or jsonb_array_length(p_answers) > 500 then
    raise exception 'invalid_answers' using errcode = '22023';
  end if;
  for v_item in select * from jsonb_array_elements(p_answers) loop
    v_kind := v_item ->> 'kind';
    v_prompt := v_item ->> 'promptId';
    if v_kind not in ('answer', 'prediction') or v_prompt is null or v_prompt !~ '^[A-Za-z0-9_.-]{1,40}$'
       or jsonb_typeof(v_item -> 'answeredAt') is distinct from 'string'
       or (jsonb_typeof(v_item -> 'value') is distinct from 'number' and jsonb_typeof(v_item -> 'value') is distinct from 'null') then
      raise exception 'invalid_answers' using errcode = '22023';
    end if;
    begin
      v_at := (v_item ->> 'answeredAt')::timestamptz;
      v_value := (v_item ->> 'value')::smallint;
    exception when others then
      raise exception 'invalid_answers' using errcode = '22023';
    end;
    if v_value is not null and (v_value < 1 or v_value > 7 or (v_item ->> 'value')::numeric <> v_value) then
      raise exception 'invalid_answers' using errcode = '22023';
    end if;
    if v_value is null then
      delete from public.answers a
       where a.round_id = p_round_id and a.user_id = v_uid and a.kind = v_kind and a.prompt_id = v_prompt
         and a.answered_at <= v_at;
    else
      insert into public.answers as a (round_id, user_id, kind, prompt_id, value, answered_at)
      values (p_round_id, v_uid, v_kind, v_prompt, v_value, v_at)
      on conflict (round_id, user_id, kind, prompt_id) do update
        set value = excluded.value, answered_at = excluded.answered_at, updated_at = now()
        where a.answered_at <= excluded.answered_at;
    end if;
  end loop;
  update public.round_participants p
     set answered_count = (select count(*) from public.answers a where a.round_id = p_round_id and a.user_id = v_uid and a.kind = 'answer'),
         predicted_count = (select count(*) from public.answers a where a.round_id = p_round_id and a.user_id = v_uid and a.kind = 'prediction')
   where p.round_id = p_round_id and p.user_id = v_uid
  returning answered_count into v_answered;
  perform private.broadcast_progress(p_round_id, v_uid);
  return v_answered;
end;
$$;

-- Saves (or, with an empty body, removes) one private reflection.
create or replace function private.save_reflection(p_round_id uuid, p_prompt_id text, p_body text, p_shared boolean)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  if not exists (
    select 1 from public.round_participants p
    join public.rounds r on r.id = p.round_id
    join public.couple_members m on m.couple_id = r.couple_id and m.user_id = v_uid
    where p.round_id = p_round_id and p.user_id = v_uid
  ) then
    raise exception 'not_in_round' using errcode = '42501';
  end if;
  if p_prompt_id is null or p_prompt_id !~ '^[A-Za-z0-9_.-]{1,40}$' or char_length(coalesce(p_body, '')) > 4000 then
    raise exception 'invalid_reflection' using errcode = '22023';
  end if;
  if btrim(coalesce(p_body, '')) = '' then
    delete from public.reflections where round_id = p_round_id and user_id = v_uid and prompt_id = p_prompt_id;
  else
    insert into public.reflections (round_id, user_id, prompt_id, body, shared)
    values (p_round_id, v_uid, p_prompt_id, p_body, coalesce(p_shared, false))
    on conflict (round_id, user_id, prompt_id) do update set body = excluded.body, shared = excluded.shared;
  end if;
end;
$$;

-- Submits the caller's answers. When both partners have submitted, the round is
-- revealed and both screens are told. Returns 'submitted' or 'revealed'.
create or replace function private.submit_round(p_round_id uuid)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_couple uuid;
  v_partners integer;
  v_submitted integer;
begin
  perform private.require_open_participation(p_round_id, v_uid);
  select r.couple_id into v_couple from public.rounds r where r.id = p_round_id for update;
  update public.round_participants set submitted_at = now() where round_id = p_round_id and user_id = v_uid;
  perform private.broadcast_progress(p_round_id, v_uid);
  select count(*) into v_partners from public.couple_members m where m.couple_id = v_couple and m.role = 'partner';
  select count(*) into v_submitted
    from public.round_participants p
    join public.couple_members m on m.couple_id = v_couple and m.user_id = p.user_id and m.role = 'partner'
   where p.round_id = p_round_id and p.submitted_at is not null;
  if v_partners = 2 and v_submitted = 2 then
    update public.rounds set revealed_at = now() where id = p_round_id;
    perform realtime.send(jsonb_build_object('roundId', p_round_id), 'revealed', 'couple:' || v_couple::text, true);
    return 'revealed';
  end if;
  return 'submitted';
end;
$$;

revoke execute on function private.broadcast_progress(uuid, uuid), private.start_round(text, integer),
  private.require_open_participation(uuid, uuid), private.save_answers(uuid, jsonb),
  private.save_reflection(uuid, text, text, boolean), private.submit_round(uuid) from public;
grant execute on function private.start_round(text, integer), private.save_answers(uuid, jsonb),
  private.save_reflection(uuid, text, text, boolean), private.submit_round(uuid) to authenticated;

-- The API: security invoker wrappers.
create or replace function public.start_round(instrument_version text, prompt_count integer)
returns uuid language sql security invoker set search_path = ''
as $$ select private.start_round(instrument_version, prompt_count); $$;

create or replace function public.save_answers(round_id uuid, answers jsonb)
returns integer language sql security invoker set search_path = ''
as $$ select private.save_answers(round_id, answers); $$;

create or replace function public.save_reflection(round_id uuid, prompt_id text, body text, shared boolean default false)
returns void language sql security invoker set search_path = ''
as $$ select private.save_reflection(round_id, prompt_id, body, shared); $$;

create or replace function public.submit_round(round_id uuid)
returns text language sql security invoker set search_path = ''
as $$ select private.submit_round(round_id); $$;

revoke execute on function public.start_round(text, integer), public.save_answers(uuid, jsonb),
  public.save_reflection(uuid, text, text, boolean), public.submit_round(uuid) from public, anon;
grant execute on function public.start_round(text, integer), public.save_answers(uuid, jsonb),
  public.save_reflection(uuid, text, text, boolean), public.submit_round(uuid) to authenticated;
