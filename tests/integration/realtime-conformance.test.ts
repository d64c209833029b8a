/**
 * Realtime as Supabase Realtime answers it, message by message, for what raw Phoenix clients
 * (serializers 1.0.0 and 2.0.0) and supabase-js send: replies that Supabase leaves out,
 * reply shapes, presence fan-out, postgres_changes subscription errors and filters, and the
 * HTTP broadcast endpoint's status codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import WebSocket from 'ws';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { closeClients, Inbox, realtimeClient, sleep, startRealtimeRuntime, subscribed, type Vsn } from '../support/realtime.ts';

let runtime: LocalSupabase;
let sql: postgres.Sql;
const clients: SupabaseClient[] = [];
const sockets: WebSocket[] = [];
let n = 0;
const topic = (prefix = 'conf') => `${prefix}-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
	runtime = await startRealtimeRuntime();
	sql = postgres(runtime.dbUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
	for (const ws of sockets) ws.close();
	await closeClients(...clients);
	await sql?.end({ timeout: 2 });
	await runtime?.stop();
});

type Message = { joinRef: string | null; ref: string | null; topic: string; event: string; payload: Record<string, unknown> };

/** A bare Phoenix client: frames in both serializers, normalised to one shape. */
async function phoenix(vsn: Vsn, key = runtime.anonKey) {
	const ws = new WebSocket(`${runtime.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${key}&vsn=${vsn}`);
	sockets.push(ws);
	const inbox = new Inbox<Message>();
	ws.on('message', (data, binary) => {
		if (binary) return;
		const parsed = JSON.parse(String(data));
		const [joinRef, ref, t, event, payload] = vsn === '2.0.0' ? parsed : [parsed.join_ref, parsed.ref, parsed.topic, parsed.event, parsed.payload];
		inbox.push({ joinRef, ref, topic: t, event, payload });
	});
	await new Promise((resolve, reject) => {
		ws.on('open', resolve);
		ws.on('error', reject);
	});
	let ref = 0;
	const send = (t: string, event: string, payload: unknown, joinRef: string | null = null) => {
		const r = String(++ref);
		ws.send(JSON.stringify(vsn === '2.0.0' ? [joinRef, r, t, event, payload] : { join_ref: joinRef, ref: r, topic: t, event, payload }));
		return r;
	};
	const reply = (r: string, timeoutMs = 3000) => inbox.waitFor((m) => m.event === 'phx_reply' && m.ref === r, timeoutMs);
	/** Joins `realtime:<name>` and returns the join ref and the reply. */
	const join = async (name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
		const r = send(`realtime:${name}`, 'phx_join', { config, ...extra }, String(ref + 1));
		return { joinRef: r, reply: await reply(r) };
	};
	return { ws, inbox, send, reply, join };
}

