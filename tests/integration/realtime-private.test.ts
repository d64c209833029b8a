import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import {
	closeClients,
	Inbox,
	realtimeClient,
	signUser,
	sleep,
	startRealtimeRuntime,
	subscribed,
	subscribeOutcome,
	type TestUser,
	type Vsn
} from '../support/realtime.ts';

let runtime: LocalSupabase;
let sql: postgres.Sql;
let alice: TestUser; // member of the room, may write
let bob: TestUser; // member of the room, may write
let reader: TestUser; // member of the room, read only
let mallory: TestUser; // not a member
const clients: SupabaseClient[] = [];
const make = (options: Parameters<typeof realtimeClient>[1] = {}) => {
	const c = realtimeClient(runtime, options);
	clients.push(c);
	return c;
};
let n = 0;
const newRoom = async () => {
	const id = `r${Date.now().toString(36)}${++n}`;
	await sql`insert into public.rooms (id) values (${id})`;
	await sql`insert into public.room_members (room_id, user_id, can_write) values
		(${id}, ${alice.id}, true), (${id}, ${bob.id}, true), (${id}, ${reader.id}, false)`;
	return id;
};
const privateChannel = (client: SupabaseClient, room: string, config: Record<string, unknown> = {}) =>
	client.channel(`room:${room}`, { config: { private: true, ...config } });

beforeAll(async () => {
	runtime = await startRealtimeRuntime();
	sql = postgres(runtime.dbUrl, { max: 2, onnotice: () => {} });
	[alice, bob, reader, mallory] = await Promise.all([signUser(runtime), signUser(runtime), signUser(runtime), signUser(runtime)]);
});
afterAll(async () => {
	await closeClients(...clients);
	await sql?.end();
	await runtime?.stop();
});

describe.each<Vsn>(['1.0.0', '2.0.0'])('private channels authorised by RLS on realtime.messages (%s)', (vsn) => {
	it('lets members in and exchange messages', async () => {
		const room = await newRoom();
		const a = make({ token: alice.token, vsn });
		const b = make({ token: bob.token, vsn });
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(b, room).on('broadcast', { event: 'note' }, inbox.push));
		const out = await subscribed(privateChannel(a, room, { broadcast: { ack: true } }));
		expect(await out.send({ type: 'broadcast', event: 'note', payload: { from: 'alice' } })).toBe('ok');
		expect(await inbox.waitFor()).toMatchObject({ event: 'note', payload: { from: 'alice' } });
	});

	it('refuses a non-member and an anonymous client with the reason Supabase gives', async () => {
		const room = await newRoom();
		const m = make({ token: mallory.token, vsn });
		const outcome = await subscribeOutcome(privateChannel(m, room));
		expect(outcome.status).toBe('CHANNEL_ERROR');
		expect(outcome.error?.message).toContain(`Unauthorized: You do not have permissions to read from this Channel topic: room:${room}`);

		const anon = make({ vsn });
		const anonOutcome = await subscribeOutcome(privateChannel(anon, room));
		expect(anonOutcome.status).toBe('CHANNEL_ERROR');
		expect(anonOutcome.error?.message).toContain('Unauthorized');
	});

	it('keeps a read-only member from sending, and other members never see the attempt', async () => {
		const room = await newRoom();
		const r = make({ token: reader.token, vsn });
		const a = make({ token: alice.token, vsn });
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(a, room).on('broadcast', { event: '*' }, inbox.push));
		const out = await subscribed(privateChannel(r, room, { broadcast: { ack: true } }));
		// Supabase drops it without a reply, even to an ack'ing channel: the send times out.
		expect(await out.send({ type: 'broadcast', event: 'note', payload: { sneaky: true } }, { timeout: 400 })).toBe('timed out');
		expect(inbox.items).toEqual([]);
	});
});

describe('private and public topics of the same name are separate', () => {
	it('a public subscriber never receives a private broadcast', async () => {
		const room = await newRoom();
		const a = make({ token: alice.token });
		const b = make({ token: bob.token });
		const eavesdropper = make({ token: mallory.token });
		const privateInbox = new Inbox<Record<string, unknown>>();
		const publicInbox = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(b, room).on('broadcast', { event: '*' }, privateInbox.push));
		await subscribed(eavesdropper.channel(`room:${room}`).on('broadcast', { event: '*' }, publicInbox.push));
		const out = await subscribed(privateChannel(a, room));
		await out.send({ type: 'broadcast', event: 'secret', payload: { v: 1 } });
		await privateInbox.waitFor();
		await sleep(150);
		expect(publicInbox.items).toEqual([]);
	});
});

