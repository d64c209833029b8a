/**
 * Writes through /rest/v1: insert one or many (columns=, missing=default), upsert
 * (on_conflict, merge / ignore duplicates), update and delete with filters and limits,
 * Prefer return=representation | minimal | headers-only, max-affected, and failures that
 * leave nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

describe('REST writes', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		// service_role: writes bypass RLS (the RLS matrix lives in rest-auth.test.ts).
		db = restClient(runtime, runtime.serviceRoleKey);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	describe('insert', () => {
		it('inserts one row and returns it with select()', async () => {
			const { data, error, status } = await db.from('directors').insert({ name: 'Chantal Akerman', born: '1950-06-06' }).select('name, born').single();
			expect(error).toBeNull();
			expect(status).toBe(201);
			expect(data).toEqual({ name: 'Chantal Akerman', born: '1950-06-06' });
		});

		it('converts JSON values to column types: arrays, jsonb, ranges, dates, numerics', async () => {
			const { data, error } = await db
				.from('films')
				.insert({ title: 'Typed', year: 2001, rating: 7.5, tags: ['a', 'b c'], metadata: { nested: { deep: [1, 2] } }, showing: '[3,7)', director_id: 1 })
				.select('title, year, rating, tags, metadata, showing, directors(name)')
				.single();
			expect(error).toBeNull();
			expect(data).toEqual({ title: 'Typed', year: 2001, rating: 7.5, tags: ['a', 'b c'], metadata: { nested: { deep: [1, 2] } }, showing: '[3,7)', directors: { name: 'Agnès Varda' } });
		});

		it('inserts many rows, returning nothing by default (201, return=minimal)', async () => {
			const res = await rest(runtime, '/actors', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json' },
				body: JSON.stringify([{ name: 'A1' }, { name: 'A2' }])
			});
			expect(res.status).toBe(201);
			expect(await res.text()).toBe('');
			expect(res.headers.get('content-range')).toBe('*/*');
			const { count } = await db.from('actors').select('*', { count: 'exact', head: true }).in('name', ['A1', 'A2']);
			expect(count).toBe(2);
		});

		it('answers Location for return=headers-only', async () => {
			const res = await rest(runtime, '/directors', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'return=headers-only' },
				body: JSON.stringify({ name: 'Located' })
			});
			expect(res.status).toBe(201);
			expect(res.headers.get('location')).toMatch(/^\/directors\?id=eq\.\d+$/);
			expect(res.headers.get('preference-applied')).toBe('return=headers-only');
		});

		it('uses only columns= and fills missing keys with defaults for missing=default', async () => {
			const { data, error } = await db
				.from('settings')
				.insert([{ key: 'theme', value: 'dark' }, { key: 'lang' }], { defaultToNull: false })
				.select('key, value')
				.order('key');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ key: 'lang', value: 'unset' },
				{ key: 'theme', value: 'dark' }
			]);
			const res = await rest(runtime, '/settings?columns=key&select=key,value', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'return=representation' },
				body: JSON.stringify({ key: 'only-key', value: 'ignored' })
			});
			expect(await res.json()).toEqual([{ key: 'only-key', value: 'unset' }]);
		});

		it('answers PGRST204 for an unknown column and 23505 → 409 for a duplicate key', async () => {
			const unknown = await db.from('settings').insert({ key: 'x', colour: 'red' });
			expect(unknown.status).toBe(400);
			expect(unknown.error).toMatchObject({ code: 'PGRST204', message: "Could not find the 'colour' column of 'settings' in the schema cache" });
			const dup = await db.from('settings').insert({ key: 'theme' });
			expect(dup.status).toBe(409);
			expect(dup.error).toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "settings_pkey"', details: 'Key (key)=(theme) already exists.' });
		});

		it('answers 23503 → 409 for a broken foreign key and 23502 → 400 for a null', async () => {
			const fk = await db.from('films').insert({ title: 'Orphan', director_id: 9999 });
			expect(fk.status).toBe(409);
			expect(fk.error?.code).toBe('23503');
			const nul = await db.from('films').insert({ year: 2000 });
			expect(nul.status).toBe(400);
			expect(nul.error?.code).toBe('23502');
		});

		it('leaves nothing written when a multi-row insert fails', async () => {
			const { error } = await db.from('actors').insert([{ name: 'Atomic 1' }, { name: null }]);
			expect(error?.code).toBe('23502');
			const { data } = await db.from('actors').select('id').eq('name', 'Atomic 1');
			expect(data).toEqual([]);
		});

		it('refuses invalid JSON (PGRST102) and oversized bodies (413), and keeps serving', async () => {
			const bad = await rest(runtime, '/actors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":' });
			expect(bad.status).toBe(400);
			expect(await bad.json()).toMatchObject({ code: 'PGRST102', message: 'Empty or invalid json' });
			const big = await rest(runtime, '/actors', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json' },
				body: JSON.stringify({ name: 'x'.repeat(runtime.config.maxBodyBytes + 10) })
			});
			expect(big.status).toBe(413);
			const { error } = await db.from('actors').select('id').limit(1);
			expect(error).toBeNull();
		});

		it('round-trips a large value (many network chunks each way)', async () => {
			const name = 'ü'.repeat(1_500_000);
			const { data, error } = await db.from('people').insert({ name }).select('id').single();
			expect(error).toBeNull();
			const back = await db.from('people').select('name').eq('id', data!.id).single();
			expect(back.data?.name).toBe(name);
		});

		it('inserts CSV payloads', async () => {
			const res = await rest(runtime, '/people', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'text/csv', Prefer: 'return=representation' },
				body: 'id,name\n50,"Comma, Person"\n51,Plain'
			});
			expect(res.status).toBe(201);
			expect(await res.json()).toEqual([
				{ id: 50, name: 'Comma, Person' },
				{ id: 51, name: 'Plain' }
			]);
		});
	});

	it('writes to another exposed schema with Content-Profile', async () => {
		const other = restClient(runtime, runtime.serviceRoleKey, { schema: 'api2' });
		const { data, error } = await other.from('things').insert({ id: 2, label: 'written to api2' }).select();
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 2, label: 'written to api2' }]);
		const res = await rest(runtime, '/things', {
			method: 'POST',
			headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', 'Content-Profile': 'api2', Prefer: 'return=representation' },
			body: JSON.stringify({ id: 3, label: 'raw' })
		});
		expect(res.status).toBe(201);
		expect(res.headers.get('content-profile')).toBe('api2');
		const wrong = await rest(runtime, '/things', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Profile': 'nope' }, body: '{}' });
		expect(wrong.status).toBe(406);
		expect(await wrong.json()).toMatchObject({ code: 'PGRST106' });
	});

	describe('upsert', () => {
		it('merges duplicates on the primary key (201 on insert, 200 when all rows existed)', async () => {
			const first = await db.from('settings').upsert({ key: 'volume', value: '5' }).select();
			expect(first.status).toBe(201);
			const again = await db.from('settings').upsert({ key: 'volume', value: '7' }).select('key, value');
			expect(again.status).toBe(200);
			expect(again.data).toEqual([{ key: 'volume', value: '7' }]);
		});

		it('uses on_conflict columns and ignore-duplicates', async () => {
			await db.from('scores').insert({ player: 'ann', game: 'chess', points: 1 });
			const merged = await db.from('scores').upsert({ player: 'ann', game: 'chess', points: 5 }, { onConflict: 'player,game' }).select('points');
			expect(merged.data).toEqual([{ points: 5 }]);
			const ignored = await db.from('scores').upsert({ player: 'ann', game: 'chess', points: 9 }, { onConflict: 'player,game', ignoreDuplicates: true }).select('points');
			expect(ignored.error).toBeNull();
			expect(ignored.data).toEqual([]);
			const { data } = await db.from('scores').select('points').eq('player', 'ann');
			expect(data).toEqual([{ points: 5 }]);
		});

		it('reports the applied resolution in Preference-Applied', async () => {
			const res = await rest(runtime, '/settings', {
				method: 'POST',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'resolution=merge-duplicates,return=minimal' },
				body: JSON.stringify({ key: 'volume', value: '8' })
			});
			expect(res.headers.get('preference-applied')).toBe('resolution=merge-duplicates, return=minimal');
		});

		it('PUT upserts one row by its primary key', async () => {
			const res = await rest(runtime, '/settings?key=eq.put-me', {
				method: 'PUT',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'return=representation' },
				body: JSON.stringify({ key: 'put-me', value: 'v1' })
			});
			expect(res.status).toBe(201);
			const mismatch = await rest(runtime, '/settings?key=eq.put-me', {
				method: 'PUT',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json' },
				body: JSON.stringify({ key: 'other', value: 'v1' })
			});
			expect(mismatch.status).toBe(400);
			expect(await mismatch.json()).toMatchObject({ code: 'PGRST115' });
		});
	});

	it('ignores Prefer: tx=rollback under the default db-tx-end (commit): the insert stays', async () => {
		const res = await rest(runtime, '/people', {
			method: 'POST',
			headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'tx=rollback' },
			body: JSON.stringify({ name: 'Not rolled back' })
		});
		expect(res.status).toBe(201);
		expect(res.headers.get('preference-applied')).toBeNull();
		const { data } = await db.from('people').select('name').eq('name', 'Not rolled back');
		expect(data).toEqual([{ name: 'Not rolled back' }]);
	});

	describe('update and delete', () => {
		it('updates filtered rows, 204 by default and 200 with the rows on select()', async () => {
			const ins = await db.from('people').insert([{ name: 'U1' }, { name: 'U2' }]).select('id');
			const ids = ins.data!.map((r) => r.id);
			const quiet = await db.from('people').update({ name: 'U-renamed' }).eq('id', ids[0]);
			expect(quiet.status).toBe(204);
			const loud = await db.from('people').update({ name: 'U2-renamed' }).eq('id', ids[1]).select('name');
			expect(loud.status).toBe(200);
			expect(loud.data).toEqual([{ name: 'U2-renamed' }]);
			const { count } = await db.from('people').update({ name: 'U' }, { count: 'exact' }).in('id', ids);
			expect(count).toBe(2);
		});

		it('deletes filtered rows and returns them with select()', async () => {
			await db.from('actors').insert([{ name: 'Del1' }, { name: 'Del2' }]);
			const { data, status } = await db.from('actors').delete().like('name', 'Del%').select('name').order('name');
			expect(status).toBe(200);
			expect(data).toEqual([{ name: 'Del1' }, { name: 'Del2' }]);
			const gone = await db.from('actors').delete().eq('name', 'Del1');
			expect(gone.status).toBe(204);
		});

		it('limits an update with order and limit', async () => {
			await db.from('scores').insert([
				{ player: 'lim', game: 'a', points: 1 },
				{ player: 'lim', game: 'b', points: 2 },
				{ player: 'lim', game: 'c', points: 3 }
			]);
			const res = await rest(runtime, '/scores?player=eq.lim&order=points.desc&limit=2', {
				method: 'PATCH',
				headers: { apikey: runtime.serviceRoleKey, 'Content-Type': 'application/json', Prefer: 'return=representation' },
				body: JSON.stringify({ note: 'top' })
			});
			const rows = (await res.json()) as { game: string }[];
			expect(rows.map((r) => r.game).sort()).toEqual(['b', 'c']);
		});

		it('rolls back when max-affected is exceeded with handling=strict (PGRST124)', async () => {
			await db.from('scores').insert([
				{ player: 'max', game: 'a' },
				{ player: 'max', game: 'b' }
			]);
			const res = await rest(runtime, '/scores?player=eq.max', {
				method: 'DELETE',
				headers: { apikey: runtime.serviceRoleKey, Prefer: 'handling=strict, max-affected=1' }
			});
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({ code: 'PGRST124', message: 'Query result exceeds max-affected preference constraint', details: 'The query affects 2 rows', hint: null });
			const { count } = await db.from('scores').select('*', { count: 'exact', head: true }).eq('player', 'max');
			expect(count).toBe(2);
		});

		it('rolls back a single-object update that touches several rows (PGRST116)', async () => {
			const { error, status } = await db.from('scores').update({ note: 'single' }).eq('player', 'max').select().single();
			expect(status).toBe(406);
			expect(error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });
			const { data } = await db.from('scores').select('note').eq('player', 'max');
			expect(data).toEqual([{ note: null }, { note: null }]);
		});

		it('rolls back a single-object delete without a body when it matches no row or several', async () => {
			const { error, status } = await db.from('scores').delete().eq('player', 'max').single();
			expect(status).toBe(406);
			expect(error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });
			const { count } = await db.from('scores').select('*', { count: 'exact', head: true }).eq('player', 'max');
			expect(count).toBe(2);
		});

		it('refuses an update or delete without a filter, as pg-safeupdate does on Supabase (21000, 400), and leaves every row', async () => {
			await db.from('actors').insert([{ name: 'Safe1' }, { name: 'Safe2' }]);
			const before = (await db.from('actors').select('*', { count: 'exact', head: true })).count;
			expect(before).toBeGreaterThanOrEqual(2);
			const del = await db.from('actors').delete();
			expect(del.status).toBe(400);
			expect(del.error).toEqual({ code: '21000', message: 'DELETE requires a WHERE clause', details: null, hint: null });
			const upd = await db.from('actors').update({ name: 'everyone' });
			expect(upd.status).toBe(400);
			expect(upd.error).toMatchObject({ code: '21000', message: 'UPDATE requires a WHERE clause' });
			expect((await db.from('actors').select('*', { count: 'exact', head: true })).count).toBe(before);
			expect((await db.from('actors').select('name').eq('name', 'everyone')).data).toEqual([]);
			// A limit picks rows by a condition of its own, so PostgREST's statement has a WHERE.
			const limited = await rest(runtime, '/actors?limit=1&order=id', { method: 'DELETE', headers: { apikey: runtime.serviceRoleKey } });
			expect(limited.status).toBe(204);
		});

		it('refuses unknown preferences with handling=strict (PGRST122)', async () => {
			const res = await rest(runtime, '/actors?select=id', { headers: { Prefer: 'handling=strict, nonsense' } });
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: 'PGRST122', details: 'Invalid preferences: nonsense' });
		});
	});
});
