-- The account's own API: export everything the person owns as JSON, and delete the
-- account with everything it owns (a partner is told, as when leaving).

create or replace function private.export_my_data()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  return jsonb_build_object(
    'exported_at', now(),
    'account', (select jsonb_build_object('id', u.id, 'email', u.email, 'created_at', u.created_at)
                  from auth.users u where u.id = v_uid),
    'profile', (select jsonb_build_object('display_name', p.display_name, 'language', p.language,
                                          'created_at', p.created_at, 'updated_at', p.updated_at)
                  from public.profiles p where p.id = v_uid),
    'couple_memberships', coalesce((select jsonb_agg(jsonb_build_object('couple_id', m.couple_id, 'role', m.role, 'joined_at', m.joined_at) order by m.joined_at)
                  from public.couple_members m where m.user_id = v_uid), '[]'::jsonb),
    'invites_sent', coalesce((select jsonb_agg(jsonb_build_object('id', i.id, 'couple_id', i.couple_id, 'created_at', i.created_at,
                  'expires_at', i.expires_at, 'accepted_at', i.accepted_at, 'declined_at', i.declined_at, 'revoked_at', i.revoked_at) order by i.created_at)
                  from public.couple_invites i where i.invited_by = v_uid), '[]'::jsonb),
    'notices', coalesce((select jsonb_agg(jsonb_build_object('kind', n.kind, 'actor_name', n.actor_name, 'created_at', n.created_at) order by n.created_at)
                  from public.notices n where n.user_id = v_uid), '[]'::jsonb)
  );
end;
$$;

create or replace function private.delete_my_account()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  perform private.remove_from_couple(v_uid);
  -- Profile, memberships, invites, notices and sessions go with the user row (cascades).
  delete from auth.users u where u.id = v_uid;
end;
$$;

revoke execute on function private.export_my_data(), private.delete_my_account() from public;
grant execute on function private.export_my_data(), private.delete_my_account() to authenticated;

create or replace function public.export_my_data()
returns jsonb language sql stable security invoker set search_path = ''
as $$ select private.export_my_data(); $$;

create or replace function public.delete_my_account()
returns void language sql security invoker set search_path = ''
as $$ select private.delete_my_account(); $$;

revoke execute on function public.export_my_data(), public.delete_my_account() from public, anon;
grant execute on function public.export_my_data(), public.delete_my_account() to authenticated;
