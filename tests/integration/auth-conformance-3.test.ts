/**
 * Behaviour of Supabase Auth (GoTrue) that a suite written against a real project checks
 * through supabase-js, found different here by reading GoTrue's handlers
 * (`internal/api/*.go`). Each test states what GoTrue answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { adminClient, authClient, fixture, lastMail } from './auth-support.ts';

const PASSWORD = 'secret-pw-1';

describe('auth: conformance with GoTrue, round 3', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-conformance-3') });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	async function signedIn() {
		const email = uniqueEmail();
		const { error } = await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		expect(error).toBeNull();
		const sb = authClient(runtime);
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		return { sb, email };
	}

	it('with manual linking on, refuses to link a provider that is not enabled and to unlink the only identity', async () => {
		const { sb } = await signedIn();
		const link = await sb.auth.linkIdentity({ provider: 'github', options: { skipBrowserRedirect: true } });
		expect(link.error?.status).toBe(400);
		expect(link.error?.code).toBe('validation_failed');
		expect(link.error?.message).toBe('Unsupported provider: provider is not enabled');

		const { identities } = (await sb.auth.getUserIdentities()).data!;
		expect(identities).toHaveLength(1);
		const only = await sb.auth.unlinkIdentity(identities[0]);
		expect(only.error?.status).toBe(422);
		expect(only.error?.code).toBe('single_identity_not_deletable');
		expect(only.error?.message).toBe('User must have at least 1 identity after unlinking');

		const token = (await sb.auth.getSession()).data.session!.access_token;
		const malformed = await fetch(`${runtime.url}/auth/v1/user/identities/not-a-uuid`, {
			method: 'DELETE',
			headers: { apikey: runtime.anonKey, authorization: `Bearer ${token}` }
		});
		expect(malformed.status).toBe(404);
		expect(await malformed.json()).toEqual({ code: 404, error_code: 'validation_failed', msg: 'identity_id must be an UUID' });
	});

	it('unlinks a phone identity, and an e-mail one by promoting what is left', async () => {
		const { sb, email } = await signedIn();
		const phone = `1555${String(Date.now()).slice(-7)}`;
		expect((await sb.auth.updateUser({ phone })).error).toBeNull();
		let { identities } = (await sb.auth.getUserIdentities()).data!;
		expect(identities.map((i) => i.provider).sort()).toEqual(['email', 'phone']);
		const unknown = await sb.auth.unlinkIdentity({ ...identities[0], identity_id: '00000000-0000-0000-0000-000000000001' });
		expect(unknown.error?.status).toBe(422);
		expect(unknown.error?.code).toBe('identity_not_found');

		expect((await sb.auth.unlinkIdentity(identities.find((i) => i.provider === 'phone')!)).error).toBeNull();
		let user = (await sb.auth.getUser()).data.user!;
		expect(user.phone).toBe('');
		expect(user.email).toBe(email);
		expect(user.app_metadata).toMatchObject({ provider: 'email', providers: ['email'] });

		expect((await sb.auth.updateUser({ phone })).error).toBeNull();
		identities = (await sb.auth.getUserIdentities()).data!.identities;
		expect((await sb.auth.unlinkIdentity(identities.find((i) => i.provider === 'email')!)).error).toBeNull();
		user = (await sb.auth.getUser()).data.user!;
		// No identity carries an address any more: the user keeps none, unconfirmed.
		expect(user.email).toBe('');
		expect(user.email_confirmed_at).toBeUndefined();
		expect(user.phone).toBe(phone);
		expect(user.app_metadata).toMatchObject({ provider: 'phone', providers: ['phone'] });
		expect(user.user_metadata.email_verified).toBe(false);
	});

	it('answers every custom OAuth provider call with feature_disabled, as GoTrue with them off', async () => {
		const providers = adminClient(runtime).auth.admin.customProviders;
		const answers = [
			await providers.listProviders(),
			await providers.createProvider({ provider_type: 'oauth2', identifier: 'custom:acme', name: 'Acme' } as never),
			await providers.getProvider('custom:acme'),
			await providers.updateProvider('custom:acme', { name: 'Acme 2' } as never),
			await providers.deleteProvider('custom:acme')
		];
		for (const { error } of answers) {
			expect(error?.status).toBe(404);
			expect(error?.code).toBe('feature_disabled');
			expect(error?.message).toBe('Custom OAuth providers are disabled');
		}
	});

	it('lists no SSO identity providers to the admin, and finds none by id', async () => {
		const headers = { apikey: runtime.serviceRoleKey, authorization: `Bearer ${runtime.serviceRoleKey}` };
		const list = await fetch(`${runtime.url}/auth/v1/admin/sso/providers`, { headers });
		expect(list.status).toBe(200);
		expect(await list.json()).toEqual({ items: [] });
		const one = await fetch(`${runtime.url}/auth/v1/admin/sso/providers/00000000-0000-0000-0000-000000000001`, { headers });
		expect(one.status).toBe(404);
		expect((await one.json()).error_code).toBe('sso_provider_not_found');
		const anon = await fetch(`${runtime.url}/auth/v1/admin/sso/providers`, { headers: { apikey: runtime.anonKey, authorization: `Bearer ${runtime.anonKey}` } });
		expect(anon.status).toBe(403);
	});

	it('records account events in the audit log, served newest first at /admin/audit', async () => {
		const email = uniqueEmail();
		const sb = authClient(runtime);
		const { data: signedUp } = await sb.auth.signUp({ email, password: PASSWORD });
		const userId = signedUp.user!.id;
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		expect((await sb.auth.signOut()).error).toBeNull();
		const admin = adminClient(runtime).auth.admin;
		expect((await admin.updateUserById(userId, { user_metadata: { plan: 'pro' } })).error).toBeNull();

		const headers = { apikey: runtime.serviceRoleKey, authorization: `Bearer ${runtime.serviceRoleKey}` };
		const res = await fetch(`${runtime.url}/auth/v1/admin/audit?per_page=200`, { headers });
		expect(res.status).toBe(200);
		expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(5);
		expect(res.headers.get('link')).toMatch(/^<\/admin\/audit\?page=1&per_page=200>; rel="last"$/);
		type Entry = { id: string; created_at: string; ip_address: string; payload: Record<string, unknown> };
		const entries = (await res.json()) as Entry[];
		const mine = entries
			.filter((e) => e.payload.actor_id === userId || (e.payload.traits as { user_id?: string } | undefined)?.user_id === userId)
			.reverse();
		expect(mine.map((e) => e.payload.action)).toEqual(['user_signedup', 'login', 'login', 'logout', 'user_modified']);
		expect(mine[0].payload).toEqual({
			action: 'user_signedup',
			actor_id: userId,
			actor_username: email,
			actor_via_sso: false,
			log_type: 'team',
			traits: { provider: 'email' }
		});
		// Admin actions are the admin key's: no user, the role as its name.
		expect(mine[4].payload).toMatchObject({
			actor_id: '00000000-0000-0000-0000-000000000000',
			actor_username: 'service_role',
			log_type: 'user',
			traits: { user_id: userId, user_email: email, user_phone: '' }
		});
		expect(mine[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);

		const logins = await fetch(`${runtime.url}/auth/v1/admin/audit?query=action:logout`, { headers });
		expect(((await logins.json()) as Entry[]).every((e) => e.payload.action === 'logout')).toBe(true);
		const bad = await fetch(`${runtime.url}/auth/v1/admin/audit?query=nope:x`, { headers });
		expect(bad.status).toBe(400);
		expect((await bad.json()).msg).toBe('Invalid query scope: nope:x');
	});

	it('ends sessions past [auth.sessions] timebox or idle past inactivity_timeout at the next refresh', async () => {
		const db = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		try {
			const { sb } = await signedIn();
			const session = (await sb.auth.getSession()).data.session!;
			const sessionId = JSON.parse(Buffer.from(session.access_token.split('.')[1], 'base64url').toString()).session_id as string;
			const refresh = (token: string) =>
				fetch(`${runtime.url}/auth/v1/token?grant_type=refresh_token`, {
					method: 'POST',
					headers: { apikey: runtime.anonKey, 'content-type': 'application/json' },
					body: JSON.stringify({ refresh_token: token })
				});
			const first = await refresh(session.refresh_token);
			expect(first.status).toBe(200);
			const next = (await first.json()).refresh_token as string;

			// Idle for 9 hours (the fixture allows 8).
			await db`update auth.sessions set refreshed_at = (now() at time zone 'utc') - interval '9 hours' where id = ${sessionId}`;
			const idle = await refresh(next);
			expect(idle.status).toBe(400);
			expect(await idle.json()).toEqual({ code: 400, error_code: 'session_expired', msg: 'Invalid Refresh Token: Session Expired (Inactivity)' });

			// Active, but started 25 hours ago (the fixture allows 24).
			await db`update auth.sessions set refreshed_at = now() at time zone 'utc', created_at = now() - interval '25 hours' where id = ${sessionId}`;
			const old = await refresh(next);
			expect(old.status).toBe(400);
			expect(await old.json()).toEqual({ code: 400, error_code: 'session_expired', msg: 'Invalid Refresh Token: Session Expired' });
		} finally {
			await db.end();
		}
	});

	it('signs access tokens with [auth] jwt_issuer as iss, and still accepts them', async () => {
		const { sb } = await signedIn();
		const token = (await sb.auth.getSession()).data.session!.access_token;
		expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).iss).toBe('https://auth.samenspel.test/auth/v1');
		expect((await sb.auth.getUser()).error).toBeNull();
	});

	describe('the custom access token hook (a Postgres function)', () => {
		const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

		it('signs the claims the function returns, on sign-in and on refresh', async () => {
			const { sb } = await signedIn();
			const userId = (await sb.auth.getUser()).data.user!.id;
			let claims = claimsOf((await sb.auth.getSession()).data.session!.access_token);
			expect(claims).toMatchObject({ sub: userId, user_role: null, auth_method: 'password', role: 'authenticated' });
			// Go marshals the returned map with its keys sorted.
			expect(Object.keys(claims)).toEqual([...Object.keys(claims)].sort());

			const db = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
			try {
				await db`insert into public.user_roles (user_id, role) values (${userId}, 'coach')`;
			} finally {
				await db.end();
			}
			const { data, error } = await sb.auth.refreshSession();
			expect(error).toBeNull();
			claims = claimsOf(data.session!.access_token);
			expect(claims).toMatchObject({ user_role: 'coach', auth_method: 'token_refresh' });
			expect((await sb.auth.getUser()).error).toBeNull();
		});

		it('answers the function\'s error, a claim set missing a required claim, and a failing function as GoTrue', async () => {
			const attempt = async (hook: string) => {
				const email = uniqueEmail();
				await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { hook } });
				const res = await fetch(`${runtime.url}/auth/v1/token?grant_type=password`, {
					method: 'POST',
					headers: { apikey: runtime.anonKey, 'content-type': 'application/json' },
					body: JSON.stringify({ email, password: PASSWORD })
				});
				return { status: res.status, body: await res.json() };
			};
			expect(await attempt('refuse')).toEqual({ status: 403, body: { code: 403, error_code: 'unknown', msg: 'Not allowed by the hook' } });
			expect(await attempt('drop-aud')).toEqual({
				status: 500,
				body: { code: 500, error_code: 'unexpected_failure', msg: 'output claims do not conform to the expected schema: \n- (root): aud is required\n' }
			});
			expect(await attempt('raise')).toEqual({
				status: 500,
				body: { code: 500, error_code: 'unexpected_failure', msg: 'Error running hook URI: pg-functions://postgres/public/custom_access_token_hook' }
			});
		});
	});

	it('asks the before-user-created hook before writing a user, which may refuse the sign-up', async () => {
		const refused = await authClient(runtime).auth.signUp({ email: `someone-${Date.now()}@blocked.test`, password: PASSWORD });
		expect(refused.error?.status).toBe(400);
		expect(refused.error?.message).toBe('Sign-ups from this domain are not allowed');
		const invited = await adminClient(runtime).auth.admin.inviteUserByEmail(`invitee-${Date.now()}@blocked.test`);
		expect(invited.error?.status).toBe(400);
		const linked = await adminClient(runtime).auth.admin.generateLink({ type: 'signup', email: `link-${Date.now()}@blocked.test`, password: PASSWORD });
		expect(linked.error?.message).toBe('Sign-ups from this domain are not allowed');

		const email = uniqueEmail();
		const { data, error } = await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		expect(error).toBeNull();
		const anonymous = await authClient(runtime).auth.signInAnonymously();
		expect(anonymous.error).toBeNull();
		const db = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		try {
			// The hook saw the ids the users were then written with.
			const seen = await db`select user_id, email, is_anonymous from public.signup_attempts where user_id in ${db([data.user!.id, anonymous.data.user!.id])} order by is_anonymous`;
			expect(seen).toEqual([
				{ user_id: data.user!.id, email, is_anonymous: false },
				{ user_id: anonymous.data.user!.id, email: '', is_anonymous: true }
			]);
			const [{ count }] = await db`select count(*)::int as count from auth.users where email like '%@blocked.test'`;
			expect(count).toBe(0);
		} finally {
			await db.end();
		}
	});

	it('lets the verification-attempt hooks refuse a sign-in or an MFA code, signing the user out', async () => {
		const email = uniqueEmail();
		const admin = adminClient(runtime).auth.admin;
		const { data: created } = await admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const sb = authClient(runtime);
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const sessionGone = async (client: typeof sb) => {
			const token = (await client.auth.getSession()).data.session!.access_token;
			const res = await fetch(`${runtime.url}/auth/v1/user`, { headers: { apikey: runtime.anonKey, authorization: `Bearer ${token}` } });
			return res.status === 403 && (await res.json()).error_code === 'session_not_found';
		};
		await admin.updateUserById(created.user!.id, { user_metadata: { hook: 'lock' } });
		const locked = await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD });
		expect(locked.error?.status).toBe(400);
		expect(locked.error?.code).toBe('invalid_credentials');
		expect(locked.error?.message).toBe('This account is locked');
		// should_logout_user: the session signed in before is gone.
		expect(await sessionGone(sb)).toBe(true);

		const { sb: other } = await signedIn();
		const { data: factor, error } = await other.auth.mfa.enroll({ factorType: 'totp' });
		expect(error).toBeNull();
		const { data: challenge } = await other.auth.mfa.challenge({ factorId: factor!.id });
		const rejected = await other.auth.mfa.verify({ factorId: factor!.id, challengeId: challenge!.id, code: '000000' });
		expect(rejected.error?.status).toBe(403);
		expect(rejected.error?.code).toBe('mfa_verification_rejected');
		expect(rejected.error?.message).toBe('Wrong code: signed out');
		expect(await sessionGone(other)).toBe(true);
	});

	it('sends the account-change notices [auth.email.notification.*] turns on, and only those', async () => {
		const { sb, email } = await signedIn();
		expect((await sb.auth.updateUser({ password: 'another-pw-2' })).error).toBeNull();
		const changed = await lastMail(runtime, email);
		expect(changed.Subject).toBe('Your password was changed');

		expect((await sb.auth.updateUser({ phone: `1555${String(Date.now()).slice(-7)}` })).error).toBeNull();
		const phone = (await sb.auth.getUserIdentities()).data!.identities.find((i) => i.provider === 'phone')!;
		expect((await sb.auth.unlinkIdentity(phone)).error).toBeNull();
		const removed = await lastMail(runtime, email, 2);
		expect(removed.Subject).toBe('Sign-in with phone removed');
		// identity_linked is not enabled: adding the phone sent nothing.
		expect(runtime.mailbox.to(email)).toHaveLength(2);
	});
});

describe('auth: the send-email hook (a Postgres function) and an HTTP access token hook', () => {
	const HOOK_SECRET = Buffer.from('c2FtZW5zcGVsLWhvb2stc2VjcmV0LWZvci10ZXN0cw==', 'base64');
	let runtime: LocalSupabase;
	let hookServer: Server;
	const hookCalls: { signed: boolean; body: Record<string, unknown> }[] = [];
	beforeAll(async () => {
		// The access token hook, as an Edge Function would serve it: checks the Standard Webhooks signature, adds a claim.
		hookServer = createServer((req, res) => {
			let text = '';
			req.on('data', (chunk) => (text += chunk));
			req.on('end', () => {
				const [id, timestamp] = [req.headers['webhook-id'], req.headers['webhook-timestamp']];
				const expected = `v1,${createHmac('sha256', HOOK_SECRET).update(`${id}.${timestamp}.${text}`).digest('base64')}`;
				const body = JSON.parse(text) as { claims: Record<string, unknown> };
				hookCalls.push({ signed: req.headers['webhook-signature'] === expected, body });
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ claims: { ...body.claims, via_http_hook: true } }));
			});
		});
		await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
		process.env.AUTH_CONFORMANCE_3_TOKEN_HOOK_URL = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
		runtime = await startTestRuntime({ workdir: fixture('auth-conformance-3-send-email') });
	});
	afterAll(async () => {
		await runtime?.stop();
		await new Promise((resolve) => hookServer?.close(resolve));
	});

	it('hands the hook the codes instead of sending mails, notices included', async () => {
		const db = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		try {
			const email = uniqueEmail();
			const sb = authClient(runtime);
			expect((await sb.auth.signUp({ email, password: PASSWORD })).error).toBeNull();
			const [signup] = await db`select action, email_data from public.hooked_emails where recipient = ${email}`;
			expect(signup.action).toBe('signup');
			expect(signup.email_data).toMatchObject({ email_action_type: 'signup', site_url: `${runtime.url}/auth/v1`, token_new: '', token_hash_new: '' });
			expect(signup.email_data.token).toMatch(/^\d{6}$/);
			expect(runtime.mailbox.to(email)).toHaveLength(0);

			const { data, error } = await sb.auth.verifyOtp({ token_hash: signup.email_data.token_hash, type: 'signup' });
			expect(error).toBeNull();
			const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1], 'base64url').toString());
			expect(claims.via_http_hook).toBe(true);
			expect(hookCalls.at(-1)).toMatchObject({ signed: true, body: { user_id: data.user!.id, authentication_method: 'otp' } });

			expect((await sb.auth.updateUser({ password: 'another-pw-2' })).error).toBeNull();
			let notice: { action: string }[] = [];
			for (let i = 0; i < 50 && !notice.length; i++) {
				notice = await db`select action from public.hooked_emails where recipient = ${email} and action like '%notification'`;
				if (!notice.length) await new Promise((r) => setTimeout(r, 20));
			}
			expect(notice.map((n) => n.action)).toEqual(['password_changed_notification']);
			expect(runtime.mailbox.to(email)).toHaveLength(0);
		} finally {
			await db.end();
		}
	});
});

