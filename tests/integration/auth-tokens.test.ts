/**
 * Tokens (this project's config.toml: rotation on, reuse interval 10 s): refresh-token
 * rotation and reuse detection as GoTrue does them, and access tokens that are tampered
 * with, expired, unsigned, signed with another secret or algorithm, or malformed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { authClient, authFetch, decodeJwt, signJwt } from './auth-support.ts';

const PASSWORD = 'correct-horse-1';

describe('auth: refresh tokens and JWTs', () => {
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

	async function signedIn() {
		const sb = authClient(runtime);
		const email = uniqueEmail('tokens');
		const { data, error } = await sb.auth.signUp({ email, password: PASSWORD });
		expect(error).toBeNull();
		return { sb, email, session: data.session! };
	}

	const refresh = (token: string) =>
		authFetch(runtime, '/token?grant_type=refresh_token', {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
			body: JSON.stringify({ refresh_token: token })
		});

	/** Moves a session's refresh tokens' last change back past the reuse interval. */
	const ageTokens = (sessionId: string) =>
		sql`update auth.refresh_tokens set updated_at = updated_at - interval '1 minute' where session_id = ${sessionId}`;

	it('rotates the refresh token on every refresh', async () => {
		const { sb, session } = await signedIn();
		const refreshed = await sb.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		const next = refreshed.data.session!;
		expect(next.refresh_token).toMatch(/^[a-z0-9]{12}$/);
		expect(next.refresh_token).not.toBe(session.refresh_token);
		expect(next.user.id).toBe(session.user.id);
		const claims = decodeJwt(next.access_token).payload;
		// Refreshing keeps the session and how it was signed in to.
		expect(claims.session_id).toBe(decodeJwt(session.access_token).payload.session_id);
		expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
	});

	it('hands the active token back when its parent is presented again', async () => {
		const { session } = await signedIn();
		const first = await (await refresh(session.refresh_token)).json();
		const again = await refresh(session.refresh_token);
		expect(again.status).toBe(200);
		expect((await again.json()).refresh_token).toBe(first.refresh_token);
	});

	it('lets concurrent refreshes of one token agree on the next token', async () => {
		const { session } = await signedIn();
		const answers = await Promise.all([refresh(session.refresh_token), refresh(session.refresh_token), refresh(session.refresh_token)]);
		const bodies = await Promise.all(answers.map((a) => a.json()));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
		expect(new Set(bodies.map((b) => b.refresh_token)).size).toBe(1);
	});

	it('revokes the whole token family when an old token is reused after the interval', async () => {
		const { session } = await signedIn();
		const sessionId = decodeJwt(session.access_token).payload.session_id as string;
		const r1 = (await (await refresh(session.refresh_token)).json()).refresh_token;
		const r2 = (await (await refresh(r1)).json()).refresh_token;
		await ageTokens(sessionId);

		const reuse = await refresh(session.refresh_token);
		expect(reuse.status).toBe(400);
		expect(await reuse.json()).toEqual({ code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
		const [{ active }] = await sql`select count(*)::int as active from auth.refresh_tokens where session_id = ${sessionId} and not revoked`;
		expect(active).toBe(0);

		await ageTokens(sessionId);
		const rightful = await refresh(r2);
		expect(rightful.status).toBe(400);
		expect((await rightful.json()).code).toBe('refresh_token_already_used');
	});

	it('refuses unknown, malformed and signed-out refresh tokens', async () => {
		const sb = authClient(runtime);
		const unknown = await sb.auth.refreshSession({ refresh_token: 'abcdefgh2345' });
		expect(unknown.error?.status).toBe(400);
		expect(unknown.error?.code).toBe('refresh_token_not_found');
		expect(unknown.error?.message).toBe('Invalid Refresh Token: Refresh Token Not Found');

		const malformed = await sb.auth.refreshSession({ refresh_token: 'not valid' });
		expect(malformed.error?.code).toBe('validation_failed');
		expect(malformed.error?.message).toBe('Refresh token is not valid');

		const { sb: user, session } = await signedIn();
		await user.auth.signOut();
		const after = await refresh(session.refresh_token);
		expect(after.status).toBe(400);
		expect((await after.json()).code).toBe('refresh_token_not_found');
	});

	it('signs in users written by SQL with pgcrypto hashes, as seed files do', async () => {
		const email = uniqueEmail('seeded');
		const id = crypto.randomUUID();
		await sql`
			insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
			values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email},
				extensions.crypt(${PASSWORD}, extensions.gen_salt('bf', 6)), now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
		const { data, error } = await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD });
		expect(error).toBeNull();
		expect(data.user?.id).toBe(id);
		expect(data.user?.identities).toEqual([]);
	});

	it('refuses tampered, expired, unsigned, foreign and malformed JWTs (bad_jwt, 403)', async () => {
		const { sb, session } = await signedIn();
		const { payload } = decodeJwt(session.access_token);
		const [h, , s] = session.access_token.split('.');
		const now = Math.floor(Date.now() / 1000);
		const prefix = 'invalid JWT: unable to parse or verify signature, ';
		const cases: [string, string][] = [
			[`${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'service_role' })).toString('base64url')}.${s}`, 'token signature is invalid: signature is invalid'],
			[signJwt(runtime.jwtSecret, { ...payload, iat: now - 7200, exp: now - 3600 }), 'token has invalid claims: token is expired'],
			[signJwt(runtime.jwtSecret, payload, { alg: 'none', typ: 'JWT' }).replace(/[^.]+$/, ''), 'token signature is invalid: signing method none is invalid'],
			[signJwt('another-secret-another-secret-another-secret', payload), 'token signature is invalid: signature is invalid'],
			[signJwt(runtime.jwtSecret, payload, { alg: 'HS512', typ: 'JWT' }), 'token signature is invalid: signing method HS512 is invalid'],
			['not-a-jwt', 'token is malformed: token contains an invalid number of segments']
		];
		for (const [token, reason] of cases) {
			const { data, error } = await sb.auth.getUser(token);
			expect(data.user).toBeNull();
			expect(error?.status).toBe(403);
			expect(error?.code).toBe('bad_jwt');
			expect(error?.message).toBe(prefix + reason);
		}
	});

	it('refuses a token without a subject, and a missing or non-bearer Authorization', async () => {
		const anon = await authClient(runtime).auth.getUser(runtime.anonKey);
		expect(anon.error?.status).toBe(403);
		expect(anon.error?.code).toBe('bad_jwt');
		expect(anon.error?.message).toBe('invalid claim: missing sub claim');

		const basic = await authFetch(runtime, '/user', { headers: { authorization: 'Basic dXNlcjpwdw==' } });
		expect(basic.status).toBe(401);
		expect(await basic.json()).toEqual({ code: 401, error_code: 'no_authorization', msg: 'This endpoint requires a valid Bearer token' });
	});

	it('answers errors in the shape the request asks for (X-Supabase-Api-Version)', async () => {
		const body = JSON.stringify({ email: uniqueEmail('shape'), password: 'wrong-password' });
		const headers = { 'content-type': 'application/json' };
		const legacy = await authFetch(runtime, '/token?grant_type=password', { method: 'POST', headers, body });
		expect(legacy.status).toBe(400);
		expect(legacy.headers.get('x-sb-error-code')).toBe('invalid_credentials');
		expect(legacy.headers.get('x-supabase-api-version')).toBeNull();
		expect(await legacy.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });

		const current = await authFetch(runtime, '/token?grant_type=password', { method: 'POST', headers: { ...headers, 'x-supabase-api-version': '2024-01-01' }, body });
		expect(current.headers.get('x-supabase-api-version')).toBe('2024-01-01');
		expect(await current.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });

		const grant = await authFetch(runtime, '/token?grant_type=magic', { method: 'POST', headers, body: '{}' });
		expect(await grant.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'unsupported_grant_type' });
	});
});
