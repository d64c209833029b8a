/**
 * Auth with e-mail and password, confirmations off (this project's config.toml): sign-up
 * signs in at once, sign-in, the user, metadata and password changes, sign-out with its
 * scopes, the JWT's claims, and the errors GoTrue gives along the way. All through
 * supabase-js; raw fetch only for endpoints it has no call for.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionMissingError } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { authClient, authFetch, decodeJwt } from './auth-support.ts';

const PASSWORD = 'correct-horse-1';

describe('auth: e-mail and password, confirmations off', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('signs up, signs in, reads and updates the user, and signs out', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('flow');
		const signUp = await sb.auth.signUp({ email, password: PASSWORD, options: { data: { display_name: 'Ada' } } });
		expect(signUp.error).toBeNull();
		expect(signUp.data.session?.access_token).toBeTruthy();
		expect(signUp.data.user?.email).toBe(email);
		expect(signUp.data.user?.email_confirmed_at).toBeTruthy();
		expect(signUp.data.user?.user_metadata).toMatchObject({ display_name: 'Ada', email, email_verified: true, phone_verified: false });

		await sb.auth.signOut();
		const signIn = await sb.auth.signInWithPassword({ email, password: PASSWORD });
		expect(signIn.error).toBeNull();
		expect(signIn.data.session?.refresh_token).toMatch(/^[a-z0-9]{12}$/);

		const got = await sb.auth.getUser();
		expect(got.error).toBeNull();
		expect(got.data.user?.id).toBe(signIn.data.user?.id);

		const updated = await sb.auth.updateUser({ data: { display_name: 'Ada L.', theme: 'dark' } });
		expect(updated.error).toBeNull();
		expect(updated.data.user?.user_metadata).toMatchObject({ display_name: 'Ada L.', theme: 'dark', email });

		const removed = await sb.auth.updateUser({ data: { theme: null } });
		expect(removed.data.user?.user_metadata).not.toHaveProperty('theme');

		const token = signIn.data.session!.access_token;
		expect((await sb.auth.signOut()).error).toBeNull();
		// The JWT is still signed and unexpired, but its session is gone.
		const after = await sb.auth.getUser(token);
		expect(after.error).toBeInstanceOf(AuthSessionMissingError);
		const raw = await authFetch(runtime, '/user', { headers: { authorization: `Bearer ${token}`, 'x-supabase-api-version': '2024-01-01' } });
		expect(raw.status).toBe(403);
		expect(await raw.json()).toEqual({ code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' });
	});

	it('returns the user and session in GoTrue’s shape', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('shape');
		const { data } = await sb.auth.signUp({ email, password: PASSWORD });
		const session = data.session!;
		expect(Object.keys(session).sort()).toEqual(['access_token', 'expires_at', 'expires_in', 'refresh_token', 'token_type', 'user'].sort());
		expect(session.token_type).toBe('bearer');
		expect(session.expires_in).toBe(3600);
		const user = data.user!;
		for (const key of ['id', 'aud', 'role', 'email', 'email_confirmed_at', 'phone', 'confirmed_at', 'last_sign_in_at', 'app_metadata', 'user_metadata', 'identities', 'created_at', 'updated_at', 'is_anonymous']) {
			expect(user).toHaveProperty(key);
		}
		expect(user).toMatchObject({ aud: 'authenticated', role: 'authenticated', phone: '', is_anonymous: false, app_metadata: { provider: 'email', providers: ['email'] } });
		expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
		expect(user.identities).toHaveLength(1);
		expect(user.identities![0]).toMatchObject({
			id: user.id,
			user_id: user.id,
			provider: 'email',
			email,
			identity_data: { sub: user.id, email, email_verified: false, phone_verified: false }
		});
	});

	it('issues JWTs with GoTrue’s claims, which getClaims() accepts', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('claims');
		const { data } = await sb.auth.signUp({ email, password: PASSWORD });
		const { header, payload } = decodeJwt(data.session!.access_token);
		expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
		expect(Object.keys(payload)).toEqual([
			'iss', 'sub', 'aud', 'exp', 'iat', 'email', 'phone', 'app_metadata', 'user_metadata', 'role', 'aal', 'amr', 'session_id', 'is_anonymous'
		]);
		expect(payload).toMatchObject({
			iss: `${runtime.url}/auth/v1`,
			sub: data.user!.id,
			aud: 'authenticated',
			email,
			phone: '',
			role: 'authenticated',
			aal: 'aal1',
			is_anonymous: false,
			app_metadata: { provider: 'email', providers: ['email'] }
		});
		expect(payload.exp).toBe((payload.iat as number) + 3600);
		expect(payload.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
		expect(payload.session_id).toMatch(/^[0-9a-f-]{36}$/);

		const claims = await sb.auth.getClaims();
		expect(claims.error).toBeNull();
		expect(claims.data?.claims.sub).toBe(data.user!.id);
		expect(claims.data?.claims.session_id).toBe(payload.session_id);
	});

	it('refuses a second sign-up with the same address (user_already_exists, 422)', async () => {
		const email = uniqueEmail('dup');
		expect((await authClient(runtime).auth.signUp({ email, password: PASSWORD })).error).toBeNull();
		const again = await authClient(runtime).auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
		expect(again.error?.status).toBe(422);
		expect(again.error?.code).toBe('user_already_exists');
		expect(again.error?.message).toBe('User already registered');
	});

	it('refuses a weak password (weak_password, 422, with reasons)', async () => {
		const { error } = await authClient(runtime).auth.signUp({ email: uniqueEmail('weak'), password: 'short' });
		expect(error?.status).toBe(422);
		expect(error?.code).toBe('weak_password');
		expect(error?.message).toBe('Password should be at least 8 characters.');
		expect((error as unknown as { reasons: string[] }).reasons).toEqual(['length']);
	});

	it('refuses passwords longer than bcrypt reads, and an empty one', async () => {
		const long = await authClient(runtime).auth.signUp({ email: uniqueEmail('long'), password: 'x'.repeat(73) });
		expect(long.error?.status).toBe(400);
		expect(long.error?.code).toBe('validation_failed');
		expect(long.error?.message).toBe('Password cannot be longer than 72 characters');
		const empty = await authClient(runtime).auth.signUp({ email: uniqueEmail('empty'), password: '' });
		expect(empty.error?.code).toBe('validation_failed');
		expect(empty.error?.message).toBe('Signup requires a valid password');
	});

	it('refuses a malformed e-mail address (validation_failed, 400)', async () => {
		const { error } = await authClient(runtime).auth.signUp({ email: 'not-an-address', password: PASSWORD });
		expect(error?.status).toBe(400);
		expect(error?.code).toBe('validation_failed');
		expect(error?.message).toBe('Unable to validate email address: invalid format');
	});

	it('answers invalid_credentials for a wrong password and an unknown address alike', async () => {
		const email = uniqueEmail('creds');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		for (const attempt of [
			{ email, password: 'wrong-password' },
			{ email: uniqueEmail('nobody'), password: PASSWORD }
		]) {
			const { error, data } = await authClient(runtime).auth.signInWithPassword(attempt);
			expect(data.session).toBeNull();
			expect(error?.status).toBe(400);
			expect(error?.code).toBe('invalid_credentials');
			expect(error?.message).toBe('Invalid login credentials');
		}
	});

	it('changes the password: the old one stops working, the same one is refused', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('pw');
		await sb.auth.signUp({ email, password: PASSWORD });
		const other = authClient(runtime);
		await other.auth.signInWithPassword({ email, password: PASSWORD });

		const same = await sb.auth.updateUser({ password: PASSWORD });
		expect(same.error?.status).toBe(422);
		expect(same.error?.code).toBe('same_password');

		const weak = await sb.auth.updateUser({ password: 'tiny' });
		expect(weak.error?.code).toBe('weak_password');

		const changed = await sb.auth.updateUser({ password: 'a-new-password-2' });
		expect(changed.error).toBeNull();
		// This session lives on; the other session ended with the password change.
		expect((await sb.auth.getUser()).error).toBeNull();
		expect((await other.auth.getUser()).error).toBeInstanceOf(AuthSessionMissingError);

		expect((await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD })).error?.code).toBe('invalid_credentials');
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'a-new-password-2' })).error).toBeNull();
	});

	it('signs out locally, everywhere else, or everywhere', async () => {
		const email = uniqueEmail('scopes');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		const sessions = [authClient(runtime), authClient(runtime), authClient(runtime)];
		for (const sb of sessions) expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const [a, b, c] = sessions;
		const tokens = await Promise.all(sessions.map(async (sb) => (await sb.auth.getSession()).data.session!.access_token));
		const alive = async (token: string) => (await a.auth.getUser(token)).error === null;

		expect((await a.auth.signOut({ scope: 'local' })).error).toBeNull();
		expect([await alive(tokens[0]), await alive(tokens[1]), await alive(tokens[2])]).toEqual([false, true, true]);

		expect((await b.auth.signOut({ scope: 'others' })).error).toBeNull();
		expect([await alive(tokens[1]), await alive(tokens[2])]).toEqual([true, false]);

		const d = authClient(runtime);
		await d.auth.signInWithPassword({ email, password: PASSWORD });
		expect((await b.auth.signOut({ scope: 'global' })).error).toBeNull();
		const dToken = (await d.auth.getSession()).data.session!.access_token;
		expect([await alive(tokens[1]), await alive(dToken)]).toEqual([false, false]);
		expect(c).toBeDefined();
	});

	it('refuses an unknown logout scope', async () => {
		const sb = authClient(runtime);
		const { data } = await sb.auth.signUp({ email: uniqueEmail('scope'), password: PASSWORD });
		const res = await authFetch(runtime, '/logout?scope=nowhere', { method: 'POST', headers: { authorization: `Bearer ${data.session!.access_token}` } });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ code: 400, error_code: 'validation_failed', msg: 'Unsupported logout scope "nowhere"' });
	});

	it('refuses anonymous sign-ins while they are disabled', async () => {
		const { error } = await authClient(runtime).auth.signInAnonymously();
		expect(error?.status).toBe(422);
		expect(error?.code).toBe('anonymous_provider_disabled');
		expect(error?.message).toBe('Anonymous sign-ins are disabled');
	});

	it('sets a phone number at once while SMS sign-ups auto-confirm (the CLI default)', async () => {
		const sb = authClient(runtime);
		await sb.auth.signUp({ email: uniqueEmail('phone'), password: PASSWORD });
		const phone = `3161${String(Date.now()).slice(-7)}`;
		const { data, error } = await sb.auth.updateUser({ phone: `+${phone}` });
		expect(error).toBeNull();
		expect(data.user?.phone).toBe(phone);
		expect(data.user?.phone_confirmed_at).toBeTruthy();
		expect(data.user?.identities?.map((i) => i.provider).sort()).toEqual(['email', 'phone']);
		const bad = await sb.auth.updateUser({ phone: 'call me' });
		expect(bad.error?.code).toBe('validation_failed');
	});

	it('answers MFA enrolment as GoTrue does with MFA disabled, and reports aal1', async () => {
		const sb = authClient(runtime);
		await sb.auth.signUp({ email: uniqueEmail('mfa'), password: PASSWORD });
		const enroll = await sb.auth.mfa.enroll({ factorType: 'totp' });
		expect(enroll.error?.status).toBe(422);
		expect(enroll.error?.code).toBe('mfa_totp_enroll_not_enabled');
		const aal = await sb.auth.mfa.getAuthenticatorAssuranceLevel();
		expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
		const factors = await sb.auth.mfa.listFactors();
		expect(factors.data?.all).toEqual([]);

		// A factor enrolled while MFA was on stays listed, but cannot be challenged or verified.
		const userId = decodeJwt((await sb.auth.getSession()).data.session!.access_token).payload.sub as string;
		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		const [{ id }] = await sql<{ id: string }[]>`
			insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
			values (gen_random_uuid(), ${userId}, 'old phone', 'totp', 'unverified', now(), now(), 'JBSWY3DPEHPK3PXP') returning id`;
		await sql.end();
		const challenge = await sb.auth.mfa.challenge({ factorId: id });
		expect(challenge.error?.status).toBe(422);
		expect(challenge.error?.code).toBe('mfa_totp_verify_not_enabled');
		expect(challenge.error?.message).toBe('MFA verification is disabled for TOTP');
		const verify = await sb.auth.mfa.verify({ factorId: id, challengeId: id, code: '123456' });
		expect(verify.error?.code).toBe('mfa_totp_verify_not_enabled');
		expect((await sb.auth.mfa.listFactors()).data?.all).toMatchObject([{ id, status: 'unverified' }]);
	});

	it('answers identity linking and SSO as GoTrue does with them disabled', async () => {
		const sb = authClient(runtime);
		await sb.auth.signUp({ email: uniqueEmail('link'), password: PASSWORD });
		const { data } = await sb.auth.getUserIdentities();
		const unlink = await sb.auth.unlinkIdentity(data!.identities[0]);
		expect(unlink.error?.status).toBe(404);
		expect(unlink.error?.code).toBe('manual_linking_disabled');
		const sso = await sb.auth.signInWithSSO({ domain: 'example.com' });
		expect(sso.error?.status).toBe(404);
		expect(sso.error?.code).toBe('saml_provider_disabled');
	});

	it('serves /settings, /health and the JWKS (the last two without an API key)', async () => {
		const settings = await authFetch(runtime, '/settings');
		expect(await settings.json()).toMatchObject({
			disable_signup: false,
			mailer_autoconfirm: true,
			external: { email: true, phone: false, anonymous_users: false, google: false }
		});
		const health = await authFetch(runtime, '/health', { key: null });
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({ name: 'GoTrue' });
		const jwks = await authFetch(runtime, '/.well-known/jwks.json', { key: null });
		expect(jwks.status).toBe(200);
		expect(await jwks.json()).toEqual({ keys: [] });
		// No key at all passes the gateway, as the CLI's does.
		const keyless = await authFetch(runtime, '/settings', { key: null });
		expect(keyless.status).toBe(200);
		const wrong = await authFetch(runtime, '/settings', { key: 'not-a-key' });
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
	});

	it('accepts the new publishable and secret keys as the legacy ones', async () => {
		const sb = authClient(runtime, { key: runtime.publishableKey });
		const email = uniqueEmail('opaque');
		expect((await sb.auth.signUp({ email, password: PASSWORD })).error).toBeNull();
		expect((await sb.auth.getUser()).data.user?.email).toBe(email);
		const admin = authClient(runtime, { key: runtime.secretKey });
		const list = await admin.auth.admin.listUsers({ perPage: 1 });
		expect(list.error).toBeNull();
		expect(list.data.users).toHaveLength(1);
	});
});
