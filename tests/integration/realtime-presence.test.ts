import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import {
	closeClients,
	eventually,
	Inbox,
	realtimeClient,
	signUser,
	startRealtimeRuntime,
	subscribed,
	type TestUser,
	type Vsn
} from '../support/realtime.ts';

let runtime: LocalSupabase;
let sql: postgres.Sql;
let alice: TestUser;
let bob: TestUser;
let mallory: TestUser;
const clients: SupabaseClient[] = [];
const make = (options: Parameters<typeof realtimeClient>[1] = {}) => {
	const c = realtimeClient(runtime, options);
	clients.push(c);
	return c;
};
let n = 0;
const topic = () => `presence-${Date.now().toString(36)}-${++n}`;
const keys = (channel: RealtimeChannel) => Object.keys(channel.presenceState()).sort();

beforeAll(async () => {
	runtime = await startRealtimeRuntime();
	sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	[alice, bob, mallory] = await Promise.all([signUser(runtime), signUser(runtime), signUser(runtime)]);
});
afterAll(async () => {
	await closeClients(...clients);
	await sql?.end();
	await runtime?.stop();
});

describe.each<Vsn>(['1.0.0', '2.0.0'])('presence (%s)', (vsn) => {
	it('sends presence_state on join, join/leave diffs on track and untrack, under the configured key', async () => {
		const name = topic();
		const a = make({ vsn });
		const b = make({ vsn: vsn === '1.0.0' ? '2.0.0' : '1.0.0' });
		const chanA = a.channel(name, { config: { presence: { key: 'alice' } } });
		const joins = new Inbox<{ key: string; newPresences: Record<string, unknown>[] }>();
		const leaves = new Inbox<{ key: string; leftPresences: Record<string, unknown>[] }>();
		chanA.on('presence', { event: 'join' }, joins.push as (p: unknown) => void);
		chanA.on('presence', { event: 'leave' }, leaves.push as (p: unknown) => void);
		await subscribed(chanA);
		expect(await chanA.track({ status: 'online' })).toBe('ok');
		await joins.waitFor((j) => j.key === 'alice');

		// A late joiner gets the current state in presence_state.
		const chanB = b.channel(name, { config: { presence: { key: 'bob' } } });
		const synced = new Inbox<true>();
		chanB.on('presence', { event: 'sync' }, () => synced.push(true));
		await subscribed(chanB);
		await synced.waitFor();
		expect(chanB.presenceState()).toEqual({ alice: [expect.objectContaining({ status: 'online', presence_ref: expect.any(String) })] });

		await chanB.track({ status: 'typing' });
		const bobJoin = await joins.waitFor((j) => j.key === 'bob');
		expect(bobJoin.newPresences[0]).toMatchObject({ status: 'typing' });
		await eventually(() => keys(chanA).join() === 'alice,bob', 5000, 'both present');

		// Tracking again replaces the meta.
		await chanB.track({ status: 'idle' });
		await eventually(() => chanA.presenceState<{ status: string }>().bob?.[0]?.status === 'idle', 5000, 'bob idle');
		expect(chanA.presenceState().bob).toHaveLength(1);

		expect(await chanB.untrack()).toBe('ok');
		await leaves.waitFor((l) => l.key === 'bob');
		await eventually(() => keys(chanA).join() === 'alice', 5000, 'bob gone');
	});

	it('a closed socket leaves presence at once', async () => {
		const name = topic();
		const watcher = make({ vsn });
		const leaver = make({ vsn });
		const chanW = watcher.channel(name, { config: { presence: { key: 'watcher' } } });
		const leaves = new Inbox<{ key: string }>();
		chanW.on('presence', { event: 'leave' }, leaves.push as (p: unknown) => void);
		await subscribed(chanW);
		const chanL = await subscribed(leaver.channel(name, { config: { presence: { key: 'leaver' } } }));
		await chanL.track({ here: true });
		await eventually(() => keys(chanW).includes('leaver'), 5000, 'leaver present');
		const started = Date.now();
		await leaver.realtime.disconnect();
		await leaves.waitFor((l) => l.key === 'leaver', 2000);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(keys(chanW)).not.toContain('leaver');
	});
});

describe('presence on private channels', () => {
	it('members see each other; a non-member cannot join to look', async () => {
		const room = `p${Date.now().toString(36)}`;
		await sql`insert into public.rooms (id) values (${room})`;
		await sql`insert into public.room_members (room_id, user_id) values (${room}, ${alice.id}), (${room}, ${bob.id})`;
		const a = make({ token: alice.token });
		const b = make({ token: bob.token });
		const chanA = a.channel(`room:${room}`, { config: { private: true, presence: { key: alice.id } } });
		chanA.on('presence', { event: 'sync' }, () => {});
		await subscribed(chanA);
		await chanA.track({ name: 'alice' });
		const chanB = b.channel(`room:${room}`, { config: { private: true, presence: { key: bob.id } } });
		chanB.on('presence', { event: 'sync' }, () => {});
		await subscribed(chanB);
		await eventually(() => keys(chanB).includes(alice.id), 5000, 'bob sees alice');

		const m = make({ token: mallory.token });
		const chanM = m.channel(`room:${room}`, { config: { private: true, presence: { key: 'mallory' } } });
		chanM.on('presence', { event: 'sync' }, () => {});
		await expect(subscribed(chanM)).rejects.toThrow('Unauthorized');
		expect(keys(chanM)).toEqual([]);
	});
});
