/**
 * Closed sign-ups and bad input (tests/fixtures/auth-closed): every malformed, mistyped,
 * oversized or hostile request gets GoTrue's error, leaves nothing half-written, and the
 * server keeps serving. Raw fetch is used where supabase-js cannot send such a request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { adminClient, authClient, authFetch, fixture } from './auth-support.ts';

const PASSWORD = 'secret-pw-1';

describe('auth: closed sign-ups and bad input', () => {
	let runtime: LocalSupabase;
	let sql: postgres.Sql;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-closed') });
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
	});

	const post = (path: string, body: string, headers: Record<string, string> = {}) =>
		authFetch(runtime, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

	it('refuses sign-ups, anonymous ones and magic-link sign-ups while signups are disabled', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('closed');
		for (const { error } of [
			await sb.auth.signUp({ email, password: PASSWORD }),
			await sb.auth.signInAnonymously(),
			await sb.auth.signInWithOtp({ email })
		]) {
			expect(error?.status).toBe(422);
			expect(error?.code).toBe('signup_disabled');
			expect(error?.message).toBe('Signups not allowed for this instance');
		}
		const [{ count }] = await sql`select count(*)::int as count from auth.users where email = ${email}`;
		expect(count).toBe(0);
		// An admin can still create users, who then sign in.
		expect((await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).error).toBeNull();
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
	});

	it('answers malformed JSON with bad_json and Go’s message', async () => {
		const cases: [string, string][] = [
			['', 'unexpected end of JSON input'],
			['{"email": "a@b.c",', 'unexpected end of JSON input'],
			['{bad}', "invalid character 'b' looking for beginning of object key string"],
			['{"email" "x"}', "invalid character '\"' after object key"],
			['{"email": "x"} trailing', "invalid character 't' after top-level value"],
			['[]', 'json: cannot unmarshal array into Go value of type api.PasswordGrantParams'],
			['{"email": 42, "password": "x"}', 'json: cannot unmarshal number into Go struct field PasswordGrantParams.email of type string'],
			['['.repeat(20_000), 'exceeded max depth']
		];
		for (const [body, reason] of cases) {
			const res = await post('/token?grant_type=password', body);
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({ code: 400, error_code: 'bad_json', msg: `Could not parse request body as JSON: ${reason}` });
		}
		const typed = await post('/signup', '{"email":"a@example.com","password":"secret-pw-1","data":"not an object"}', { 'x-supabase-api-version': '2024-01-01' });
		expect(await typed.json()).toEqual({
			code: 'bad_json',
			message: 'Could not parse request body as JSON: json: cannot unmarshal string into Go struct field SignupParams.data of type map[string]interface {}'
		});
	});

	it('ignores unknown fields, and matches field names case-insensitively as Go does', async () => {
		const email = uniqueEmail('fields');
		await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const res = await post('/token?grant_type=password', JSON.stringify({ EMAIL: email, password: PASSWORD, remember_me: true, extra: { nested: [1, 2] } }));
		expect(res.status).toBe(200);
		expect((await res.json()).user.email).toBe(email);
	});

	it('refuses a body over the limit with 413 and keeps serving', async () => {
		const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(runtime.config.maxBodyBytes) });
		const res = await post('/token?grant_type=password', big, { 'x-supabase-api-version': '2024-01-01' });
		expect(res.status).toBe(413);
		expect(await res.json()).toEqual({ code: 'request_entity_too_large', message: `Request body too large (max ${runtime.config.maxBodyBytes} bytes)` });
		expect((await authFetch(runtime, '/health')).status).toBe(200);
	});

	it('refuses requests with a wrong API key before Auth sees them; without one, Auth answers itself', async () => {
		const body = JSON.stringify({ email: uniqueEmail('nokey'), password: PASSWORD });
		// As through the CLI's gateway: no key check, GoTrue answers (here: no such user).
		const missing = await authFetch(runtime, '/token?grant_type=password', { method: 'POST', body, key: null });
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ error_code: 'invalid_credentials' });
		const wrong = await authFetch(runtime, '/token?grant_type=password', { method: 'POST', body, key: 'sb_publishable_wrong' });
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
		const sb = authClient(runtime, { key: 'eyJhbGciOiJIUzI1NiJ9.e30.not-a-real-key' });
		const { error } = await sb.auth.signInWithPassword({ email: uniqueEmail('nokey'), password: PASSWORD });
		expect(error?.status).toBe(401);
	});

	it('never splices request text into SQL', async () => {
		const hostile = ["' or '1'='1", "x'; drop table auth.users; --", 'a@b.c\' union select * from auth.users --'];
		for (const email of hostile) {
			const res = await post('/token?grant_type=password', JSON.stringify({ email, password: "' or '1'='1" }));
			expect(res.status).toBe(400);
			expect((await res.json()).error_code).toBe('invalid_credentials');
		}
		const filter = await authFetch(runtime, `/admin/users?filter=${encodeURIComponent("%' or 1=1 --")}`, { key: runtime.serviceRoleKey });
		expect((await filter.json()).users).toEqual([]);
		const [{ exists }] = await sql`select to_regclass('auth.users') is not null as exists`;
		expect(exists).toBe(true);
	});

	it('leaves nothing half-written when a request fails midway', async () => {
		const email = uniqueEmail('atomic');
		const { error } = await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, id: 'not-a-uuid' });
		expect(error?.code).toBe('validation_failed');
		const clash = uniqueEmail('clash');
		const first = await adminClient(runtime).auth.admin.createUser({ email: clash, password: PASSWORD });
		// Same id again: the insert fails inside the transaction, so no identity of it remains.
		const second = await adminClient(runtime).auth.admin.createUser({ email: uniqueEmail('clash2'), password: PASSWORD, id: first.data.user!.id });
		expect(second.error?.status).toBe(500);
		const [{ users }] = await sql`select count(*)::int as users from auth.users where email = ${email}`;
		const [{ identities }] = await sql`select count(*)::int as identities from auth.identities where user_id = ${first.data.user!.id}`;
		expect(users).toBe(0);
		expect(identities).toBe(1);
	});

	it('answers unknown routes and methods as GoTrue’s router does', async () => {
		const unknown = await authFetch(runtime, '/nope');
		expect(unknown.status).toBe(404);
		expect(await unknown.text()).toBe('404 page not found\n');
		const method = await authFetch(runtime, '/signup', { method: 'GET' });
		expect(method.status).toBe(405);
		const provider = await authFetch(runtime, '/authorize?provider=github', { key: null });
		expect(provider.status).toBe(400);
		expect(await provider.json()).toEqual({ code: 400, error_code: 'validation_failed', msg: 'Unsupported provider: provider is not enabled' });
	});
});
