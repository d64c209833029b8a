-- The couple's write API: create a space, issue / revoke / preview / accept / decline a
-- partner invite, leave. Each privileged function lives in `private`, checks the caller
-- itself and raises a short, stable message (e.g. `invite_expired`) the app translates.
-- The public functions are thin security-invoker wrappers: the API can call them.

-- The caller, or an error for anonymous requests.
create or replace function private.require_uid()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  if v_uid is null then
    raise exception 'not_authenticated' using errcode = '42501';
  end if;
  return v_uid;
end;
$$;
revoke execute on function private.require_uid() from public;
grant execute on function private.require_uid() to authenticated;

create or replace function private.create_couple()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_couple_id uuid;
begin
  if exists (select 1 from public.couple_members where user_id = v_uid and role = 'partner') then
    raise exception 'already_in_couple';
  end if;
  insert into public.couples (created_by) values (v_uid) returning id into v_couple_id;
  insert into public.couple_members (couple_id, user_id, role) values (v_couple_id, v_uid, 'partner');
  return v_couple_id;
end;
$$;

-- Issues a new invite link for the caller's couple; any open link of the couple is
-- revoked first, so re-issuing is the same call. Returns the token once.
create or replace function private.issue_couple_invite(p_couple_id uuid)
returns table (token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_token text;
  v_expires timestamptz;
begin
  if not exists (select 1 from public.couple_members m where m.couple_id = p_couple_id and m.user_id = v_uid) then
    raise exception 'not_a_member' using errcode = '42501';
  end if;
  perform 1 from public.couples c where c.id = p_couple_id for update;
  if (select count(*) from public.couple_members m where m.couple_id = p_couple_id and m.role = 'partner') >= 2 then
    raise exception 'couple_full';
  end if;
  update public.couple_invites i set revoked_at = now()
   where i.couple_id = p_couple_id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  -- 32 random bytes (256 bits), URL-safe base64 without padding.
  v_token := translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/=', '-_');
  insert into public.couple_invites (couple_id, invited_by, token_hash)
  values (p_couple_id, v_uid, extensions.digest(v_token, 'sha256'))
  returning couple_invites.expires_at into v_expires;
  return query select v_token, v_expires;
end;
$$;

create or replace function private.revoke_couple_invites(p_couple_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  if not exists (select 1 from public.couple_members m where m.couple_id = p_couple_id and m.user_id = v_uid) then
    raise exception 'not_a_member' using errcode = '42501';
  end if;
  update public.couple_invites i set revoked_at = now()
   where i.couple_id = p_couple_id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
end;
$$;

-- Why an invite cannot be used right now, or null when it can.
create or replace function private.invite_problem(p_invite public.couple_invites)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when p_invite.id is null then 'invite_invalid'
    when p_invite.revoked_at is not null then 'invite_revoked'
    when p_invite.accepted_at is not null then 'invite_used'
    when p_invite.declined_at is not null then 'invite_declined'
    when p_invite.expires_at <= now() then 'invite_expired'
    when (select count(*) from public.couple_members m where m.couple_id = p_invite.couple_id and m.role = 'partner') >= 2 then 'couple_full'
    else null
  end;
$$;

-- What the person holding a link may see before deciding: who invites them, until when,
-- and whether the link still works. Callable without an account, so the invitee sees
-- who invites them before signing up.
create or replace function private.couple_invite_preview(p_token text)
returns table (status text, inviter_name text, expires_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_invite public.couple_invites;
  v_uid uuid := (select auth.uid());
  v_problem text;
begin
  select * into v_invite from public.couple_invites i where i.token_hash = extensions.digest(coalesce(p_token, ''), 'sha256');
  v_problem := private.invite_problem(v_invite);
  if v_problem is null and v_uid is not null then
    if exists (select 1 from public.couple_members m where m.couple_id = v_invite.couple_id and m.user_id = v_uid) then
      v_problem := 'invite_own';
    elsif exists (select 1 from public.couple_members m where m.user_id = v_uid and m.role = 'partner') then
      v_problem := 'already_in_couple';
    end if;
  end if;
  return query
    select coalesce(v_problem, 'valid'),
           case when v_problem is null or v_problem in ('invite_own', 'already_in_couple')
                then (select p.display_name from public.profiles p where p.id = v_invite.invited_by) end,
           case when v_problem is null then v_invite.expires_at end;
end;
$$;

create or replace function private.accept_couple_invite(p_token text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_invite public.couple_invites;
  v_problem text;
  v_name text;
begin
  select * into v_invite from public.couple_invites i
   where i.token_hash = extensions.digest(coalesce(p_token, ''), 'sha256')
   for update;
  if v_invite.id is not null then
    -- Serialises joins into the same couple, so two people cannot both become the second partner.
    perform 1 from public.couples c where c.id = v_invite.couple_id for update;
  end if;
  v_problem := private.invite_problem(v_invite);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if exists (select 1 from public.couple_members m where m.couple_id = v_invite.couple_id and m.user_id = v_uid) then
    raise exception 'invite_own';
  end if;
  if exists (select 1 from public.couple_members m where m.user_id = v_uid and m.role = 'partner') then
    raise exception 'already_in_couple';
  end if;
  insert into public.couple_members (couple_id, user_id, role) values (v_invite.couple_id, v_uid, 'partner');
  update public.couple_invites i set accepted_at = now(), accepted_by = v_uid where i.id = v_invite.id;
  select p.display_name into v_name from public.profiles p where p.id = v_uid;
  insert into public.notices (user_id, kind, actor_name)
  select m.user_id, 'partner_joined', coalesce(v_name, '')
    from public.couple_members m where m.couple_id = v_invite.couple_id and m.user_id <> v_uid;
  return v_invite.couple_id;
end;
$$;

create or replace function private.decline_couple_invite(p_token text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_invite public.couple_invites;
  v_problem text;
  v_name text;
begin
  select * into v_invite from public.couple_invites i
   where i.token_hash = extensions.digest(coalesce(p_token, ''), 'sha256')
   for update;
  v_problem := private.invite_problem(v_invite);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if exists (select 1 from public.couple_members m where m.couple_id = v_invite.couple_id and m.user_id = v_uid) then
    raise exception 'invite_own';
  end if;
  update public.couple_invites i set declined_at = now() where i.id = v_invite.id;
  select p.display_name into v_name from public.profiles p where p.id = v_uid;
  insert into public.notices (user_id, kind, actor_name) values (v_invite.invited_by, 'invite_declined', coalesce(v_name, ''));
end;
$$;

-- Takes a person out of their couple: their membership goes at once (and with it every
-- access that membership gave), open invites are revoked, the other partner gets a
-- notice, and a couple nobody is left in is removed.
create or replace function private.remove_from_couple(p_user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_couple_id uuid;
  v_name text;
begin
  select m.couple_id into v_couple_id from public.couple_members m where m.user_id = p_user_id and m.role = 'partner';
  if v_couple_id is null then
    return;
  end if;
  perform 1 from public.couples c where c.id = v_couple_id for update;
  select p.display_name into v_name from public.profiles p where p.id = p_user_id;
  delete from public.couple_members m where m.couple_id = v_couple_id and m.user_id = p_user_id;
  update public.couple_invites i set revoked_at = now()
   where i.couple_id = v_couple_id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  insert into public.notices (user_id, kind, actor_name)
  select m.user_id, 'partner_left', coalesce(v_name, '') from public.couple_members m where m.couple_id = v_couple_id;
  delete from public.couples c
   where c.id = v_couple_id and not exists (select 1 from public.couple_members m where m.couple_id = v_couple_id);
end;
$$;

create or replace function private.leave_couple()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  if not exists (select 1 from public.couple_members m where m.user_id = v_uid and m.role = 'partner') then
    raise exception 'not_in_couple';
  end if;
  perform private.remove_from_couple(v_uid);
end;
$$;

revoke execute on all functions in schema private from public;
grant execute on function private.require_uid() to authenticated;
grant execute on function private.is_couple_member(uuid) to authenticated;
grant execute on function private.is_partner_of(uuid) to authenticated;
grant execute on function private.create_couple() to authenticated;
grant execute on function private.issue_couple_invite(uuid) to authenticated;
grant execute on function private.revoke_couple_invites(uuid) to authenticated;
grant execute on function private.couple_invite_preview(text) to anon, authenticated;
grant execute on function private.accept_couple_invite(text) to authenticated;
grant execute on function private.decline_couple_invite(text) to authenticated;
grant execute on function private.leave_couple() to authenticated;

-- The API: security invoker wrappers.
create or replace function public.create_couple()
returns uuid language sql security invoker set search_path = ''
as $$ select private.create_couple(); $$;

create or replace function public.issue_couple_invite(couple_id uuid)
returns table (token text, expires_at timestamptz) language sql security invoker set search_path = ''
as $$ select * from private.issue_couple_invite(couple_id); $$;

create or replace function public.revoke_couple_invites(couple_id uuid)
returns void language sql security invoker set search_path = ''
as $$ select private.revoke_couple_invites(couple_id); $$;

create or replace function public.couple_invite_preview(token text)
returns table (status text, inviter_name text, expires_at timestamptz) language sql stable security invoker set search_path = ''
as $$ select * from private.couple_invite_preview(token); $$;

create or replace function public.accept_couple_invite(token text)
returns uuid language sql security invoker set search_path = ''
as $$ select private.accept_couple_invite(token); $$;

create or replace function public.decline_couple_invite(token text)
returns void language sql security invoker set search_path = ''
as $$ select private.decline_couple_invite(token); $$;

create or replace function public.leave_couple()
returns void language sql security invoker set search_path = ''
as $$ select private.leave_couple(); $$;

revoke execute on function public.create_couple(), public.issue_couple_invite(uuid), public.revoke_couple_invites(uuid),
  public.couple_invite_preview(text), public.accept_couple_invite(text), public.decline_couple_invite(text),
  public.leave_couple() from public, anon;
grant execute on function public.create_couple(), public.issue_couple_invite(uuid), public.revoke_couple_invites(uuid),
  public.couple_invite_preview(text), public.accept_couple_invite(text), public.decline_couple_invite(text),
  public.leave_couple() to authenticated;
grant execute on function public.couple_invite_preview(text) to anon;