describe('broadcast from the database', () => {
	it('realtime.send reaches members after commit, with meta.id, on both serializers', async () => {
		const room = await newRoom();
		const v1 = new Inbox<Record<string, unknown>>();
		const v2 = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(make({ token: alice.token, vsn: '1.0.0' }), room).on('broadcast', { event: 'message' }, v1.push));
		await subscribed(privateChannel(make({ token: bob.token, vsn: '2.0.0' }), room).on('broadcast', { event: 'message' }, v2.push));

		await sql.begin(async (tx) => {
			await tx`select public.send_to_room(${room}, ${sql.json({ text: 'hello from sql' })})`;
			await sleep(300);
			// Not yet committed: nobody may have it.
			expect(v1.items).toEqual([]);
			expect(v2.items).toEqual([]);
		});
		for (const inbox of [v1, v2]) {
			const message = (await inbox.waitFor()) as { payload: { text: string; id: string }; meta: { id: string } };
			expect(message.payload.text).toBe('hello from sql');
			expect(message.meta.id).toMatch(/^[0-9a-f-]{36}$/);
			expect(message.payload.id).toBe(message.meta.id);
		}
	});

	it('a rolled-back realtime.send is never delivered', async () => {
		const room = await newRoom();
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(make({ token: alice.token }), room).on('broadcast', { event: '*' }, inbox.push));
		await sql
			.begin(async (tx) => {
				await tx`select realtime.send(${sql.json({ n: 'rolled back' })}, 'message', ${'room:' + room}, true)`;
				throw new Error('roll back');
			})
			.catch(() => {});
		await sql`select realtime.send(${sql.json({ n: 'committed' })}, 'message', ${'room:' + room}, true)`;
		const got = (await inbox.waitFor()) as { payload: { n: string } };
		expect(got.payload.n).toBe('committed');
		await sleep(200);
		expect(inbox.items.map((m) => (m as { payload: { n: string } }).payload.n)).toEqual(['committed']);
	});

	it('a payload larger than NOTIFY allows still arrives whole', async () => {
		const room = await newRoom();
		const inbox = new Inbox<{ payload: { blob: string } }>();
		await subscribed(privateChannel(make({ token: alice.token }), room).on('broadcast', { event: 'big' }, inbox.push as (p: unknown) => void));
		const blob = 'x'.repeat(20_000);
		await sql`select realtime.send(${sql.json({ blob })}, 'big', ${'room:' + room}, true)`;
		expect((await inbox.waitFor()).payload.blob).toBe(blob);
	});

	it('realtime.send with private = false goes to the public topic only', async () => {
		const name = `lobby-${Date.now()}`;
		const publicInbox = new Inbox<Record<string, unknown>>();
		await subscribed(make().channel(name).on('broadcast', { event: 'hi' }, publicInbox.push));
		await sql`select realtime.send(${sql.json({ a: 1 })}, 'hi', ${name}, false)`;
		expect(await publicInbox.waitFor()).toMatchObject({ event: 'hi', payload: { a: 1 } });
	});

	it('realtime.broadcast_changes in a trigger sends the row change', async () => {
		const room = await newRoom();
		const inbox = new Inbox<{ event: string; payload: Record<string, unknown> }>();
		await subscribed(privateChannel(make({ token: alice.token }), room).on('broadcast', { event: 'INSERT' }, inbox.push as (p: unknown) => void));
		await sql`insert into public.notes (room_id, owner_id, body) values (${room}, ${alice.id}, 'note body')`;
		const message = await inbox.waitFor();
		expect(message.payload).toMatchObject({
			operation: 'INSERT',
			table: 'notes',
			schema: 'public',
			old_record: null,
			record: { room_id: room, owner_id: alice.id, body: 'note body' }
		});
	});
});

describe('replay of stored broadcasts', () => {
	it('replays the latest stored messages of a private topic on join, marked as replayed', async () => {
		const room = await newRoom();
		const since = Date.now() - 60_000;
		for (const n of [1, 2, 3]) await sql`select realtime.send(${sql.json({ n })}, 'stored', ${'room:' + room}, true)`;
		const inbox = new Inbox<{ payload: { n: number }; meta: { replayed: boolean; id: string } }>();
		await subscribed(
			privateChannel(make({ token: alice.token }), room, { broadcast: { replay: { since, limit: 2 } } }).on(
				'broadcast',
				{ event: 'stored' },
				inbox.push as (p: unknown) => void
			)
		);
		await inbox.waitFor((m) => m.payload.n === 3);
		expect(inbox.items.map((m) => m.payload.n)).toEqual([2, 3]);
		expect(inbox.items.every((m) => m.meta.replayed === true && typeof m.meta.id === 'string')).toBe(true);
	});
});

