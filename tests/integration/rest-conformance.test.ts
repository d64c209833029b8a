/**
 * Behaviours found by running postgrest-js's own test suite (which runs against a real
 * PostgREST) against this runtime: each test names what the real service answers.
 * `db-tx-end` is set to `commit-allow-override` here, as that suite's project sets it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

describe('REST conformance with postgrest-js expectations', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		await sql`alter role authenticator set pgrst.db_tx_end = 'commit-allow-override'`;
		await sql`alter role authenticator set pgrst.db_aggregates_enabled = 'true'`;
		await sql`alter role authenticator set pgrst.db_plan_enabled = 'true'`;
		await sql`notify pgrst, 'reload config'`;
		await sql.end();
		db = restClient(runtime, runtime.serviceRoleKey);
		// The reload is asynchronous: wait until a rollback is honoured.
		for (let i = 0; i < 50; i++) {
			const res = await rest(runtime, '/directors?select=id&limit=1', { headers: { Prefer: 'tx=rollback' } });
			if (res.headers.get('preference-applied') === 'tx=rollback') break;
			await new Promise((r) => setTimeout(r, 100));
		}
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	describe('Prefer: tx (db-tx-end = commit-allow-override)', () => {
		it('rolls back an insert with tx=rollback and says so in Preference-Applied', async () => {
			const res = await rest(runtime, '/directors?select=name', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'return=representation, tx=rollback' },
				body: JSON.stringify({ name: 'Rolled Back' })
			});
			expect(res.status).toBe(201);
			expect(await res.json()).toEqual([{ name: 'Rolled Back' }]);
			expect(res.headers.get('preference-applied')).toBe('return=representation, tx=rollback');
			const { data } = await db.from('directors').select('id').eq('name', 'Rolled Back');
			expect(data).toEqual([]);
		});

		it('rolls back updates, deletes and function calls through supabase-js .rollback()', async () => {
			const update = await db.from('directors').update({ born: '2000-01-01' }).eq('id', 1).select('born').rollback();
			expect(update.data).toEqual([{ born: '2000-01-01' }]);
			const del = await db.from('directors').delete().eq('id', 3).select('name').rollback();
			expect(del.data).toEqual([{ name: 'Nobody Yet' }]);
			const call = await db.rpc('bump_rating', { film_id: 1 }).rollback();
			expect(call.error).toBeNull();
			const { data: directors } = await db.from('directors').select('id, born').in('id', [1, 3]).order('id');
			expect(directors).toEqual([
				{ id: 1, born: '1928-05-30' },
				{ id: 3, born: null }
			]);
			const { data: film } = await db.from('films').select('rating').eq('id', 1).single();
			expect(film).toEqual({ rating: 8.0 });
		});

		it('commits with tx=commit', async () => {
			const res = await rest(runtime, '/people', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'tx=commit' },
				body: JSON.stringify({ name: 'Committed' })
			});
			expect(res.status).toBe(201);
			expect(res.headers.get('preference-applied')).toBe('tx=commit');
			const { data } = await db.from('people').select('name').eq('name', 'Committed');
			expect(data).toEqual([{ name: 'Committed' }]);
		});
	});

	describe('inserts with missing=default', () => {
		it('fills identity columns from their sequence when rows leave them out (defaultToNull: false)', async () => {
			const { data, error, status } = await db
				.from('people')
				.insert([{ id: 900, name: 'Explicit' }, { name: 'From sequence' }], { defaultToNull: false })
				.select('id, name')
				.rollback();
			expect(error).toBeNull();
			expect(status).toBe(201);
			expect(data?.[0]).toEqual({ id: 900, name: 'Explicit' });
			expect(data?.[1].id).toBeGreaterThan(100);
			expect(data?.[1].name).toBe('From sequence');
		});

		it('upserts with identity defaults', async () => {
			const { data, error } = await db
				.from('people')
				.upsert([{ id: 1, name: 'Writer Renamed' }, { name: 'Brand new' }], { defaultToNull: false })
				.select('id, name')
				.rollback();
			expect(error).toBeNull();
			expect(data?.[0]).toEqual({ id: 1, name: 'Writer Renamed' });
			expect(data?.[1].id).toBeGreaterThan(100);
		});
	});

	describe('function overloads', () => {
		it('leaves out functions with an unnamed parameter that is not a raw body type', async () => {
			// poly(boolean) and poly(int) are not exposed: the unnamed key reaches poly(text).
			const { data, error } = await db.rpc('poly', { '': 'anything' });
			expect(error).toBeNull();
			expect(data).toBe('text');
			const only = await db.rpc('only_int', { '': 1 });
			expect(only.status).toBe(404);
			expect(only.error).toEqual({
				code: 'PGRST202',
				message: 'Could not find the function public.only_int() in the schema cache',
				details: 'Searched for the function public.only_int with parameter  or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
				hint: null
			});
		});

		it('lists ambiguous overloads fewest parameters first, then by parameter name and type', async () => {
			const none = await db.rpc('poly_default');
			expect(none.status).toBe(300);
			expect(none.error?.message).toBe('Could not choose the best candidate function between: public.poly_default(), public.poly_default( => text)');
			const clash = await db.rpc('clash', { a: 'x' });
			expect(clash.error?.code).toBe('PGRST203');
			expect(clash.error?.message).toBe('Could not choose the best candidate function between: public.clash(a => integer), public.clash(a => text)');
		});

		it('offers no parameter hint when no overload is close (computed fields are no RPC endpoints)', async () => {
			const { error, status } = await db.rpc('title_upper', { id: 1 });
			expect(status).toBe(404);
			expect(error?.code).toBe('PGRST202');
			expect(error?.hint).toBeNull();
		});
	});

	describe('embedding as PostgreSQL sees PostgREST\'s query', () => {
		it('reads a bare `count` in an embed as count(rows) (PostgreSQL\'s function notation)', async () => {
			const { data, error } = await db.from('directors').select('name, films(count)').eq('id', 2).single();
			expect(error).toBeNull();
			expect(data).toEqual({ name: 'Akira Kurosawa', films: [{ count: 2 }] });
		});

		it('names embedded tables table_depth in column errors, with PostgreSQL\'s suggestions', async () => {
			const sum = await db.from('directors').select('name, films(sum)');
			expect(sum.status).toBe(400);
			expect(sum.error).toEqual({ code: '42703', message: 'column films_1.sum does not exist', details: null, hint: null });
			const typo = await db.from('films').select('title, directors(nam)');
			expect(typo.error).toEqual({
				code: '42703',
				message: 'column directors_1.nam does not exist',
				details: null,
				hint: 'Perhaps you meant to reference the column "directors_1.name".'
			});
			// More than 3 edits away (or more than half the name): no suggestion.
			const far = await db.from('films').select('rat');
			expect(far.error?.hint).toBeNull();
			const near = await db.from('films').select('titel');
			expect(near.error?.hint).toBe('Perhaps you meant to reference the column "films.title".');
		});

		it('fails like PostgREST when one table is embedded twice under one name at one level', async () => {
			const { error, status } = await db.from('films').select('people!writer_id(name), people!producer_id(name)').eq('id', 1);
			expect(status).toBe(400);
			expect(error).toEqual({ code: '42712', message: 'table name "films_people_1" specified more than once', details: null, hint: null });
			const aliased = await db.from('films').select('writer:people!writer_id(name), producer:people!producer_id(name)').eq('id', 1).single();
			expect(aliased.data).toEqual({ writer: { name: 'Writer One' }, producer: { name: 'Producer Two' } });
		});
	});

	describe('aggregates next to to-one spreads', () => {
		const byColor = (rows: { color: boolean | null }[]) => [...rows].sort((a, b) => String(a.color).localeCompare(String(b.color)));

		it('groups by the spread columns', async () => {
			const { data, error } = await db.from('directors').select('name, films(count(), ...film_specs(color))').eq('id', 2).single();
			expect(error).toBeNull();
			expect(byColor(data!.films)).toEqual([
				{ count: 1, color: false },
				{ count: 1, color: null }
			]);
		});

		it('applies aggregates asked for inside the spread at the parent (PostgREST hoists them)', async () => {
			const { data, error } = await db.from('directors').select('name, films(rating.sum(), ...film_specs(total:runtime_minutes.sum(), color))').eq('id', 1).single();
			expect(error).toBeNull();
			expect(byColor(data!.films)).toEqual([
				{ sum: 8, total: 90, color: false },
				{ sum: 7.9, total: null, color: null }
			]);
		});
	});

	it('sets search_path as PostgREST does: the profile\'s schema, then extra_search_path', async () => {
		const { data } = await db.rpc('current_setting_of', { name: 'search_path' });
		expect(data).toBe('"public", "public", "extensions"');
		const res = await rest(runtime, '/rpc/current_setting_of?name=search_path', { headers: { 'Accept-Profile': 'api2' } });
		expect(res.status).toBe(404); // the function lives in public only
		const anon = restClient(runtime);
		const { data: asAnon } = await anon.rpc('current_setting_of', { name: 'search_path' });
		expect(asAnon).toBe('"public", "public", "extensions"');
	});

	it('answers EXPLAIN plans when pgrst.db_plan_enabled is on', async () => {
		const json = await db.from('films').select('title').explain({ format: 'json' });
		expect(json.error).toBeNull();
		expect(json.data).toEqual([expect.objectContaining({ Plan: expect.any(Object) })]);
		const text = await db.from('films').select('title').explain({ settings: true });
		expect(text.data).toMatch(/^Aggregate {2}\(cost=/);
		expect(text.data).toContain(`search_path = '"public", "public", "extensions"'`);
		const raw = await rest(runtime, '/films?select=title', { headers: { Accept: 'application/vnd.pgrst.plan+json; for="application/json"' } });
		expect(raw.headers.get('content-type')).toBe('application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8');
	});

	it('answers PGRST116 for .single() over many rows with the current message', async () => {
		const { error, status } = await db.from('directors').select('id').single();
		expect(status).toBe(406);
		expect(error).toEqual({ code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 3 rows', hint: null });
	});
});
