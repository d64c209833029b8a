-- Who may join the couple's private Realtime topics (`couple:<id>` for progress, reveal
-- and presence; `couple:<id>:doc` for the shared document): the couple's members, as
-- Supabase authorises private channels, through policies on realtime.messages.
create or replace function private.can_use_couple_topic(p_topic text)
returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_match text[];
begin
  v_match := regexp_match(coalesce(p_topic, ''), '^couple:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(:doc)?$');
  if v_match is null then
    return false;
  end if;
  return private.is_couple_member(v_match[1]::uuid);
end;
$$;
revoke execute on function private.can_use_couple_topic(text) from public;
grant execute on function private.can_use_couple_topic(text) to authenticated;

create policy "Couple members can receive on their couple's topics"
  on realtime.messages for select to authenticated
  using (private.can_use_couple_topic((select realtime.topic())));

create policy "Couple members can send on their couple's topics"
  on realtime.messages for insert to authenticated
  with check (private.can_use_couple_topic((select realtime.topic())));