describe('broadcast over HTTP to a private topic', () => {
	it('is accepted for a member and refused (403) for a non-member', async () => {
		const room = await newRoom();
		const inbox = new Inbox<Record<string, unknown>>();
		await subscribed(privateChannel(make({ token: bob.token }), room).on('broadcast', { event: '*' }, inbox.push));

		const member = make({ token: alice.token });
		await member.realtime.setAuth(alice.token);
		await expect(privateChannel(member, room).httpSend('via-http', { ok: true })).resolves.toEqual({ success: true });
		expect(await inbox.waitFor()).toMatchObject({ event: 'via-http', payload: { ok: true } });

		const outsider = make({ token: mallory.token });
		await outsider.realtime.setAuth(mallory.token);
		await expect(privateChannel(outsider, room).httpSend('via-http', { ok: false })).rejects.toThrow('Unauthorized');
		await sleep(150);
		expect(inbox.items).toHaveLength(1);

		// The batch endpoint (send() on a channel that is not joined) drops private messages the
		// token may not send, and still answers 202; the service role may send.
		const warn = console.warn;
		console.warn = () => {};
		try {
			const viaRest = async (client: SupabaseClient, from: string) => {
				const channel = privateChannel(client, room);
				const result = await channel.send({ type: 'broadcast', event: 'batch', payload: { from } });
				await client.removeChannel(channel);
				return result;
			};
			expect(await viaRest(outsider, 'mallory')).toBe('ok');
			expect(await viaRest(make({ token: runtime.serviceRoleKey }), 'server')).toBe('ok');
		} finally {
			console.warn = warn;
		}
		expect(await inbox.waitFor((m) => m.event === 'batch')).toMatchObject({ payload: { from: 'server' } });
		await sleep(150);
		expect(inbox.items.filter((m) => m.event === 'batch')).toHaveLength(1);
	});
});

describe('access tokens', () => {
	it('closes a channel whose token expires, with a system message saying so', async () => {
		const room = await newRoom();
		const shortLived = await signUser(runtime, { id: alice.id, expiresInSeconds: 2 });
		const c = make({ token: shortLived.token });
		const system = new Inbox<Record<string, unknown>>();
		const statuses = new Inbox<string>();
		const channel = privateChannel(c, room).on('system', {}, system.push);
		channel.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');
		const message = await system.waitFor((m) => m.status === 'error', 6000);
		expect(message).toMatchObject({ extension: 'system', status: 'error', channel: `room:${room}` });
		expect(String(message.message)).toMatch(/^Token has expired \d+ seconds ago$/);
		await statuses.waitFor((s) => s === 'CLOSED');
	});

	it('closes a channel when an invalid token is sent, and keeps it with a valid new one', async () => {
		const room = await newRoom();
		const c = make({ vsn: '1.0.0' });
		await c.realtime.setAuth(alice.token);
		const system = new Inbox<Record<string, unknown>>();
		const statuses = new Inbox<string>();
		const inbox = new Inbox<Record<string, unknown>>();
		const channel = privateChannel(c, room).on('system', {}, system.push).on('broadcast', { event: '*' }, inbox.push);
		channel.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');

		// A fresh valid token for the same user: the channel stays and keeps receiving.
		const fresh = await signUser(runtime, { id: alice.id });
		await c.realtime.setAuth(fresh.token);
		await sleep(200);
		await sql`select realtime.send(${sql.json({ still: 'here' })}, 'm', ${'room:' + room}, true)`;
		await inbox.waitFor();

		const forged = await signUser(runtime, { id: alice.id, secret: 'not-the-project-secret-at-all-0123456789' });
		await c.realtime.setAuth(forged.token);
		const message = await system.waitFor((m) => m.status === 'error');
		// Supabase closes it with the bare error term as the message.
		expect(message.message).toBe(':signature_error');
		await statuses.waitFor((s) => s === 'CLOSED');
	});

	it('closes a private channel when a new token no longer grants read access (membership revoked)', async () => {
		const room = await newRoom();
		const c = make({ token: bob.token });
		await c.realtime.setAuth(bob.token);
		const system = new Inbox<Record<string, unknown>>();
		const statuses = new Inbox<string>();
		privateChannel(c, room)
			.on('system', {}, system.push)
			.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');
		await sql`delete from public.room_members where room_id = ${room} and user_id = ${bob.id}`;
		await c.realtime.setAuth((await signUser(runtime, { id: bob.id })).token);
		const message = await system.waitFor((m) => m.status === 'error');
		// Supabase's wording when the new token can read neither broadcast nor presence.
		expect(message.message).toBe(`You do not have permissions to read from this Channel topic: room:${room}`);
	});

	it('refuses a join with an expired token', async () => {
		const expired = await signUser(runtime, { expiresInSeconds: -30 });
		const c = make({ token: expired.token });
		const outcome = await subscribeOutcome(c.channel(`anything-${Date.now()}`));
		expect(outcome.status).toBe('CHANNEL_ERROR');
		expect(outcome.error?.message).toMatch(/InvalidJWTToken: Token has expired \d+ seconds ago/);
	});
});
