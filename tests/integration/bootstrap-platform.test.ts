/**
 * What Supabase's database image sets up before any migration, as migrations and tests
 * written for hosted Supabase (or `supabase start`) rely on it: roles and their settings,
 * schema owners and grants, default privileges, the claim helpers, the event triggers that
 * keep PostgREST's schema cache current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { client, startTestRuntime } from '../support/runtime.ts';

describe('platform bootstrap as Supabase has it', () => {
	let runtime: LocalSupabase;
	let sql: postgres.Sql;
	beforeAll(async () => {
		runtime = await startTestRuntime({ seed: false });
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
	});

	it('gives the API roles inherit and no login, service_role bypassrls, and authenticator login without inherit', async () => {
		const rows = await sql`select rolname, rolinherit, rolcanlogin, rolbypassrls from pg_roles
			where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`;
		expect(rows).toEqual([
			{ rolname: 'anon', rolinherit: true, rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'authenticated', rolinherit: true, rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'authenticator', rolinherit: false, rolcanlogin: true, rolbypassrls: false },
			{ rolname: 'service_role', rolinherit: true, rolcanlogin: false, rolbypassrls: true }
		]);
		const [members] = await sql`select
			pg_has_role('authenticator', 'anon', 'member') and pg_has_role('authenticator', 'authenticated', 'member')
				and pg_has_role('authenticator', 'service_role', 'member') as authenticator,
			not pg_has_role('authenticator', 'service_role', 'usage') as authenticator_holds_nothing,
			pg_has_role('supabase_read_only_user', 'pg_read_all_data', 'usage') as read_only`;
		expect(members).toEqual({ authenticator: true, authenticator_holds_nothing: true, read_only: true });
	});

	it('sets the statement timeouts of the API roles and no search_path of their own', async () => {
		const rows = await sql`select r.rolname, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
			where r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'postgres') order by r.rolname`;
		expect(Object.fromEntries(rows.map((r) => [r.rolname, r.setconfig]))).toEqual({
			anon: ['statement_timeout=3s'],
			authenticated: ['statement_timeout=8s'],
			authenticator: ['statement_timeout=8s', 'lock_timeout=8s'],
			postgres: ['search_path="$user", public, extensions']
		});
		// A session of the authenticator (PostgREST's login) starts with PostgreSQL's default path.
		const url = new URL(runtime.dbUrl);
		url.username = 'authenticator';
		url.password = 'postgres';
		const authenticator = postgres(url.toString(), { max: 1, onnotice: () => {} });
		try {
			const [row] = await authenticator`select current_setting('search_path') as search_path`;
			expect(row.search_path).toBe('"$user", public');
		} finally {
			await authenticator.end();
		}
	});

	it('lets supabase_admin own the auth, storage and realtime schemas, which the API roles may use but not read', async () => {
		const rows = await sql`select nspname, nspowner::regrole::text as owner,
				has_schema_privilege('anon', oid, 'usage') as anon_usage,
				has_schema_privilege('anon', oid, 'create') as anon_create
			from pg_namespace where nspname in ('auth', 'storage', 'realtime', 'extensions', 'graphql_public', 'public') order by nspname`;
		expect(rows).toEqual([
			{ nspname: 'auth', owner: 'supabase_admin', anon_usage: true, anon_create: false },
			{ nspname: 'extensions', owner: 'postgres', anon_usage: true, anon_create: false },
			{ nspname: 'graphql_public', owner: 'supabase_admin', anon_usage: true, anon_create: false },
			{ nspname: 'public', owner: 'pg_database_owner', anon_usage: true, anon_create: false },
			{ nspname: 'realtime', owner: 'supabase_admin', anon_usage: true, anon_create: false },
			{ nspname: 'storage', owner: 'supabase_admin', anon_usage: true, anon_create: false }
		]);
		const [row] = await sql`select has_table_privilege('authenticated', 'auth.users', 'select') as api_reads_users,
			has_table_privilege('postgres', 'auth.users', 'update') as postgres_updates_users`;
		expect(row).toEqual({ api_reads_users: false, postgres_updates_users: true });
	});

	it('serves a table a migration creates, without grants and without a reload signal, to anon as its policies allow', async () => {
		await sql.unsafe(`create table public.bootstrap_notes (id bigint generated always as identity primary key, body text not null, shared boolean not null);
			alter table public.bootstrap_notes enable row level security;
			create policy "anyone can read shared notes" on public.bootstrap_notes for select to anon using (shared);
			insert into public.bootstrap_notes (body, shared) values ('visible', true), ('hidden', false);`);
		const anon = client(runtime);
		await expect.poll(async () => (await anon.from('bootstrap_notes').select('body')).error?.code ?? null, { timeout: 5000 }).not.toBe('PGRST205');
		const result = await anon.from('bootstrap_notes').select('body');
		expect(result.error).toBeNull();
		expect(result.data).toEqual([{ body: 'visible' }]);
		// anon may write by grant (default privileges), but no policy lets it.
		const insert = await anon.from('bootstrap_notes').insert({ body: 'mine', shared: true });
		expect(insert.error?.code).toBe('42501');
	});

	it('reloads the REST schema cache when a column is added or a table dropped (pgrst_ddl_watch, pgrst_drop_watch)', async () => {
		const [trigger] = await sql`select string_agg(evtname || ':' || evtowner::regrole::text, ',' order by evtname) as triggers
			from pg_event_trigger where evtname like 'pgrst_%'`;
		expect(trigger.triggers).toBe('pgrst_ddl_watch:supabase_admin,pgrst_drop_watch:supabase_admin');
		const service = client(runtime, runtime.serviceRoleKey);
		const errorOf = async (columns: string) => (await service.from('bootstrap_moods').select(columns)).error?.code ?? null;
		await sql.unsafe(`create table public.bootstrap_moods (id int primary key)`);
		await expect.poll(() => errorOf('id'), { timeout: 5000 }).toBeNull();
		await sql.unsafe(`alter table public.bootstrap_moods add column label text`);
		await expect.poll(() => errorOf('label'), { timeout: 5000 }).toBeNull();
		await sql.unsafe(`drop table public.bootstrap_moods`);
		await expect.poll(() => errorOf('id'), { timeout: 5000 }).toBe('PGRST205');
	});

	it('auth.uid(), auth.role() and auth.email() read the one-setting-per-claim form as well as request.jwt.claims', async () => {
		const [row] = await sql.begin(async (tx) => {
			await tx`select set_config('request.jwt.claim.sub', '2f0e4bd4-42a8-4d39-9a8f-7c1f5b0b0c11', true),
				set_config('request.jwt.claim.role', 'authenticated', true),
				set_config('request.jwt.claim.email', 'legacy@example.test', true)`;
			return tx`select auth.uid()::text as uid, auth.role() as role, auth.email() as email`;
		});
		expect(row).toEqual({ uid: '2f0e4bd4-42a8-4d39-9a8f-7c1f5b0b0c11', role: 'authenticated', email: 'legacy@example.test' });
		const helpers = await sql`select proname, provolatile, proowner::regrole::text as owner, obj_description(oid, 'pg_proc') as comment
			from pg_proc where pronamespace = 'auth'::regnamespace and proname in ('uid', 'role', 'email', 'jwt') order by proname`;
		expect(helpers).toEqual([
			{ proname: 'email', provolatile: 's', owner: 'supabase_auth_admin', comment: "Deprecated. Use auth.jwt() -> 'email' instead." },
			{ proname: 'jwt', provolatile: 's', owner: 'supabase_auth_admin', comment: null },
			{ proname: 'role', provolatile: 's', owner: 'supabase_auth_admin', comment: "Deprecated. Use auth.jwt() -> 'role' instead." },
			{ proname: 'uid', provolatile: 's', owner: 'supabase_auth_admin', comment: "Deprecated. Use auth.jwt() -> 'sub' instead." }
		]);
	});

	it('gives the database the JWT secret and expiry as app.settings, as the CLI does', async () => {
		const [row] = await sql`select current_setting('app.settings.jwt_secret', true) as secret, current_setting('app.settings.jwt_exp', true) as exp`;
		expect(row).toEqual({ secret: runtime.jwtSecret, exp: '3600' });
	});

	it('keeps secrets in the vault: stored encrypted, read back decrypted, out of reach of the API roles', async () => {
		const [{ id }] = await sql`select vault.create_secret('s3cr3t-token', 'bootstrap_webhook_token', 'for a test') as id`;
		await sql`select vault.update_secret(${id}::uuid, new_description => 'rotated')`;
		const [row] = await sql`select s.secret <> 's3cr3t-token' as encrypted, d.decrypted_secret, d.name, d.description
			from vault.secrets s join vault.decrypted_secrets d using (id) where s.id = ${id}::uuid`;
		expect(row).toEqual({ encrypted: true, decrypted_secret: 's3cr3t-token', name: 'bootstrap_webhook_token', description: 'rotated' });
		const denied = await sql
			.begin(async (tx) => {
				await tx`set local role service_role`;
				return tx`select decrypted_secret from vault.decrypted_secrets`;
			})
			.catch((error: { code?: string }) => error.code);
		expect(denied).toBe('42501');
	});

	it('lets migrations enable pg_trgm and citext in the extensions schema', async () => {
		await sql.unsafe(`create extension if not exists pg_trgm with schema extensions;
			create extension if not exists citext with schema extensions;`);
		const [row] = await sql`select extensions.similarity('samenspel', 'samenspelen') > 0.5 as similar,
			'Anna'::extensions.citext = 'anna'::extensions.citext as equal`;
		expect(row).toEqual({ similar: true, equal: true });
	});

	it('keeps a table with a database webhook writable where pg_net is missing, recording the hook', async () => {
		await sql.unsafe(`create table public.bootstrap_hooked (id int primary key);
			create trigger notify_hook after insert on public.bootstrap_hooked for each row
				execute function supabase_functions.http_request('http://127.0.0.1:9/hook', 'POST', '{"Content-Type":"application/json"}', '{}', '1000');
			insert into public.bootstrap_hooked values (1);`);
		const [row] = await sql`select hook_name, request_id from supabase_functions.hooks
			where hook_table_id = 'public.bootstrap_hooked'::regclass`;
		expect(row).toEqual({ hook_name: 'notify_hook', request_id: null });
	});

	it('runs Auth as supabase_auth_admin with search_path auth: a trigger on auth.users must be security definer and name its tables', async () => {
		await sql`create table public.bootstrap_profiles (id uuid primary key)`;
		await sql`create function public.bootstrap_unqualified() returns trigger language plpgsql as $$
			begin insert into bootstrap_profiles (id) values (new.id); return new; end $$`;
		await sql`create trigger bootstrap_on_signup after insert on auth.users for each row execute function public.bootstrap_unqualified()`;
		const auth = client(runtime).auth;
		// Unqualified, invoker's rights: on Supabase neither finds nor may write the table.
		const first = await auth.signUp({ email: 'trigger-1@bootstrap.test', password: 'a-long-password-1' });
		expect(first.error?.status).toBe(500);
		expect(first.error?.message).toBe('Database error saving new user');
		await sql`create or replace function public.bootstrap_unqualified() returns trigger language plpgsql as $$
			begin insert into public.bootstrap_profiles (id) values (new.id); return new; end $$`;
		const second = await auth.signUp({ email: 'trigger-2@bootstrap.test', password: 'a-long-password-1' });
		expect(second.error?.status).toBe(500);
		// Security definer with a fixed search_path, as Supabase's docs write it: it works.
		await sql`create or replace function public.bootstrap_unqualified() returns trigger language plpgsql
			security definer set search_path = '' as $$
			begin insert into public.bootstrap_profiles (id) values (new.id); return new; end $$`;
		const third = await auth.signUp({ email: 'trigger-3@bootstrap.test', password: 'a-long-password-1' });
		expect(third.error).toBeNull();
		expect(await sql`select count(*)::int as n from public.bootstrap_profiles`).toEqual([{ n: 1 }]);
		expect(await sql`select count(*)::int as n from auth.users where email like 'trigger-%@bootstrap.test'`).toEqual([{ n: 1 }]);
		await sql`drop trigger bootstrap_on_signup on auth.users`;
	});
});
