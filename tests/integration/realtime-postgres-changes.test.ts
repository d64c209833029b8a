import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { closeClients, Inbox, realtimeClient, signUser, sleep, startRealtimeRuntime, subscribed, type TestUser, type Vsn } from '../support/realtime.ts';

type Payload = RealtimePostgresChangesPayload<Record<string, unknown>>;

let runtime: LocalSupabase;
let sql: postgres.Sql;
let alice: TestUser;
let bob: TestUser;
const clients: SupabaseClient[] = [];
const make = (options: Parameters<typeof realtimeClient>[1] = {}) => {
	const c = realtimeClient(runtime, options);
	clients.push(c);
	return c;
};
let n = 0;
const name = () => `changes-${++n}`;

beforeAll(async () => {
	runtime = await startRealtimeRuntime();
	sql = postgres(runtime.dbUrl, { max: 2, onnotice: () => {} });
	[alice, bob] = await Promise.all([signUser(runtime), signUser(runtime)]);
});
afterAll(async () => {
	await closeClients(...clients);
	await sql?.end();
	await runtime?.stop();
});

describe.each<Vsn>(['1.0.0', '2.0.0'])('postgres_changes (%s)', (vsn) => {
	it('delivers inserts only to users whose RLS lets them see the row, with the payload realtime-js maps', async () => {
		const a = make({ token: alice.token, vsn });
		const b = make({ token: bob.token, vsn });
		const anon = make({ vsn });
		const aliceInbox = new Inbox<Payload>();
		const bobInbox = new Inbox<Payload>();
		const anonInbox = new Inbox<Payload>();
		const system = new Inbox<Record<string, unknown>>();
		await subscribed(
			a
				.channel(name())
				.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, aliceInbox.push)
				.on('system', {}, system.push)
		);
		await subscribed(b.channel(name()).on('postgres_changes', { event: '*', schema: 'public', table: 'notes' }, bobInbox.push));
		await subscribed(anon.channel(name()).on('postgres_changes', { event: '*', schema: 'public', table: 'notes' }, anonInbox.push));
		expect(await system.waitFor()).toMatchObject({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL' });

		const [row] = await sql`insert into public.notes (owner_id, body) values (${alice.id}, ${'for alice ' + vsn}) returning id, created_at`;
		const got = await aliceInbox.waitFor();
		expect(got).toMatchObject({
			schema: 'public',
			table: 'notes',
			eventType: 'INSERT',
			new: { id: Number(row.id), owner_id: alice.id, body: `for alice ${vsn}`, room_id: null },
			old: {},
			errors: null
		});
		expect(got.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(new Date((got.new as { created_at: string }).created_at).getTime()).toBe(new Date(row.created_at).getTime());

		// Bob's own note reaches Bob only.
		await sql`insert into public.notes (owner_id, body) values (${bob.id}, 'for bob')`;
		expect((await bobInbox.waitFor()).new).toMatchObject({ body: 'for bob' });
		await sleep(300);
		expect(bobInbox.items.map((p) => (p.new as { body: string }).body)).toEqual(['for bob']);
		expect(aliceInbox.items).toHaveLength(1);
		expect(anonInbox.items).toEqual([]);
	});

	it('applies eq / neq / lt / lte / gt / gte / in filters', async () => {
		const c = make({ token: alice.token, vsn });
		const tag = `f${vsn.replace(/\./g, '')}${Date.now() % 100000}`;
		const inboxes: Record<string, Inbox<Payload>> = {};
		let channel = c.channel(name());
		const filters = {
			eq: `title=eq.${tag}-a`,
			neq: `priority=neq.2`,
			lt: 'priority=lt.2',
			lte: 'priority=lte.2',
			gt: 'priority=gt.2',
			gte: 'priority=gte.2',
			in: `title=in.(${tag}-a,"${tag}-c")`
		};
		for (const [key, filter] of Object.entries(filters)) {
			inboxes[key] = new Inbox<Payload>();
			channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'tasks', filter }, inboxes[key].push);
		}
		await subscribed(channel);
		await sql`insert into public.tasks (title, priority) values (${tag + '-a'}, 1), (${tag + '-b'}, 2), (${tag + '-c'}, 3)`;
		await sleep(600);
		const titles = (key: string) =>
			inboxes[key].items
				.map((p) => (p.new as { title: string }).title)
				.filter((t) => t.startsWith(tag))
				.sort();
		expect(titles('eq')).toEqual([`${tag}-a`]);
		expect(titles('neq')).toEqual([`${tag}-a`, `${tag}-c`]);
		expect(titles('lt')).toEqual([`${tag}-a`]);
		expect(titles('lte')).toEqual([`${tag}-a`, `${tag}-b`]);
		expect(titles('gt')).toEqual([`${tag}-c`]);
		expect(titles('gte')).toEqual([`${tag}-b`, `${tag}-c`]);
		expect(titles('in')).toEqual([`${tag}-a`, `${tag}-c`]);
	});
});

