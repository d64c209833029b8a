/**
 * Requests that share a connection (each its own pipeline ending in its own Sync) stay
 * separate transactions: the role, the claims and the request settings of one never
 * reach another; an error in one leaves the others alone; a write that waits for its
 * answer before it commits gets a connection to itself; statements prepared by a
 * pipeline that failed are not relied on by the pipelines queued behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { WirePool } from '../../supabase/local/rest/pool.ts';
import { WireConnection, WireError } from '../../supabase/local/rest/wire.ts';
import { rest, restClient, signUserJwt, startRestRuntime, type TestUser } from '../support/rest.ts';

describe('REST connections shared by concurrent requests', () => {
	let runtime: LocalSupabase;
	let alice: TestUser;
	let bob: TestUser;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		alice = await signUserJwt(runtime, { email: 'pool-alice@studio.test' });
		bob = await signUserJwt(runtime, { email: 'pool-bob@studio.test' });
		await restClient(runtime, alice.jwt).from('notes').insert({ body: 'alice only' });
		await restClient(runtime, bob.jwt).from('notes').insert({ body: 'bob only' });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('keeps each request its own role, claims and headers when 300 of them run at once', async () => {
		// Far more requests than the pool has connections, interleaved: anon, Alice, Bob,
		// a failing call, each with a header of its own.
		const asAlice = restClient(runtime, alice.jwt);
		const asBob = restClient(runtime, bob.jwt);
		const anon = restClient(runtime);
		const checks = Array.from({ length: 300 }, async (_, i) => {
			switch (i % 5) {
				case 0: {
					const { data, error } = await asAlice.from('notes').select('body');
					expect(error).toBeNull();
					expect(data).toEqual([{ body: 'alice only' }]);
					return;
				}
				case 1: {
					const { data, error } = await asBob.from('notes').select('body');
					expect(error).toBeNull();
					expect(data).toEqual([{ body: 'bob only' }]);
					return;
				}
				case 2: {
					const { data } = await anon.from('notes').select('body');
					expect(data).toEqual([]);
					return;
				}
				case 3: {
					const { error } = await asAlice.rpc('fail_with', { code: 'P0001' });
					expect(error?.code).toBe('P0001');
					return;
				}
				default: {
					const who = i % 2 ? alice : bob;
					const response = await rest(runtime, '/rpc/whoami', { headers: { authorization: `Bearer ${who.jwt}`, 'x-test-header': `request-${i}` } });
					expect(response.status).toBe(200);
					const body = await response.json();
					expect(body).toMatchObject({ role: 'authenticated', sub: who.id, header: `request-${i}` });
				}
			}
		});
		await Promise.all(checks);
	});

	it('rolls a failed single-object insert back while reads share the other connections', async () => {
		const asAlice = restClient(runtime, alice.jwt);
		const reads = Array.from({ length: 60 }, () => asAlice.from('notes').select('body'));
		// Two rows where one object is asked for: PostgREST's PGRST116, and nothing written.
		const insert = rest(runtime, '/notes?select=body', {
			method: 'POST',
			headers: { authorization: `Bearer ${alice.jwt}`, 'content-type': 'application/json', accept: 'application/vnd.pgrst.object+json', prefer: 'return=representation' },
			body: JSON.stringify([{ body: 'twin one' }, { body: 'twin two' }])
		});
		const [insertResponse, ...readResults] = await Promise.all([insert, ...reads]);
		expect(insertResponse.status).toBe(406);
		expect((await insertResponse.json()).code).toBe('PGRST116');
		for (const r of readResults) expect(r.data).toEqual([{ body: 'alice only' }]);
		const { data } = await asAlice.from('notes').select('body').like('body', 'twin%');
		expect(data).toEqual([]);
	});

	it('answers a quick request while a slow one holds a connection, without waiting for it', async () => {
		let slowDone = false;
		const slow = restClient(runtime, alice.jwt)
			.rpc('slow_with_timeout')
			.then((result) => ((slowDone = true), result));
		await new Promise((r) => setTimeout(r, 20));
		const { data } = await restClient(runtime, alice.jwt).from('notes').select('body');
		expect(data).toEqual([{ body: 'alice only' }]);
		// Answered while the slow call still held its connection (it ends at its own
		// 100 ms statement timeout): the quick one was not queued behind it.
		expect(slowDone).toBe(false);
		expect((await slow).error?.code).toBe('57014');
	});

	it('signs in with SCRAM-SHA-256 and refuses a wrong password with PostgreSQL’s error', async () => {
		const url = new URL(runtime.dbUrl);
		const options = { host: url.hostname, port: Number(url.port), user: 'authenticator', database: 'postgres' };
		const good = new WireConnection({ ...options, password: 'postgres' });
		const [result] = await good.run([{ text: 'select current_user as who', params: [] }]);
		expect(result).toEqual({ rows: [{ who: 'authenticator' }], error: null });
		good.end();
		const bad = new WireConnection({ ...options, password: 'not-the-password' });
		const refused = await bad.run([{ text: 'select 1', params: [] }]).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(WireError);
		expect(refused).toMatchObject({ code: '28P01', message: 'password authentication failed for user "authenticator"' });
	});

	it('sends the pipelines of one event-loop turn on one connection that was idle, in one write', async () => {
		const wide = new WirePool(runtime.dbUrl, 4, 'pool-gather', 2_000);
		try {
			// Open all four connections: each slow call finds the ones before it busy.
			const warm: Promise<unknown>[] = [];
			for (let i = 0; i < 4; i++) {
				const c = await wide.shared();
				warm.push(c.run([{ text: 'select pg_sleep(0.3)', params: [] }]));
				await new Promise((r) => setTimeout(r, 40));
			}
			await Promise.all(warm);
			// Six requests in one turn, each after the one before has queued its write (as
			// requests parsed from several sockets in one poll phase do).
			const runs: Promise<{ rows: Record<string, string | null>[] }[]>[] = [];
			for (let i = 0; i < 6; i++) {
				const c = await wide.shared();
				runs.push(c.run([{ text: 'select $1::int as i, pg_backend_pid()::text as pid', params: [String(i)] }]));
				await new Promise((r) => process.nextTick(r));
			}
			const results = await Promise.all(runs);
			expect(results.map((r) => r[0].rows[0].i)).toEqual(['0', '1', '2', '3', '4', '5']);
			expect(new Set(results.map((r) => r[0].rows[0].pid)).size).toBe(1);
		} finally {
			wide.end();
		}
	});

	describe('the pool itself, against the runtime database', () => {
		let pool: WirePool;
		beforeAll(() => {
			// One connection, so every pipeline below queues on the same socket.
			pool = new WirePool(runtime.dbUrl, 1, 'pool-test', 2_000);
		});
		afterAll(() => pool.end());

		it('does not rely on a statement whose preparing pipeline failed before reaching it', async () => {
			const conn = await pool.shared();
			const statement = { text: 'select $1::int + 1 as n', params: ['41'] };
			// Sent in the same turn: the first pipeline fails before it prepares the statement,
			// the second, queued behind it, still needs it to exist.
			const [first, second] = await Promise.all([conn.run([{ text: 'select 1/0', params: [] }, statement]), conn.run([statement])]);
			expect(first[0].error?.code).toBe('22012');
			expect(first[1].error?.code).toBe('22012');
			expect(second[0]).toEqual({ rows: [{ n: '42' }], error: null });
			// And afterwards it is prepared and used as usual.
			expect((await conn.run([statement]))[0].rows).toEqual([{ n: '42' }]);
		});

		it('gives an exclusive connection only once nothing else is queued on it, and queues shared work behind it', async () => {
			const shared = await pool.shared();
			const busy = shared.run([{ text: 'select pg_sleep(0.05)', params: [] }]);
			const order: string[] = [];
			const exclusive = pool.acquire().then(async (conn) => {
				order.push('exclusive');
				await conn.run([{ text: 'begin', params: [] }]);
				await conn.run([{ text: "select set_config('pool.test', 'held', true)", params: [] }]);
				// A shared pipeline asked for now must not land inside this open transaction.
				const later = pool.shared().then(async (c) => {
					const [r] = await c.run([{ text: "select current_setting('pool.test', true) as v", params: [] }]);
					order.push(`shared saw ${r.rows[0].v || 'nothing'}`);
				});
				await new Promise((r) => setTimeout(r, 30));
				await conn.run([{ text: 'commit', params: [] }]);
				order.push('released');
				pool.release(conn);
				await later;
			});
			await busy;
			await exclusive;
			expect(order[0]).toBe('exclusive');
			expect(order.slice(1)).toEqual(['released', 'shared saw nothing']);
		});
	});
});