describe.each<Vsn>(['1.0.0', '2.0.0'])('replies over serializer %s', (vsn) => {
	it('gives unknown events and a channel’s stale join refs no reply; an unjoined topic gets "unmatched topic" without join_ref', async () => {
		const c = await phoenix(vsn);
		const name = topic();
		const { joinRef, reply } = await c.join(name, { broadcast: { ack: true } });
		expect(reply.payload).toEqual({ status: 'ok', response: { postgres_changes: [] } });
		const unknown = c.send(`realtime:${name}`, 'no_such_event', {}, joinRef);
		const stale = c.send(`realtime:${name}`, 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, 'old-join');
		const unmatched = c.send('realtime:never-joined', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, '42');
		expect(await c.reply(unmatched)).toMatchObject({ joinRef: null, payload: { status: 'error', response: { reason: 'unmatched topic' } } });
		const ping = c.send('phoenix', 'heartbeat', {});
		await c.reply(ping);
		await sleep(100);
		expect(c.inbox.items.filter((m) => m.ref === unknown || m.ref === stale)).toEqual([]);
	});

	it('answers an oversized broadcast with "payload_size_exceeded" only when ack is set, and drops it', async () => {
		const c = await phoenix(vsn);
		const listener = await phoenix(vsn);
		const acked = topic();
		const quiet = topic();
		const acking = await c.join(acked, { broadcast: { ack: true } });
		const silent = await c.join(quiet, { broadcast: { ack: false } });
		await listener.join(acked, {});
		const big = { type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(70_000) } };
		const r1 = c.send(`realtime:${acked}`, 'broadcast', big, acking.joinRef);
		expect((await c.reply(r1)).payload).toEqual({ status: 'error', response: 'payload_size_exceeded' });
		const r2 = c.send(`realtime:${quiet}`, 'broadcast', big, silent.joinRef);
		await c.reply(c.send('phoenix', 'heartbeat', {}));
		await sleep(100);
		expect(c.inbox.items.some((m) => m.ref === r2)).toBe(false);
		expect(listener.inbox.items.some((m) => m.event === 'broadcast')).toBe(false);
	});

	it('reads join flags as Supabase’s FlexibleBoolean ("TRUE" is true)', async () => {
		const c = await phoenix(vsn);
		const name = topic();
		const { joinRef } = await c.join(name, { broadcast: { self: 'TRUE', ack: 'True' } });
		const r = c.send(`realtime:${name}`, 'broadcast', { type: 'broadcast', event: 'echo', payload: { v: 1 } }, joinRef);
		expect((await c.reply(r)).payload).toEqual({ status: 'ok', response: {} });
		expect(await c.inbox.waitFor((m) => m.event === 'broadcast')).toMatchObject({ payload: { event: 'echo', payload: { v: 1 } } });
	});

	it('answers presence messages as Supabase does: unknown event → error with an empty response, no event → ok', async () => {
		const c = await phoenix(vsn);
		const name = topic();
		const { joinRef } = await c.join(name, { presence: { key: 'me', enabled: true } });
		const bogus = c.send(`realtime:${name}`, 'presence', { type: 'presence', event: 'bogus' }, joinRef);
		expect((await c.reply(bogus)).payload).toEqual({ status: 'error', response: {} });
		const none = c.send(`realtime:${name}`, 'presence', { type: 'presence' }, joinRef);
		expect((await c.reply(none)).payload).toEqual({ status: 'ok', response: {} });
		const notMap = c.send(`realtime:${name}`, 'presence', { type: 'presence', event: 'track', payload: [1] }, joinRef);
		expect((await c.reply(notMap)).payload).toEqual({ status: 'error', response: { reason: 'Presence track payload must be a map' } });
	});
});

describe('access_token messages', () => {
	it('an empty token closes the channel as malformed; an sb_ key and the same token are ignored', async () => {
		const c = await phoenix('1.0.0');
		const name = topic();
		const { joinRef } = await c.join(name, {}, { access_token: runtime.anonKey });
		c.send(`realtime:${name}`, 'access_token', { access_token: 'sb_publishable_whatever' }, joinRef);
		c.send(`realtime:${name}`, 'access_token', { access_token: runtime.anonKey }, joinRef);
		await sleep(150);
		expect(c.inbox.items.some((m) => m.event === 'system')).toBe(false);
		c.send(`realtime:${name}`, 'access_token', { access_token: '' }, joinRef);
		const system = await c.inbox.waitFor((m) => m.event === 'system');
		expect(system.payload).toEqual({ extension: 'system', status: 'error', message: 'The token provided is not a valid JWT', channel: name });
		expect(await c.inbox.waitFor((m) => m.event === 'phx_close')).toMatchObject({ joinRef, ref: joinRef, payload: {} });
	});
});

