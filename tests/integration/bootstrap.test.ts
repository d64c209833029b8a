import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';

describe('platform bootstrap', () => {
	let runtime: LocalSupabase;
	let sql: postgres.Sql;
	beforeAll(async () => {
		runtime = await startTestRuntime();
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
	});

	it('creates the roles Supabase has before any migration', async () => {
		const rows = await sql`select rolname from pg_roles where rolname in
			('anon','authenticated','service_role','authenticator','supabase_admin','supabase_auth_admin')`;
		expect(rows.map((r) => r.rolname).sort()).toEqual(
			['anon', 'authenticated', 'authenticator', 'service_role', 'supabase_admin', 'supabase_auth_admin'].sort()
		);
	});

	it('creates auth, realtime and storage objects that migrations refer to', async () => {
		const [row] = await sql`select
			to_regclass('auth.users') is not null as users,
			to_regclass('auth.identities') is not null as identities,
			to_regclass('auth.sessions') is not null as sessions,
			to_regclass('auth.refresh_tokens') is not null as refresh_tokens,
			to_regclass('realtime.messages') is not null as messages,
			to_regclass('storage.objects') is not null as objects,
			to_regprocedure('auth.uid()') is not null as uid,
			to_regprocedure('auth.jwt()') is not null as jwt,
			to_regprocedure('realtime.topic()') is not null as topic,
			exists (select 1 from pg_publication where pubname = 'supabase_realtime') as publication`;
		expect(row).toEqual({
			users: true, identities: true, sessions: true, refresh_tokens: true, messages: true,
			objects: true, uid: true, jwt: true, topic: true, publication: true
		});
	});

	it('auth.uid() and auth.jwt() read the request claims', async () => {
		const [row] = await sql.begin(async (tx) => {
			await tx`select set_config('request.jwt.claims', '{"sub":"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d","role":"authenticated","email":"a@b.c"}', true)`;
			return tx`select auth.uid()::text as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'role' as jwt_role`;
		});
		expect(row).toEqual({ uid: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', role: 'authenticated', email: 'a@b.c', jwt_role: 'authenticated' });
	});

	it('extensions live in the extensions schema and resolve unqualified', async () => {
		const rows = await sql`select extname, extnamespace::regnamespace::text as schema from pg_extension where extname in ('pgcrypto','uuid-ossp') order by 1`;
		expect(rows).toEqual([
			{ extname: 'pgcrypto', schema: 'extensions' },
			{ extname: 'uuid-ossp', schema: 'extensions' }
		]);
	});
});
