import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { closeClients, Inbox, realtimeClient, sleep, startRealtimeRuntime, subscribed, subscribeOutcome, type Vsn } from '../support/realtime.ts';

let runtime: LocalSupabase;
const clients: SupabaseClient[] = [];
const make = (options: Parameters<typeof realtimeClient>[1] = {}) => {
	const c = realtimeClient(runtime, options);
	clients.push(c);
	return c;
};
let n = 0;
const topic = (prefix = 'room') => `${prefix}-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
	runtime = await startRealtimeRuntime();
});
afterAll(async () => {
	await closeClients(...clients);
	await runtime?.stop();
});

describe.each<[Vsn, Vsn]>([
	['1.0.0', '1.0.0'],
	['2.0.0', '2.0.0'],
	['1.0.0', '2.0.0'],
	['2.0.0', '1.0.0']
])('broadcast from a %s client to a %s client', (senderVsn, receiverVsn) => {
	it('delivers to the other client, not back to the sender unless self is set', async () => {
		const name = topic();
		const sender = make({ vsn: senderVsn });
		const receiver = make({ vsn: receiverVsn });
		const received = new Inbox<Record<string, unknown>>();
		const echoed = new Inbox<Record<string, unknown>>();
		await subscribed(receiver.channel(name).on('broadcast', { event: 'move' }, received.push));
		const out = await subscribed(sender.channel(name).on('broadcast', { event: 'move' }, echoed.push));

		expect(await out.send({ type: 'broadcast', event: 'move', payload: { x: 1, label: 'één 🎲' } })).toBe('ok');
		const message = await received.waitFor();
		expect(message).toMatchObject({ type: 'broadcast', event: 'move', payload: { x: 1, label: 'één 🎲' } });
		await sleep(150);
		expect(echoed.items).toEqual([]);
	});

	it('honours self and ack, and filters on the event name', async () => {
		const name = topic();
		const sender = make({ vsn: senderVsn });
		const receiver = make({ vsn: receiverVsn });
		const mine = new Inbox<Record<string, unknown>>();
		const other = new Inbox<Record<string, unknown>>();
		const all = new Inbox<Record<string, unknown>>();
		await subscribed(receiver.channel(name).on('broadcast', { event: 'other' }, other.push).on('broadcast', { event: '*' }, all.push));
		const out = await subscribed(
			sender.channel(name, { config: { broadcast: { self: true, ack: true } } }).on('broadcast', { event: 'ping' }, mine.push)
		);

		expect(await out.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
		expect(await mine.waitFor()).toMatchObject({ event: 'ping', payload: { n: 1 } });
		expect(await all.waitFor()).toMatchObject({ event: 'ping', payload: { n: 1 } });
		expect(other.items).toEqual([]);
	});
});

describe('binary broadcast (serializer 2.0.0)', () => {
	it('carries bytes between 2.0.0 clients and leaves 1.0.0 clients out', async () => {
		const name = topic();
		const sender = make({ vsn: '2.0.0' });
		const receiver = make({ vsn: '2.0.0' });
		const oldClient = make({ vsn: '1.0.0' });
		const received = new Inbox<{ payload: ArrayBuffer }>();
		const oldReceived = new Inbox<unknown>();
		await subscribed(receiver.channel(name).on('broadcast', { event: 'bytes' }, received.push as (p: unknown) => void));
		await subscribed(oldClient.channel(name).on('broadcast', { event: 'bytes' }, oldReceived.push));
		const out = await subscribed(sender.channel(name, { config: { broadcast: { ack: true } } }));

		const bytes = new Uint8Array([0, 1, 2, 250, 251, 255]);
		expect(await out.send({ type: 'broadcast', event: 'bytes', payload: bytes.buffer })).toBe('ok');
		const message = await received.waitFor();
		expect(Array.from(new Uint8Array(message.payload))).toEqual([0, 1, 2, 250, 251, 255]);
		await sleep(150);
		expect(oldReceived.items).toEqual([]);
	});
});

describe('broadcast over HTTP', () => {
	it('httpSend delivers JSON and binary payloads and answers 202', async () => {
		const name = topic();
		const receiver = make({ vsn: '2.0.0' });
		const sender = make();
		const received = new Inbox<{ event: string; payload: unknown }>();
		await subscribed(receiver.channel(name).on('broadcast', { event: '*' }, received.push as (p: unknown) => void));

		const channel = sender.channel(name);
		await expect(channel.httpSend('hello', { text: 'over http' })).resolves.toEqual({ success: true });
		expect(await received.waitFor((m) => m.event === 'hello')).toMatchObject({ payload: { text: 'over http' } });

		await expect(channel.httpSend('blob', new Uint8Array([9, 8, 7]))).resolves.toEqual({ success: true });
		const blob = await received.waitFor((m) => m.event === 'blob');
		expect(Array.from(new Uint8Array(blob.payload as ArrayBuffer))).toEqual([9, 8, 7]);
		await sender.removeChannel(channel);
	});

	it('send() on a channel that is not joined falls back to the batch endpoint', async () => {
		const name = topic();
		const receiver = make({ vsn: '1.0.0' });
		const sender = make();
		const received = new Inbox<{ event: string; payload: unknown }>();
		await subscribed(receiver.channel(name).on('broadcast', { event: 'fallback' }, received.push as (p: unknown) => void));

		const warn = console.warn;
		console.warn = () => {};
		try {
			const channel = sender.channel(name);
			expect(await channel.send({ type: 'broadcast', event: 'fallback', payload: { via: 'rest' } })).toBe('ok');
			await sender.removeChannel(channel);
		} finally {
			console.warn = warn;
		}
		expect(await received.waitFor()).toMatchObject({ event: 'fallback', payload: { via: 'rest' } });
	});

	it('refuses requests without a valid token and malformed batches', async () => {
		const bad = await fetch(`${runtime.url}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: { apikey: runtime.anonKey, authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' },
			body: JSON.stringify({ messages: [{ topic: 'x', event: 'e', payload: {} }] })
		});
		expect(bad.status).toBe(401);
		const malformed = await fetch(`${runtime.url}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: { apikey: runtime.anonKey, 'content-type': 'application/json' },
			body: JSON.stringify({ messages: [{ topic: 'x' }] })
		});
		expect(malformed.status).toBe(422);
		expect(await malformed.json()).toEqual({ errors: { messages: [{ event: ["can't be blank"], payload: ["can't be blank"] }] } });
	});
});

describe('API keys', () => {
	it('works with the opaque publishable key the CLI prints, as with the legacy anon key', async () => {
		const name = topic();
		const opaque = createClient(runtime.url, runtime.publishableKey, {
			auth: { persistSession: false, autoRefreshToken: false },
			realtime: { logger: () => {} }
		});
		clients.push(opaque);
		const receiver = make();
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(receiver.channel(name).on('broadcast', { event: 'hi' }, inbox.push));
		const out = await subscribed(opaque.channel(name, { config: { broadcast: { ack: true } } }));
		expect(await out.send({ type: 'broadcast', event: 'hi', payload: { via: 'sb_publishable' } })).toBe('ok');
		expect(await inbox.waitFor()).toMatchObject({ payload: { via: 'sb_publishable' } });
	});
});

describe('socket handshake', () => {
	it('refuses a WebSocket without a valid API key', async () => {
		const wrong = createClient(runtime.url, 'wrong-key', {
			auth: { persistSession: false, autoRefreshToken: false },
			realtime: { logger: () => {} }
		});
		clients.push(wrong);
		const outcome = await subscribeOutcome(wrong.channel(topic()), 3000);
		expect(outcome.status).not.toBe('SUBSCRIBED');
		// supabase-js shows no status; the handshake itself is answered 401 like the gateway does.
		const status = await new Promise<number>((resolve) => {
			const ws = new WebSocket(`${runtime.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=wrong&vsn=2.0.0`);
			ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			ws.on('open', () => resolve(101));
			ws.on('error', () => {});
		});
		expect(status).toBe(401);
	});
});
