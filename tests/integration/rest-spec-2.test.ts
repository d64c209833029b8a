/**
 * Writes, RPC and JWT claims as PostgREST's own test suite (InsertSpec, UpsertSpec,
 * UpdateSpec, RpcSpec, CustomMediaSpec, AuthSpec, ErrorSpec) describes them: where this
 * runtime used to differ.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

const json = { 'content-type': 'application/json' };

describe('REST writes, RPC and JWT claims as PostgREST specifies them', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		db = restClient(runtime, undefined);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	describe('payloads', () => {
		it('refuses an array holding anything but objects with "All object keys must match"', async () => {
			const res = await rest(runtime, '/gadgets', { method: 'POST', headers: json, body: '[{"id": 1, "name": "a"}, 123]' });
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({ code: 'PGRST102', message: 'All object keys must match', details: null, hint: null });
		});

		it('takes a JSON scalar as an empty array and inserts nothing', async () => {
			const res = await rest(runtime, '/gadgets', { method: 'POST', headers: { ...json, prefer: 'return=representation' }, body: '123' });
			expect(res.status).toBe(201);
			expect(await res.json()).toEqual([]);
		});
	});

	describe('keys of views', () => {
		it('gives a view over a table of an unexposed schema that table key, so upserts merge on it', async () => {
			const first = await db.from('gadgets').upsert({ id: 10, name: 'lamp' }).select();
			expect(first).toMatchObject({ status: 201, data: [{ id: 10, name: 'lamp' }] });
			const again = await rest(runtime, '/gadgets', {
				method: 'POST',
				headers: { ...json, prefer: 'return=representation,resolution=merge-duplicates' },
				body: JSON.stringify({ id: 10, name: 'desk lamp' })
			});
			// Only updated, nothing inserted: 200, and the resolution was applied (the view has a key).
			expect(again.status).toBe(200);
			expect(again.headers.get('preference-applied')).toBe('resolution=merge-duplicates, return=representation');
			expect(await again.json()).toEqual([{ id: 10, name: 'desk lamp' }]);
		});

		it('answers 200 to an upsert of no rows at all', async () => {
			const res = await rest(runtime, '/gadgets', { method: 'POST', headers: { ...json, prefer: 'return=representation,resolution=merge-duplicates' }, body: '[]' });
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual([]);
		});

		it('puts every base table key of a joining view in the Location header', async () => {
			const res = await rest(runtime, '/both_keys', { method: 'POST', headers: { ...json, prefer: 'return=headers-only' }, body: '{"lk": 1, "rk": 2}' });
			expect(res.status).toBe(201);
			expect(res.headers.get('location')).toBe('/both_keys?lk=eq.1&rk=eq.2');
		});
	});

	it('upserts into a partitioned table: 201 when a row is new, 200 when all were there', async () => {
		const rows = [
			{ name: 'Murcielago', year: 2001, brand: null },
			{ name: 'Roma', year: 2021, brand: 'Ferrari' }
		];
		expect(await db.from('car_models').upsert(rows).select()).toMatchObject({ status: 201, data: rows });
		expect(await db.from('car_models').upsert(rows).select()).toMatchObject({ status: 200, data: rows });
		const put = await rest(runtime, '/car_models?name=eq.Supra&year=eq.2022', { method: 'PUT', headers: { ...json, prefer: 'return=representation' }, body: '{"name": "Supra", "year": 2022}' });
		expect(put.status).toBe(201);
		expect(await put.json()).toEqual([{ name: 'Supra', year: 2022, brand: null }]);
	});

	it('returns only the selected columns, so column privileges on the others do not matter', async () => {
		expect(await db.from('badges').insert({ id: 1, label: 'gold' }).select('id,label')).toMatchObject({ status: 201, data: [{ id: 1, label: 'gold' }] });
		expect(await db.from('badges').update({ label: 'silver' }).eq('id', 1).select('label')).toMatchObject({ status: 200, data: [{ label: 'silver' }] });
		expect(await db.from('badges').delete().eq('id', 1).select('id,label')).toMatchObject({ status: 200, data: [{ id: 1, label: 'silver' }] });
		// Asking for the hidden column still fails on PostgreSQL's privilege check.
		const denied = await db.from('badges').insert({ id: 2, label: 'x' }).select('id,secret');
		expect(denied.error?.code).toBe('42501');
	});

	it('names only the selected columns in the CSV header of an insert', async () => {
		const res = await rest(runtime, '/gadgets?select=id', {
			method: 'POST',
			headers: { 'content-type': 'text/csv', accept: 'text/csv', prefer: 'return=representation' },
			body: 'id,name\n21,fan\n22,heater'
		});
		expect(res.status).toBe(201);
		expect(await res.text()).toBe('id\n21\n22');
	});

	describe('PUT', () => {
		it('puts the payload row matching the URL key and answers 204 without Content-Length', async () => {
			const res = await rest(runtime, '/gadgets?id=eq.30', { method: 'PUT', headers: json, body: '[{"id": 30, "name": "kettle"}, {"id": 31, "name": "toaster"}]' });
			expect(res.status).toBe(204);
			expect(res.headers.get('content-length')).toBeNull();
			expect((await db.from('gadgets').select('id,name').in('id', [30, 31])).data).toEqual([{ id: 30, name: 'kettle' }]);
		});

		it('refuses a payload with no row matching the URL key (PGRST115)', async () => {
			const res = await rest(runtime, '/gadgets?id=eq.32', { method: 'PUT', headers: json, body: '[{"id": 33, "name": "oven"}]' });
			expect(res.status).toBe(400);
			expect((await res.json()).code).toBe('PGRST115');
		});
	});

	it('tells overloaded computed fields apart in a mutation', async () => {
		await db.from('boxes').insert({ id: 1, size: 50 });
		expect(await db.from('boxes').update({ size: 60 }).eq('id', 1).select('id,is_big')).toMatchObject({ status: 200, data: [{ id: 1, is_big: true }] });
		await db.from('crates').insert({ id: 1, size: 50 });
		expect(await db.from('crates').update({ size: 60 }).eq('id', 1).select('id,is_big')).toMatchObject({ status: 200, data: [{ id: 1, is_big: false }] });
	});

	describe('rpc', () => {
		it('returns an object for a single OUT parameter and rows for a one-column TABLE', async () => {
			expect((await db.rpc('plus_one', { num: 5 })).data).toEqual({ num_plus_one: 6 });
			expect((await db.rpc('single_column')).data).toEqual([{ a: 'A' }]);
		});

		it('makes repeated query parameters an array only for a VARIADIC parameter', async () => {
			expect(await (await rest(runtime, '/rpc/gather?v=hi')).json()).toEqual(['hi']);
			expect(await (await rest(runtime, '/rpc/gather?v=hi&v=there')).json()).toEqual(['hi', 'there']);
			const form = await rest(runtime, '/rpc/gather', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'v=hi&v=there' });
			expect(await form.json()).toEqual(['hi', 'there']);
			expect(await (await rest(runtime, '/rpc/greet?name=ignored&name=world')).json()).toBe('Hello, world');
		});

		it('calls with the first object of an array payload, and only the ?columns= keys', async () => {
			const first = await rest(runtime, '/rpc/greet', { method: 'POST', headers: json, body: '[{"name": "Ann"}, {"name": "Bob"}]' });
			expect(await first.json()).toBe('Hello, Ann');
			const columns = await rest(runtime, '/rpc/greet?columns=name', { method: 'POST', headers: json, body: '{"name": "John", "smth": "here"}' });
			expect(await columns.json()).toBe('Hello, John');
		});

		it('passes character parameters as character varying (nothing cut to one character)', async () => {
			expect((await db.rpc('pad', { c: 'abcdefg', cs: ['abc', 'abcdefg'] })).data).toEqual({ c: 'abcdefg', cs: ['abc', 'abcdefg'] });
		});

		it('answers a function returning a media-type domain raw, with that Content-Type', async () => {
			const res = await rest(runtime, '/rpc/page', { headers: { accept: 'text/html' } });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/html');
			expect(await res.text()).toBe('<h1>Hi</h1>');
			// Without asking for it, the value comes as JSON.
			expect(await (await rest(runtime, '/rpc/page')).json()).toBe('<h1>Hi</h1>');
		});

		it('sends a text/plain body to the single unnamed text parameter, not to an overload without parameters', async () => {
			const res = await rest(runtime, '/rpc/echo_raw', { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'text/plain' }, body: 'plain words' });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
			expect(await res.text()).toBe('plain words');
			const missing = await rest(runtime, '/rpc/plus_one', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
			expect(missing.status).toBe(404);
			expect(await missing.json()).toEqual({
				code: 'PGRST202',
				message: 'Could not find the function public.plus_one in the schema cache',
				details: 'Searched for the function public.plus_one with a single unnamed text parameter, but no matches were found in the schema cache.',
				hint: null
			});
		});

		it("answers RAISE SQLSTATE 'PGRST' with its status_text as the reason phrase", async () => {
			const res = await rest(runtime, '/rpc/raise_teapot');
			expect(res.status).toBe(418);
			expect(res.statusText).toBe('Short And Stout');
			expect(res.headers.get('x-header')).toBe('str');
			expect(await res.json()).toEqual({ code: '123', message: 'ABC', details: null, hint: null });
		});

		it('sends a header that response.headers names twice twice (Set-Cookie)', async () => {
			const res = await rest(runtime, '/rpc/two_cookies');
			expect(res.status).toBe(204);
			expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
		});
	});

	describe('JWT claims', () => {
		const now = () => Math.floor(Date.now() / 1000);
		// Signed with the project's secret, so only the claims themselves can be wrong.
		const token = (claims: Record<string, unknown>) =>
			new SignJWT({ role: 'authenticated', ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(runtime.jwtSecret));
		const read = async (claims: Record<string, unknown>) => {
			const res = await rest(runtime, '/gadgets?select=id&limit=1', { headers: { authorization: `Bearer ${await token(claims)}` } });
			return { status: res.status, body: await res.json() };
		};

		it('allows 30 seconds of clock skew on exp, nbf and iat', async () => {
			expect((await read({ exp: now() - 10 })).status).toBe(200);
			expect((await read({ nbf: now() + 10 })).status).toBe(200);
			expect((await read({ iat: now() + 10 })).status).toBe(200);
		});

		it('refuses tokens outside it, and an iat in the future', async () => {
			expect(await read({ exp: now() - 35 })).toEqual({ status: 401, body: { code: 'PGRST303', message: 'JWT expired', details: null, hint: null } });
			expect((await read({ nbf: now() + 35 })).body.message).toBe('JWT not yet valid');
			expect((await read({ iat: now() + 35 })).body.message).toBe('JWT issued at future');
		});

		it('refuses time claims that are not numbers and an aud that is not strings', async () => {
			for (const name of ['exp', 'nbf', 'iat']) {
				expect(await read({ [name]: 'invalid' })).toEqual({ status: 401, body: { code: 'PGRST303', message: `The JWT '${name}' claim must be a number`, details: null, hint: null } });
			}
			expect((await read({ aud: 1 })).body.message).toBe("The JWT 'aud' claim must be a string or an array of strings");
			expect((await read({ aud: ['a', 1] })).body.message).toBe("The JWT 'aud' claim must be a string or an array of strings");
		});
	});
});