describe('old records and replica identity', () => {
	it('REPLICA IDENTITY FULL gives the whole old row on update; default gives only the primary key', async () => {
		const c = make({ token: alice.token });
		const tasks = new Inbox<Payload>();
		const notes = new Inbox<Payload>();
		await subscribed(
			c
				.channel(name())
				.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'tasks' }, tasks.push)
				.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'notes' }, notes.push)
		);
		const [task] = await sql`insert into public.tasks (title, priority, tags, meta) values ('old title', 5, '{a,"b c"}', '{"k": 1}') returning id`;
		await sql`update public.tasks set title = 'new title', done = true where id = ${task.id}`;
		const t = await tasks.waitFor();
		expect(t.old).toEqual({ id: Number(task.id), title: 'old title', done: false, priority: 5, tags: ['a', 'b c'], meta: { k: 1 } });
		expect(t.new).toMatchObject({ id: Number(task.id), title: 'new title', done: true, tags: ['a', 'b c'], meta: { k: 1 } });

		const [note] = await sql`insert into public.notes (owner_id, body) values (${alice.id}, 'v1') returning id`;
		await sql`update public.notes set body = 'v2' where id = ${note.id}`;
		const u = await notes.waitFor();
		expect(u.old).toEqual({ id: Number(note.id) });
		expect(u.new).toMatchObject({ body: 'v2' });
	});

	it('deletes carry the full old row without RLS, only the primary key with RLS', async () => {
		const c = make({ token: alice.token, vsn: '1.0.0' });
		const ticks = new Inbox<Payload>();
		const tasks = new Inbox<Payload>();
		await subscribed(
			c
				.channel(name())
				.on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'ticks' }, ticks.push)
				.on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'tasks' }, tasks.push)
		);
		await sql`insert into public.ticks (id, label) values (41, 'gone soon')`;
		await sql`delete from public.ticks where id = 41`;
		expect(await ticks.waitFor()).toMatchObject({ eventType: 'DELETE', old: { id: 41, label: 'gone soon' }, new: {} });

		const [task] = await sql`insert into public.tasks (title) values ('to delete') returning id`;
		await sql`delete from public.tasks where id = ${task.id}`;
		expect((await tasks.waitFor()).old).toEqual({ id: Number(task.id) });
	});

	it('a rolled-back change and a table outside the publication send nothing', async () => {
		const c = make({ token: alice.token });
		const all = new Inbox<Payload>();
		await subscribed(c.channel(name()).on('postgres_changes', { event: '*', schema: 'public' }, all.push));
		await sql
			.begin(async (tx) => {
				await tx`insert into public.ticks (id, label) values (99, 'rolled back')`;
				throw new Error('roll back');
			})
			.catch(() => {});
		await sql`insert into public.private_log (id, line) values (1, 'unpublished')`;
		await sql`insert into public.ticks (id, label) values (100, 'committed')`;
		expect(await all.waitFor()).toMatchObject({ table: 'ticks', new: { id: 100 } });
		await sleep(300);
		expect(all.items.map((p) => p.table + ':' + (p.new as { id: number }).id)).toEqual(['ticks:100']);
	});

	it('announces a ready replication connection when asked (replication_ready)', async () => {
		const c = make({ token: alice.token });
		const system = new Inbox<Record<string, unknown>>();
		await subscribed(c.channel(name(), { config: { broadcast: { replication_ready: true } } }).on('system', {}, system.push));
		expect(await system.waitFor()).toMatchObject({ extension: 'system', status: 'ok', message: 'Replication connection established' });
	});

	it('reports an unknown filter column in a system message', async () => {
		const c = make({ token: alice.token });
		const system = new Inbox<Record<string, unknown>>();
		await subscribed(
			c
				.channel(name())
				.on('postgres_changes', { event: '*', schema: 'public', table: 'tasks', filter: 'nope=eq.1' }, () => {})
				.on('system', {}, system.push)
		);
		const message = await system.waitFor();
		expect(message).toMatchObject({ extension: 'postgres_changes', status: 'error' });
		expect(String(message.message)).toContain('nope');
	});
});
