/**
 * Who a request runs as: the JWT's role with request.jwt.claims and request.* set, so
 * row-level security is the real thing (owner-only, anon-readable, auth.jwt() policies);
 * PostgREST's JWT errors; roles the authenticator may not become; db-pre-request; and the
 * schema cache following NOTIFY pgrst and migrations.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';
import { rest, restClient, restFixture, signUserJwt, type TestUser } from '../support/rest.ts';

describe('REST as the JWT role', () => {
	let runtime: LocalSupabase;
	let sql: postgres.Sql;
	let alice: TestUser;
	let bob: TestUser;
	let project: string;
	beforeAll(async () => {
		// A copy of the fixture project, so a migration added here stays here.
		project = await mkdtemp(path.join(tmpdir(), 'rest-auth-'));
		await cp(path.join(restFixture, 'supabase'), path.join(project, 'supabase'), { recursive: true });
		runtime = await startTestRuntime({ workdir: project });
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		alice = await signUserJwt(runtime, { email: 'alice@studio.test', app_metadata: { staff: 'true' } });
		bob = await signUserJwt(runtime, { email: 'bob@studio.test' });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
		if (project) await rm(project, { recursive: true, force: true });
	});

	describe('row-level security', () => {
		it('owner-only notes: each user sees and changes only their own, anon sees nothing', async () => {
			const asAlice = restClient(runtime, alice.jwt);
			const asBob = restClient(runtime, bob.jwt);
			const anon = restClient(runtime);

			const created = await asAlice.from('notes').insert({ body: 'alice secret' }).select('owner_id, body').single();
			expect(created.error).toBeNull();
			expect(created.data).toEqual({ owner_id: alice.id, body: 'alice secret' });
			await asBob.from('notes').insert({ body: 'bob secret' });

			// Alice reads her note only; Bob his; anon none.
			expect((await asAlice.from('notes').select('body')).data).toEqual([{ body: 'alice secret' }]);
			expect((await asBob.from('notes').select('body')).data).toEqual([{ body: 'bob secret' }]);
			expect((await anon.from('notes').select('body')).data).toEqual([]);

			// Bob cannot change or delete Alice's note: zero rows affected, no error.
			const update = await asBob.from('notes').update({ body: 'hacked' }).eq('body', 'alice secret').select();
			expect(update.data).toEqual([]);
			const del = await asBob.from('notes').delete().eq('body', 'alice secret').select();
			expect(del.data).toEqual([]);
			expect((await asAlice.from('notes').select('body')).data).toEqual([{ body: 'alice secret' }]);

			// Bob cannot write a note in Alice's name: the WITH CHECK refuses it (42501 → 403).
			const forged = await asBob.from('notes').insert({ body: 'forged', owner_id: alice.id });
			expect(forged.status).toBe(403);
			expect(forged.error).toMatchObject({ code: '42501', message: 'new row violates row-level security policy for table "notes"' });

			// Anon cannot insert at all: permission by policy → 401 for the anonymous role.
			const anonInsert = await anon.from('notes').insert({ body: 'anon', owner_id: alice.id });
			expect(anonInsert.status).toBe(401);
			expect(anonInsert.error?.code).toBe('42501');
		});

		it('anon-readable announcements: everyone reads, only service_role writes', async () => {
			const anon = restClient(runtime);
			const asBob = restClient(runtime, bob.jwt);
			expect((await anon.from('announcements').select('body').order('id')).data).toEqual([{ body: 'welcome' }, { body: 'maintenance tonight' }]);
			expect((await asBob.from('announcements').select('body').order('id')).data).toHaveLength(2);
			expect((await asBob.from('announcements').insert({ body: 'spam' })).status).toBe(403);
			const admin = restClient(runtime, runtime.serviceRoleKey);
			expect((await admin.from('announcements').insert({ body: 'official' })).status).toBe(201);
		});

		it('a policy on auth.jwt() sees the claims: staff of the right domain only', async () => {
			const asAlice = restClient(runtime, alice.jwt);
			const asBob = restClient(runtime, bob.jwt);
			expect((await asAlice.from('staff_documents').select('title')).data).toEqual([{ title: 'handbook' }]);
			expect((await asBob.from('staff_documents').select('title')).data).toEqual([]);
		});

		it('insert-only tables accept return=minimal but refuse to return rows', async () => {
			const asBob = restClient(runtime, bob.jwt);
			const minimal = await asBob.from('feedback').insert({ message: 'nice' });
			expect(minimal.error).toBeNull();
			expect(minimal.status).toBe(201);
			const representation = await asBob.from('feedback').insert({ message: 'again' }).select();
			expect(representation.error?.code).toBe('42501');
		});

		it('a user signed in through Auth reads and writes their own rows', async () => {
			const client = restClient(runtime);
			const { data: signUp, error: signUpError } = await client.auth.signUp({ email: 'carol@studio.test', password: 'correct horse battery' });
			expect(signUpError).toBeNull();
			expect(signUp.session).not.toBeNull();
			const created = await client.from('notes').insert({ body: 'carol via auth' }).select('owner_id, body').single();
			expect(created.error).toBeNull();
			expect(created.data).toEqual({ owner_id: signUp.user!.id, body: 'carol via auth' });
			expect((await client.from('notes').select('body')).data).toEqual([{ body: 'carol via auth' }]);
		});

		it('service_role bypasses row-level security', async () => {
			const admin = restClient(runtime, runtime.serviceRoleKey);
			const { data } = await admin.from('notes').select('body').order('id');
			expect(data).toEqual([{ body: 'alice secret' }, { body: 'bob secret' }, { body: 'carol via auth' }]);
		});
	});

	describe('request settings', () => {
		it('sets role, claims, method, path, headers and cookies for SQL', async () => {
			const res = await rest(runtime, '/rpc/whoami', {
				method: 'POST',
				headers: { Authorization: `Bearer ${alice.jwt}`, 'Content-Type': 'application/json', 'X-Test-Header': 'hello', Cookie: 'flavour=mint; other=1' },
				body: '{}'
			});
			expect(await res.json()).toEqual({
				role: 'authenticated',
				sub: alice.id,
				email: 'alice@studio.test',
				method: 'POST',
				path: '/rpc/whoami',
				header: 'hello',
				cookie: 'mint'
			});
		});

		it("applies the role's own settings (statement_timeout) and Prefer: timezone", async () => {
			expect((await restClient(runtime).rpc('current_setting_of', { name: 'statement_timeout' })).data).toBe('3s');
			expect((await restClient(runtime, alice.jwt).rpc('current_setting_of', { name: 'statement_timeout' })).data).toBe('8s');
			const res = await rest(runtime, '/rpc/current_setting_of?name=TimeZone', { headers: { Prefer: 'timezone=America/Los_Angeles' } });
			expect(await res.json()).toBe('America/Los_Angeles');
			expect(res.headers.get('preference-applied')).toBe('timezone=America/Los_Angeles');
		});

		it('runs as anon with the anon key alone', async () => {
			const { data } = await restClient(runtime).rpc('whoami');
			expect(data).toMatchObject({ role: 'anon', sub: null });
		});

		it('honours a db-pre-request function set in the database config', async () => {
			await sql.unsafe(`
				create or replace function public.check_request() returns void language plpgsql as $$
				begin
				  if current_setting('request.headers', true)::json ->> 'x-blocked' = 'yes' then
				    raise exception 'blocked by pre-request' using errcode = 'PT403';
				  end if;
				end $$;
				grant execute on function public.check_request() to anon, authenticated, service_role;
				alter role authenticator set pgrst.db_pre_request = 'public.check_request';
				notify pgrst, 'reload config';`);
			try {
				await expect.poll(async () => (await rest(runtime, '/films?select=id&limit=1', { headers: { 'X-Blocked': 'yes' } })).status, { timeout: 5000 }).toBe(403);
				const ok = await rest(runtime, '/films?select=id&limit=1');
				expect(ok.status).toBe(200);
			} finally {
				await sql.unsafe(`alter role authenticator reset pgrst.db_pre_request; notify pgrst, 'reload config';`);
			}
		});
	});

	describe('JWT errors', () => {
		it('refuses an expired token with PGRST303 and WWW-Authenticate', async () => {
			const expired = await signUserJwt(runtime, { expiresIn: -60 });
			const res = await rest(runtime, '/films', { headers: { Authorization: `Bearer ${expired.jwt}` } });
			expect(res.status).toBe(401);
			expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="JWT expired"');
			expect(await res.json()).toEqual({ code: 'PGRST303', message: 'JWT expired', details: null, hint: null });
		});

		it('refuses a token signed with another secret or malformed (PGRST301)', async () => {
			const forged = await new SignJWT({ role: 'service_role' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(40)));
			const res = await rest(runtime, '/films', { headers: { Authorization: `Bearer ${forged}` } });
			expect(res.status).toBe(401);
			expect(await res.json()).toMatchObject({ code: 'PGRST301' });
			const junk = await rest(runtime, '/films', { headers: { Authorization: 'Bearer not.a-jwt' } });
			expect(junk.status).toBe(401);
			expect(await junk.json()).toMatchObject({ code: 'PGRST301', message: 'Expected 3 parts in JWT; got 2' });
			// An empty bearer is passed on by the CLI's gateway, and PostgREST refuses it.
			const empty = await rest(runtime, '/films', { headers: { Authorization: 'Bearer ' } });
			expect(empty.status).toBe(401);
			expect(empty.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="Empty JWT is sent in Authorization header"');
			expect(await empty.json()).toEqual({ code: 'PGRST301', message: 'Empty JWT is sent in Authorization header', details: null, hint: null });
		});

		it('refuses roles that do not exist (401) or the authenticator may not become (403)', async () => {
			const ghost = await signUserJwt(runtime, { role: 'ghost' });
			const res = await rest(runtime, '/films', { headers: { Authorization: `Bearer ${ghost.jwt}` } });
			expect(res.status).toBe(401);
			expect(await res.json()).toMatchObject({ code: '22023', message: 'role "ghost" does not exist' });
			const admin = await signUserJwt(runtime, { role: 'supabase_admin' });
			const denied = await rest(runtime, '/films', { headers: { Authorization: `Bearer ${admin.jwt}` } });
			expect(denied.status).toBe(403);
			expect(await denied.json()).toMatchObject({ code: '42501', message: 'permission denied to set role "supabase_admin"' });
		});
	});

	describe('schema cache', () => {
		it('serves a new table after NOTIFY pgrst, reload schema', async () => {
			// The bootstrap's pgrst_ddl_watch event trigger would announce the table itself; a
			// replica session role holds it back, so only the manual signal can make it appear.
			await sql.begin((tx) => tx.unsafe(`set local session_replication_role = replica;
				create table public.late_arrival (id int primary key); insert into public.late_arrival values (7);`));
			const before = await restClient(runtime).from('late_arrival').select('id');
			expect(before.error?.code).toBe('PGRST205');
			await sql.unsafe(`notify pgrst, 'reload schema'`);
			await expect.poll(async () => (await restClient(runtime).from('late_arrival').select('id')).data, { timeout: 5000 }).toEqual([{ id: 7 }]);
		});

		it('serves a table added by a migration applied while running', async () => {
			const file = path.join(project, 'supabase/migrations/20990101000000_migrated_later.sql');
			await writeFile(file, 'create table public.migrated_later (id int primary key);\ninsert into public.migrated_later values (1);\n');
			expect(await runtime.migrate()).toHaveLength(1);
			const { data, error } = await restClient(runtime).from('migrated_later').select('id');
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 1 }]);
		});

		it('keeps serving after a database reset (fresh schema cache, closed connections replaced)', async () => {
			await runtime.reset();
			const db = restClient(runtime);
			const { data, error } = await db.from('announcements').select('body').order('id');
			expect(error).toBeNull();
			expect(data).toEqual([{ body: 'welcome' }, { body: 'maintenance tonight' }]);
			const gone = await db.from('late_arrival').select('id');
			expect(gone.error?.code).toBe('PGRST205');
		});

		it('allows aggregates once pgrst.db_aggregates_enabled is set (PGRST123 before)', async () => {
			const db = restClient(runtime);
			const off = await db.from('films').select('director_id, count(), rating.avg()');
			expect(off.error).toMatchObject({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed' });
			await sql.unsafe(`alter role authenticator set pgrst.db_aggregates_enabled = 'true'; notify pgrst, 'reload config';`);
			try {
				await expect.poll(async () => (await db.from('films').select('count()')).data, { timeout: 5000 }).toEqual([{ count: 5 }]);
				const { data } = await db.from('films').select('director_id, count(), total:rating.sum()').not('director_id', 'is', null).order('director_id');
				expect(data).toEqual([
					{ director_id: 1, count: 2, total: 15.9 },
					{ director_id: 2, count: 2, total: 16.8 }
				]);
			} finally {
				await sql.unsafe(`alter role authenticator reset pgrst.db_aggregates_enabled; notify pgrst, 'reload config';`);
			}
		});
	});
});