describe('presence fan-out', () => {
	it('reaches every subscriber of a public topic, presence enabled or not; presence_state only where enabled', async () => {
		const plain = await phoenix('1.0.0');
		const tracker = await phoenix('2.0.0');
		const name = topic();
		await plain.join(name, { presence: { key: '', enabled: false } });
		const { joinRef } = await tracker.join(name, { presence: { key: 'ana', enabled: true } });
		expect(await tracker.inbox.waitFor((m) => m.event === 'presence_state')).toMatchObject({ joinRef, ref: null, payload: {} });
		const r = tracker.send(`realtime:${name}`, 'presence', { type: 'presence', event: 'TRACK', payload: { name: 'Ana', t: 1.5 } }, joinRef);
		expect((await tracker.reply(r)).payload).toEqual({ status: 'ok', response: {} });
		const diff = await plain.inbox.waitFor((m) => m.event === 'presence_diff');
		expect(diff.payload).toEqual({ joins: { ana: { metas: [{ name: 'Ana', t: 1.5, phx_ref: expect.any(String) }] } }, leaves: {} });
		expect(plain.inbox.items.some((m) => m.event === 'presence_state')).toBe(false);
	});
});

describe('postgres_changes subscriptions', () => {
	it('reports a table outside the publication with Supabase’s message, and no subscription of that join is live', async () => {
		const c = await phoenix('1.0.0', runtime.serviceRoleKey);
		const name = topic();
		const { reply } = await c.join(name, {
			postgres_changes: [
				{ event: 'INSERT', schema: 'public', table: 'ticks' },
				{ event: 'INSERT', schema: 'public', table: 'private_log' }
			]
		});
		expect(reply.payload).toMatchObject({ status: 'ok', response: { postgres_changes: [{ table: 'ticks', id: expect.any(Number) }, { table: 'private_log' }] } });
		const system = await c.inbox.waitFor((m) => m.event === 'system');
		expect(system.payload).toEqual({
			extension: 'postgres_changes',
			status: 'error',
			channel: name,
			message:
				'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: INSERT, schema: public, table: private_log, filters: [], select: nil]'
		});
		await sql`insert into public.ticks (id, label) values (9001, 'not delivered')`;
		await sleep(300);
		expect(c.inbox.items.some((m) => m.event === 'postgres_changes')).toBe(false);
	});

	it('reports a bad filter column and an unknown filter operator as Supabase words them', async () => {
		const c = await phoenix('2.0.0', runtime.serviceRoleKey);
		await c.join(topic(), { postgres_changes: [{ event: '*', schema: 'public', table: 'ticks', filter: 'nope=eq.1' }] });
		expect((await c.inbox.waitFor((m) => m.event === 'system')).payload.message).toBe(
			'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: ticks, filters: [{"nope", "eq", "1", false}], select: nil]. Exception: ERROR P0001 (raise_exception) invalid column for filter nope'
		);
		const d = await phoenix('2.0.0', runtime.serviceRoleKey);
		await d.join(topic(), { postgres_changes: [{ event: '*', schema: 'public', table: 'ticks', filter: 'id=foo.1' }] });
		expect((await d.inbox.waitFor((m) => m.event === 'system')).payload).toMatchObject({
			status: 'error',
			message: 'Error parsing `filter` params: ["foo", "1"]'
		});
	});

	it('applies like, ilike, is, match, imatch and isdistinct filters', async () => {
		const c = realtimeClient(runtime, { token: runtime.serviceRoleKey });
		clients.push(c);
		const seen: Record<string, Inbox<Record<string, unknown>>> = {};
		const filters = {
			like: 'kind=like.img%',
			ilike: 'kind=ilike.IMG%',
			notLike: 'kind=not.like.img%',
			isNull: 'kind=is.null',
			match: 'kind=match.^i.g_',
			imatch: 'kind=imatch.^IMG',
			distinct: 'kind=isdistinct.img_a'
		};
		let channel = c.channel(topic());
		for (const [label, filter] of Object.entries(filters)) {
			seen[label] = new Inbox();
			channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'blobs', filter }, (p) => seen[label].push(p.new));
		}
		await subscribed(channel);
		await sql`insert into public.blobs (id, kind) values (1, 'img_a'), (2, 'IMG_B'), (3, null), (4, 'doc')`;
		await seen.distinct.waitFor((r) => r.id === 4);
		await sleep(150);
		const ids = (label: string) => seen[label].items.map((r) => r.id).sort();
		expect(ids('like')).toEqual([1]);
		expect(ids('ilike')).toEqual([1, 2]);
		expect(ids('notLike')).toEqual([2, 4]);
		expect(ids('isNull')).toEqual([3]);
		expect(ids('match')).toEqual([1]);
		expect(ids('imatch')).toEqual([1, 2]);
		expect(ids('distinct')).toEqual([2, 3, 4]);
	});

	it('sends bytea as hex digits and an error row (no timestamp, empty record) for a table without a primary key', async () => {
		const c = await phoenix('1.0.0', runtime.serviceRoleKey);
		await c.join(topic(), {
			postgres_changes: [
				{ event: 'INSERT', schema: 'public', table: 'pkless' },
				{ event: 'INSERT', schema: 'public', table: 'blobs', filter: 'id=eq.77' }
			]
		});
		await c.inbox.waitFor((m) => m.event === 'system');
		await sql`insert into public.pkless (label) values ('x')`;
		await sql`insert into public.blobs (id, data) values (77, '\\x0102030405'::bytea)`;
		const noPk = await c.inbox.waitFor((m) => m.event === 'postgres_changes' && (m.payload.data as { table: string }).table === 'pkless');
		expect((noPk.payload as { data: unknown }).data).toEqual({
			schema: 'public',
			table: 'pkless',
			type: 'INSERT',
			commit_timestamp: null,
			columns: [],
			record: {},
			errors: ['Error 400: Bad Request, no primary key']
		});
		const blob = await c.inbox.waitFor((m) => m.event === 'postgres_changes' && (m.payload.data as { table: string }).table === 'blobs');
		expect((blob.payload as { data: { record: unknown } }).data.record).toEqual({ id: 77, data: '0102030405', kind: null });
	});
});

