-- The realtime schema: realtime.messages (whose RLS policies authorise private
-- channels), realtime.topic(), realtime.send() and realtime.broadcast_changes().
-- How messages reach sockets lives in ../realtime/.
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role, supabase_realtime_admin;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
);
create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic);
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;

-- The topic of the channel being authorised, set by Realtime while it evaluates policies.
create or replace function realtime.topic() returns text
language sql stable
as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
grant execute on function realtime.topic() to postgres, anon, authenticated, service_role;

-- Broadcast payloads sent as bytes by realtime.send_binary().
alter table realtime.messages add column if not exists binary_payload bytea;

-- Broadcast from the database, with Supabase's signatures and payloads. The row is written
-- to realtime.messages as the caller (so its RLS insert policies apply, as on Supabase) and
-- announced with pg_notify, which PostgreSQL delivers only after the transaction commits:
-- a rolled-back send is never seen. A notification carries the message itself when it
-- fits in NOTIFY's 8000 bytes, otherwise only its id and Realtime reads the row.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
  note text;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
    note := jsonb_build_object('id', generated_id, 'topic', topic, 'event', event, 'private', private, 'payload', final_payload)::text;
    if octet_length(note) > 7900 then
      note := jsonb_build_object('id', generated_id, 'topic', topic, 'event', event, 'private', private, 'fetch', true)::text;
    end if;
    perform pg_notify('supabase_realtime_broadcast', note);
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  note text;
begin
  begin
    generated_id := gen_random_uuid();
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (generated_id, payload, event, topic, private, 'broadcast');
    note := jsonb_build_object('id', generated_id, 'topic', topic, 'event', event, 'private', private, 'binary', encode(payload, 'base64'))::text;
    if octet_length(note) > 7900 then
      note := jsonb_build_object('id', generated_id, 'topic', topic, 'event', event, 'private', private, 'fetch', true)::text;
    end if;
    perform pg_notify('supabase_realtime_broadcast', note);
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- For row triggers: broadcasts {old_record, record, operation, table, schema} on topic_name.
create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
)
returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, anon, authenticated, service_role;
grant execute on function realtime.send_binary(bytea, text, text, boolean) to postgres, anon, authenticated, service_role;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) to postgres, anon, authenticated, service_role;
