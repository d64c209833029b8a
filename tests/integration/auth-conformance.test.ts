/**
 * Behaviour found different from a real Supabase CLI stack by running auth-js's own test
 * suite against this runtime (tests/fixtures/auth-conformance mirrors that suite's
 * config.toml). Each test states what GoTrue, behind the CLI's Kong, answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import postgres from 'postgres';
import { adminClient, authClient, fixture } from './auth-support.ts';

const PASSWORD = 'secret-pw-1';

describe('auth: conformance with GoTrue behind the CLI', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-conformance') });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	const raw = (path: string, init: RequestInit = {}) => fetch(`${runtime.url}/auth/v1${path}`, init);
	const json = { 'content-type': 'application/json' };

	it('takes no bearer token from a legacy API key alone, but does from an opaque one', async () => {
		// Kong copies a legacy JWT key into Authorization without "Bearer ", which GoTrue refuses.
		const legacy = await raw('/user', { headers: { apikey: runtime.anonKey } });
		expect(legacy.status).toBe(401);
		expect(await legacy.json()).toEqual({ code: 401, error_code: 'no_authorization', msg: 'This endpoint requires a valid Bearer token' });
		const admin = await raw('/admin/users', { headers: { apikey: runtime.serviceRoleKey } });
		expect(admin.status).toBe(401);
		// For an opaque key Kong sends its role's JWT, which has no user in it.
		const opaque = await raw('/user', { headers: { apikey: runtime.publishableKey } });
		expect(opaque.status).toBe(403);
		expect((await opaque.json()).error_code).toBe('bad_jwt');
		const secret = await raw('/admin/users?per_page=1', { headers: { apikey: runtime.secretKey } });
		expect(secret.status).toBe(200);
	});

	it('refuses MFA enrolment without a session: supabase-js sends the anon key, a JWT with no user', async () => {
		const { data, error } = await authClient(runtime).auth.mfa.enroll({ factorType: 'totp' });
		expect(data).toBeNull();
		expect(error?.status).toBe(403);
		expect(error?.code).toBe('bad_jwt');
		expect(error?.message).toBe('invalid claim: missing sub claim');
	});

	it('checks the phone number of an SMS code before the code', async () => {
		const { data, error } = await authClient(runtime).auth.verifyOtp({ phone: '+1-555-not-a-number', token: '123456', type: 'sms' });
		expect(data.user).toBeNull();
		expect(error?.status).toBe(400);
		expect(error?.code).toBe('validation_failed');
		expect(error?.message).toBe('Invalid phone number format (E.164 required)');
	});

	it('answers ID-token sign-ins for a provider that is not enabled', async () => {
		const sb = authClient(runtime);
		const google = await sb.auth.signInWithIdToken({ provider: 'google', token: 'not-a-jwt', nonce: 'n' });
		expect(google.data.session).toBeNull();
		expect(google.error?.status).toBe(400);
		expect(google.error?.code).toBe('provider_disabled');
		expect(google.error?.message).toBe('Provider (issuer "https://accounts.google.com") is not enabled');

		const apple = await sb.auth.signInWithIdToken({ provider: 'apple', token: 'not-a-jwt' });
		expect(apple.error?.message).toBe('Unable to detect issuer in ID token for Apple provider');

		const other = await sb.auth.signInWithIdToken({ provider: 'someone', token: 'x' });
		expect(other.error?.message).toBe('Custom OIDC provider "someone" not allowed');

		const missing = await raw('/token?grant_type=id_token', { method: 'POST', headers: { ...json, apikey: runtime.anonKey }, body: JSON.stringify({ provider: 'google' }) });
		expect(missing.status).toBe(400);
		expect(await missing.json()).toEqual({ error: 'invalid request', error_description: 'id_token required' });
	});

	it('answers Web3 sign-ins with web3_provider_disabled', async () => {
		const res = await raw('/token?grant_type=web3', {
			method: 'POST',
			headers: { ...json, apikey: runtime.anonKey, 'x-supabase-api-version': '2024-01-01' },
			body: JSON.stringify({ chain: 'solana', message: 'm', signature: 's' })
		});
		expect(res.status).toBe(422);
		expect(await res.json()).toEqual({ code: 'web3_provider_disabled', message: 'Web3 provider is disabled' });
	});

	it('signs up, in and out with many requests from one client that names no address', async () => {
		// The CLI's GoTrue has no rate-limit header configured, so it limits nothing per IP.
		const results = await Promise.all(
			Array.from({ length: 40 }, () => raw('/signup', { method: 'POST', headers: { ...json, apikey: runtime.anonKey }, body: JSON.stringify({ email: uniqueEmail('many'), password: PASSWORD }) }))
		);
		expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
	});

	it('renames and deletes a user\'s MFA factor through the admin API', async () => {
		const admin = adminClient(runtime);
		const { data } = await admin.auth.admin.createUser({ email: uniqueEmail('factor'), password: PASSWORD, email_confirm: true });
		const userId = data.user!.id;
		// No factor can be enrolled here (MFA is off), so one is written as GoTrue would store it.
		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		const [{ id }] = await sql<{ id: string }[]>`
			insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at)
			values (gen_random_uuid(), ${userId}, 'phone app', 'totp', 'verified', now(), now()) returning id`;
		await sql.end();

		const missing = await admin.auth.admin.mfa.deleteFactor({ userId, id: '00000000-0000-0000-0000-000000000000' });
		expect(missing.error?.status).toBe(404);
		expect(missing.error?.code).toBe('mfa_factor_not_found');
		expect(missing.error?.message).toBe('Factor not found');

		const renamed = await raw(`/admin/users/${userId}/factors/${id}`, {
			method: 'PUT',
			headers: { ...json, apikey: runtime.secretKey },
			body: JSON.stringify({ friendly_name: 'laptop' })
		});
		expect(renamed.status).toBe(200);
		expect(await renamed.json()).toMatchObject({ id, friendly_name: 'laptop', factor_type: 'totp', status: 'verified' });

		const deleted = await admin.auth.admin.mfa.deleteFactor({ userId, id });
		expect(deleted.error).toBeNull();
		expect((await admin.auth.admin.mfa.listFactors({ userId })).data?.factors).toEqual([]);
	});

	it('answers the OAuth 2.1 server routes with feature_disabled', async () => {
		const { data, error } = await adminClient(runtime).auth.admin.oauth.listClients();
		expect(data).toMatchObject({ clients: [] });
		expect(error?.status).toBe(404);
		expect(error?.code).toBe('feature_disabled');
		expect(error?.message).toBe('OAuth server is disabled');
		const discovery = await raw('/.well-known/oauth-authorization-server');
		expect(discovery.status).toBe(404);
		expect(await discovery.json()).toEqual({ code: 404, error_code: 'feature_disabled', msg: 'OAuth server is disabled' });
	});

	it('serves the OpenID discovery document even with the OAuth 2.1 server off', async () => {
		const res = await raw('/.well-known/openid-configuration');
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('public, max-age=600');
		const issuer = `${runtime.url}/auth/v1`;
		expect(await res.json()).toMatchObject({
			issuer,
			authorization_endpoint: `${issuer}/oauth/authorize`,
			token_endpoint: `${issuer}/oauth/token`,
			jwks_uri: `${issuer}/.well-known/jwks.json`,
			response_types_supported: ['code'],
			code_challenge_methods_supported: ['S256', 'plain']
		});
	});

	it('answers the passkey routes as GoTrue with passkeys off, and lists no passkeys for the admin', async () => {
		const options = await raw('/passkeys/authentication/options', { method: 'POST', headers: { ...json, apikey: runtime.anonKey }, body: '{}' });
		expect(options.status).toBe(404);
		expect(await options.json()).toEqual({ code: 404, error_code: 'passkey_disabled', msg: 'Passkeys are disabled' });
		const admin = adminClient(runtime);
		const { data } = await admin.auth.admin.createUser({ email: uniqueEmail('passkey'), password: PASSWORD, email_confirm: true });
		const listed = await raw(`/admin/users/${data.user!.id}/passkeys`, { headers: { apikey: runtime.secretKey } });
		expect(listed.status).toBe(200);
		expect(await listed.json()).toEqual([]);
	});
});