describe('HTTP broadcast', () => {
	const endpoint = (t: string, e: string) => `${runtime.url}/realtime/v1/api/broadcast/${encodeURIComponent(t)}/events/${encodeURIComponent(e)}`;
	const headers = (extra: Record<string, string> = {}) => ({ apikey: runtime.anonKey, authorization: `Bearer ${runtime.anonKey}`, ...extra });

	it('answers 415 with Supabase’s body, 400 for broken JSON, and takes a body without Content-Type as JSON', async () => {
		const name = topic();
		const listener = realtimeClient(runtime);
		clients.push(listener);
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(listener.channel(name).on('broadcast', { event: 'plain' }, inbox.push));

		const wrongType = await fetch(endpoint(name, 'plain'), { method: 'POST', headers: headers({ 'content-type': 'text/plain' }), body: 'hi' });
		expect(wrongType.status).toBe(415);
		expect(await wrongType.json()).toEqual({ error: 'Unsupported Media Type. Use application/json or application/octet-stream' });

		const broken = await fetch(endpoint(name, 'plain'), { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: '{nope' });
		expect(broken.status).toBe(400);

		const untyped = await fetch(endpoint(name, 'plain'), { method: 'POST', headers: headers(), body: new Uint8Array(Buffer.from('{"a":1}')) });
		expect(untyped.status).toBe(202);
		expect(await inbox.waitFor()).toMatchObject({ event: 'plain', payload: { a: 1 } });
	});

	it('the batch endpoint calls a non-list `messages` invalid and an empty one blank', async () => {
		const post = (body: unknown) =>
			fetch(`${runtime.url}/realtime/v1/api/broadcast`, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
		const notList = await post({ messages: { topic: 't' } });
		expect(notList.status).toBe(422);
		expect(await notList.json()).toEqual({ errors: { messages: ['is invalid'] } });
		const empty = await post({ messages: [] });
		expect(await empty.json()).toEqual({ errors: { messages: ["can't be blank"] } });
	});
});
