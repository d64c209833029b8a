import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { closeClients, eventually, Inbox, realtimeClient, sleep, startRealtimeRuntime, subscribed } from '../support/realtime.ts';

// The fixture allows 60 events per second per socket and 65,536-byte payloads; the
// heartbeat timeout is shortened here so a silent socket is noticed quickly.
const HEARTBEAT_TIMEOUT_MS = 1500;

let runtime: LocalSupabase;
const clients: SupabaseClient[] = [];
const make = (options: Parameters<typeof realtimeClient>[1] = {}) => {
	const c = realtimeClient(runtime, { heartbeatIntervalMs: 400, ...options });
	clients.push(c);
	return c;
};
let n = 0;
const topic = () => `limits-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
	process.env.SUPABASE_REALTIME_HEARTBEAT_TIMEOUT_MS = String(HEARTBEAT_TIMEOUT_MS);
	runtime = await startRealtimeRuntime();
	delete process.env.SUPABASE_REALTIME_HEARTBEAT_TIMEOUT_MS;
});
afterAll(async () => {
	await closeClients(...clients);
	await runtime?.stop();
});

/** A raw protocol socket, for frames supabase-js would never send. */
function rawSocket(vsn = '1.0.0'): Promise<{ ws: WebSocket; next: (match: (m: unknown) => boolean) => Promise<unknown> }> {
	const ws = new WebSocket(`${runtime.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${runtime.anonKey}&vsn=${vsn}`);
	const inbox = new Inbox<unknown>();
	ws.on('message', (data, binary) => inbox.push(binary ? data : JSON.parse(String(data))));
	return new Promise((resolve, reject) => {
		ws.on('open', () => resolve({ ws, next: (match) => inbox.waitFor(match, 3000) }));
		ws.on('error', reject);
	});
}

describe('a flood from one socket', () => {
	it('closes that socket’s channel with a reason; other sockets keep working', async () => {
		const name = topic();
		const flooder = make();
		const bystander = make();
		const sender = make();
		const system = new Inbox<Record<string, unknown>>();
		const statuses = new Inbox<string>();
		const received = new Inbox<Record<string, unknown>>();
		const flood = flooder.channel(name).on('system', {}, system.push);
		flood.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');
		await subscribed(bystander.channel(name).on('broadcast', { event: 'calm' }, received.push));
		const calm = await subscribed(sender.channel(name));

		for (let i = 0; i < 200; i++) void flood.send({ type: 'broadcast', event: 'spam', payload: { i } });
		const message = await system.waitFor((m) => m.status === 'error');
		expect(message).toMatchObject({ extension: 'system', message: 'Too many messages per second' });
		await statuses.waitFor((s) => s === 'CLOSED');

		await calm.send({ type: 'broadcast', event: 'calm', payload: { ok: true } });
		expect(await received.waitFor()).toMatchObject({ payload: { ok: true } });
	});
});

describe('oversized messages', () => {
	it('are dropped with an error reply to an ack\'ing sender, and the socket goes on', async () => {
		const name = topic();
		const a = make();
		const b = make({ vsn: '1.0.0' });
		const received = new Inbox<Record<string, unknown>>();
		await subscribed(b.channel(name).on('broadcast', { event: '*' }, received.push));
		const out = await subscribed(a.channel(name, { config: { broadcast: { ack: true } } }));
		expect(await out.send({ type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(70_000) } })).toBe('error');
		expect(await out.send({ type: 'broadcast', event: 'small', payload: { ok: 1 } })).toBe('ok');
		expect(await received.waitFor()).toMatchObject({ event: 'small' });
		expect(received.items).toHaveLength(1);
	});

	it('a frame far beyond the limit closes only that socket, and realtime-js reconnects', async () => {
		const name = topic();
		const a = make();
		const b = make();
		const received = new Inbox<Record<string, unknown>>();
		await subscribed(b.channel(name).on('broadcast', { event: '*' }, received.push));
		const statuses = new Inbox<string>();
		const out = a.channel(name);
		out.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');
		void out.send({ type: 'broadcast', event: 'huge', payload: { blob: 'y'.repeat(300_000) } });
		await statuses.waitFor((s) => s === 'CHANNEL_ERROR');
		// realtime-js reconnects and rejoins by itself.
		await eventually(() => statuses.items.filter((s) => s === 'SUBSCRIBED').length >= 2, 8000, 'rejoined');
		await out.send({ type: 'broadcast', event: 'after', payload: {} });
		expect(await received.waitFor((m) => m.event === 'after')).toBeTruthy();
		expect(received.items.some((m) => m.event === 'huge')).toBe(false);
	});
});

describe('bad input', () => {
	it('leaves unknown events unanswered, as Supabase does, and the channel goes on', async () => {
		const c = make();
		const channel = await subscribed(c.channel(topic(), { config: { broadcast: { self: true, ack: true } } }));
		expect(await channel.send({ type: 'postgres_changes', event: 'whatever', payload: {} }, { timeout: 400 })).toBe('timed out');
		expect(await channel.send({ type: 'broadcast', event: 'still', payload: {} })).toBe('ok');
	});

	it('survives garbage frames: malformed JSON, wrong shapes, junk bytes, unmatched topics', async () => {
		const { ws, next } = await rawSocket('1.0.0');
		ws.send('this is not json');
		ws.send('[1,2,3]');
		ws.send(Buffer.from([0xff, 0x00, 0x13]));
		ws.send(JSON.stringify({ topic: 'realtime:x', event: 42, ref: '7', payload: {} }));
		expect(await next((m) => (m as { ref?: string }).ref === '7')).toMatchObject({
			event: 'phx_reply',
			payload: { status: 'error', response: { reason: expect.stringContaining('MalformedWebSocketMessage') } }
		});
		ws.send(JSON.stringify({ topic: 'realtime:never-joined', event: 'broadcast', ref: '8', payload: {} }));
		expect(await next((m) => (m as { ref?: string }).ref === '8')).toMatchObject({
			payload: { status: 'error', response: { reason: 'unmatched topic' } }
		});
		ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', ref: '9', payload: {} }));
		expect(await next((m) => (m as { ref?: string }).ref === '9')).toMatchObject({ payload: { status: 'ok' } });
		expect(ws.readyState).toBe(WebSocket.OPEN);
		ws.close();

		const v2 = await rawSocket('2.0.0');
		v2.ws.send(Buffer.from([3, 200, 200, 200, 200, 200, 1, 1, 2]));
		v2.ws.send('{"not":"an array"}');
		v2.ws.send(JSON.stringify([null, '5', 'phoenix', 'heartbeat', {}]));
		expect(await v2.next((m) => Array.isArray(m) && m[1] === '5')).toEqual([null, '5', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
		v2.ws.close();
	});

	it('refuses an unsupported protocol version at the handshake', async () => {
		const status = await new Promise<number>((resolve) => {
			const ws = new WebSocket(`${runtime.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${runtime.anonKey}&vsn=9.9.9`);
			ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			ws.on('open', () => resolve(101));
			ws.on('error', () => {});
		});
		expect(status).toBe(403);
	});
});

describe('heartbeats', () => {
	it('closes a socket that stops sending heartbeats; a heartbeating one stays', async () => {
		const name = topic();
		const silent = make({ heartbeatIntervalMs: 600_000 });
		const alive = make({ heartbeatIntervalMs: 300 });
		const silentStatuses = new Inbox<string>();
		const aliveStatuses = new Inbox<string>();
		silent.channel(name).subscribe((s) => silentStatuses.push(s));
		alive.channel(name).subscribe((s) => aliveStatuses.push(s));
		await silentStatuses.waitFor((s) => s === 'SUBSCRIBED');
		await aliveStatuses.waitFor((s) => s === 'SUBSCRIBED');
		await silentStatuses.waitFor((s) => s === 'CHANNEL_ERROR', HEARTBEAT_TIMEOUT_MS * 4);
		await sleep(HEARTBEAT_TIMEOUT_MS);
		expect(aliveStatuses.items).toEqual(['SUBSCRIBED']);
		await silent.realtime.disconnect();
	});
});
