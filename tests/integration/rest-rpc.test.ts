/**
 * /rest/v1/rpc: named arguments by POST body or GET query, a single unnamed json
 * argument, scalar / row / set / void results, filters and order on sets, overloads,
 * volatility (GET refuses writes), response.headers / response.status and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

describe('REST rpc', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		db = restClient(runtime);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('calls a scalar function by POST and by GET', async () => {
		expect(await db.rpc('add', { a: 2, b: 3 })).toMatchObject({ data: 5, error: null, status: 200 });
		expect(await db.rpc('add', { a: 2, b: 3 }, { get: true })).toMatchObject({ data: 5, error: null });
	});

	it('resolves overloaded functions by their argument names', async () => {
		expect((await db.rpc('echo', { message: 'hi' })).data).toBe('text:hi');
		expect((await db.rpc('echo', { number: 4 })).data).toBe('number:4');
		expect((await db.rpc('echo', { number: 4, times: 2 })).data).toBe('number:8');
	});

	it('answers PGRST202 with a hint for an unknown function or arguments', async () => {
		const { error, status } = await db.rpc('add', { a: 1, c: 2 });
		expect(status).toBe(404);
		expect(error).toMatchObject({
			code: 'PGRST202',
			message: 'Could not find the function public.add(a, c) in the schema cache',
			details: 'Searched for the function public.add with parameters a, c or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.'
		});
		const missing = await db.rpc('addd', { a: 1, b: 2 });
		expect(missing.error?.hint).toBe('Perhaps you meant to call the function public.add');
	});

	it('returns rows of a table type, with select, filters, order, limit and embedding', async () => {
		const { data, error } = await db.rpc('films_since', { since: 1950 }).select('title, directors(name)').lt('year', 1980).order('year', { ascending: false }).limit(2);
		expect(error).toBeNull();
		expect(data).toEqual([
			{ title: 'Cleo from 5 to 7', directors: { name: 'Agnès Varda' } },
			{ title: 'Seven Samurai', directors: { name: 'Akira Kurosawa' } }
		]);
	});

	it('returns a single row of a table type as an object', async () => {
		const { data } = await db.rpc('film_by_id', { film_id: 2 }).select('title');
		expect(data).toEqual({ title: 'Rashomon' });
	});

	it('returns sets of scalars as arrays and RETURNS TABLE as rows', async () => {
		expect((await db.rpc('numbers', { n: 3 })).data).toEqual([1, 2, 3]);
		const { data } = await db.rpc('director_counts');
		expect(data).toEqual([
			{ director: 'Agnès Varda', films: 2 },
			{ director: 'Akira Kurosawa', films: 2 },
			{ director: 'Nobody Yet', films: 0 }
		]);
	});

	it('counts set results', async () => {
		const { count, data } = await db.rpc('films_since', { since: 1950 }, { count: 'exact' }).select('id').range(0, 0);
		expect(data).toHaveLength(1);
		expect(count).toBe(4);
	});

	it('answers 204 for void functions; GET runs read-only; other methods are PGRST101', async () => {
		const admin = restClient(runtime, runtime.serviceRoleKey);
		const { status, data, error } = await admin.rpc('bump_rating', { film_id: 4 });
		expect(error).toBeNull();
		expect(status).toBe(204);
		expect(data).toBeNull();
		const { data: film } = await admin.from('films').select('rating').eq('id', 4).single();
		expect(film).toEqual({ rating: 8.9 });
		// GET runs in a read-only transaction, so a function that writes fails there (25006 → 405).
		const viaGet = await admin.rpc('bump_rating', { film_id: 4 }, { get: true });
		expect(viaGet.status).toBe(405);
		expect(viaGet.error).toMatchObject({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' });
		const put = await rest(runtime, '/rpc/add', { method: 'PUT' });
		expect(put.status).toBe(405);
		expect(await put.json()).toMatchObject({ code: 'PGRST101', message: 'Cannot use the PUT method on RPC' });
	});

	it('passes the whole body to a function with a single unnamed json parameter', async () => {
		expect((await db.rpc('json_keys', { zeta: 1, alpha: 2 })).data).toEqual(['alpha', 'zeta']);
	});

	it('enforces max-affected on set-returning functions and refuses it on single-row ones', async () => {
		const over = await rest(runtime, '/rpc/films_since?since=1950', { headers: { Prefer: 'handling=strict, max-affected=1' } });
		expect(over.status).toBe(400);
		expect(await over.json()).toMatchObject({ code: 'PGRST124', details: 'The query affects 4 rows' });
		const within = await rest(runtime, '/rpc/films_since?since=1980', { headers: { Prefer: 'handling=strict, max-affected=1' } });
		expect(within.status).toBe(200);
		expect(within.headers.get('preference-applied')).toBe('handling=strict, max-affected=1');
		const single = await rest(runtime, '/rpc/add?a=1&b=2', { headers: { Prefer: 'handling=strict, max-affected=1' } });
		expect(single.status).toBe(400);
		expect(await single.json()).toMatchObject({ code: 'PGRST128' });
	});

	it("hoists a function's statement_timeout to the transaction, so it applies", async () => {
		const { error, status } = await db.rpc('slow_with_timeout');
		expect(status).toBe(500);
		expect(error).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
	});

	it('passes a text/plain body to a function with a single unnamed text parameter', async () => {
		const res = await rest(runtime, '/rpc/shout', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'quiet please' });
		expect(res.status).toBe(200);
		expect(await res.json()).toBe('QUIET PLEASE');
	});

	it('maps raised errors: P0001 → 400, custom PGRST errors with their status and headers', async () => {
		const plain = await db.rpc('fail_with', { code: 'P0001' });
		expect(plain.status).toBe(400);
		expect(plain.error).toMatchObject({ code: 'P0001', message: 'failed on purpose' });
		const res = await rest(runtime, '/rpc/fail_with', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: 'PGRST' }) });
		expect(res.status).toBe(418);
		expect(res.headers.get('x-custom')).toBe('yes');
		expect(await res.json()).toEqual({ code: '123', message: 'custom failure', details: 'd', hint: 'h' });
		const denied = await db.rpc('fail_with', { code: '42501' });
		expect(denied.status).toBe(401);
	});

	it('honours response.headers and response.status set by the function', async () => {
		const res = await rest(runtime, '/rpc/teapot', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		expect(res.status).toBe(418);
		expect(res.headers.get('x-brew')).toBe('earl grey');
		expect(await res.json()).toBe('short and stout');
	});

	it('returns the single object form of a set with Accept: vnd.pgrst.object', async () => {
		const one = await db.rpc('films_since', { since: 1980 }).select('title').single();
		expect(one.data).toEqual({ title: 'Vagabond' });
		const many = await db.rpc('films_since', { since: 1950 }).select('title').single();
		expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 4 rows' });
	});
});
