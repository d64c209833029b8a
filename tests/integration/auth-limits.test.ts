/**
 * Rate limits from `[auth.rate_limit]` (tests/fixtures/auth-limits, all tiny) and anonymous
 * users. Limits apply to requests that name their client (X-Forwarded-For, honoured from
 * loopback); each test presents its own client IPs so the buckets of one test do not
 * drain another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { adminClient, authClient, authFetch, decodeJwt, fixture, follow, lastMail, randomIp } from './auth-support.ts';

const PASSWORD = 'secret-pw-1';

describe('auth: rate limits and anonymous users', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-limits') });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	const confirmedUser = async () => {
		const email = uniqueEmail('limited');
		const { error } = await adminClient(runtime).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		expect(error).toBeNull();
		return email;
	};

	// First: it spends one mail of the small e-mail budget that a later test exhausts.
	it('turns an anonymous user into a permanent one by confirming an e-mail address', async () => {
		const sb = authClient(runtime);
		const { data } = await sb.auth.signInAnonymously();
		const noEmail = await sb.auth.updateUser({ password: PASSWORD });
		expect(noEmail.error?.status).toBe(422);
		expect(noEmail.error?.message).toBe('Updating password of an anonymous user without an email or phone is not allowed');

		const email = uniqueEmail('anon');
		const asked = await sb.auth.updateUser({ email });
		expect(asked.error).toBeNull();
		expect(asked.data.user?.new_email).toBe(email);
		await follow((await lastMail(runtime, email)).Link!);
		const user = (await sb.auth.getUser()).data.user!;
		expect(user.id).toBe(data.user!.id);
		expect(user.email).toBe(email);
		expect(user.is_anonymous).toBe(false);
		expect((await sb.auth.updateUser({ password: PASSWORD })).error).toBeNull();
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
	});

	it('answers a repeated sign-up with user_already_exists while SMS sign-ups auto-confirm (the CLI default)', async () => {
		const email = await confirmedUser();
		const again = await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		expect(again.error?.status).toBe(422);
		expect(again.error?.code).toBe('user_already_exists');
		const settings = await (await authFetch(runtime, '/settings')).json();
		expect(settings).toMatchObject({ mailer_autoconfirm: false, phone_autoconfirm: true });
	});

	it('limits password sign-ins per client IP (429 over_request_rate_limit)', async () => {
		const ip = randomIp();
		for (let i = 0; i < 3; i++) {
			const { error } = await authClient(runtime, { ip }).auth.signInWithPassword({ email: await confirmedUser(), password: PASSWORD });
			expect(error).toBeNull();
		}
		const limited = await authClient(runtime, { ip }).auth.signInWithPassword({ email: await confirmedUser(), password: PASSWORD });
		expect(limited.error?.status).toBe(429);
		expect(limited.error?.code).toBe('over_request_rate_limit');
		expect(limited.error?.message).toBe('Request rate limit reached');
		// Another client is not affected.
		expect((await authClient(runtime).auth.signInWithPassword({ email: await confirmedUser(), password: PASSWORD })).error).toBeNull();
	});

	it('limits password sign-ins per e-mail address, whatever the IP', async () => {
		const email = await confirmedUser();
		for (let i = 0; i < 3; i++) {
			expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'wrong-guess' })).error?.code).toBe('invalid_credentials');
		}
		const limited = await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD });
		expect(limited.error?.status).toBe(429);
		expect(limited.error?.code).toBe('over_request_rate_limit');
	});

	it('limits nothing per client when the request names no client (no X-Forwarded-For), as GoTrue behind the CLI', async () => {
		const email = await confirmedUser();
		const statuses: number[] = [];
		for (let i = 0; i < 6; i++) {
			const res = await fetch(`${runtime.url}/auth/v1/token?grant_type=password`, {
				method: 'POST',
				headers: { apikey: runtime.anonKey, 'content-type': 'application/json' },
				body: JSON.stringify({ email, password: i < 5 ? 'wrong-guess' : PASSWORD })
			});
			statuses.push(res.status);
		}
		expect(statuses).toEqual([400, 400, 400, 400, 400, 200]);
	});

	it('limits sign-ups and recovery requests per client IP', async () => {
		const ip = randomIp();
		for (let i = 0; i < 3; i++) await authClient(runtime, { ip }).auth.signUp({ email: uniqueEmail('burst'), password: PASSWORD });
		const signUp = await authClient(runtime, { ip }).auth.signUp({ email: uniqueEmail('burst'), password: PASSWORD });
		expect(signUp.error?.status).toBe(429);
		expect(signUp.error?.code).toBe('over_request_rate_limit');

		const other = randomIp();
		for (let i = 0; i < 3; i++) expect((await authClient(runtime, { ip: other }).auth.resetPasswordForEmail(uniqueEmail('nobody'))).error).toBeNull();
		const recover = await authClient(runtime, { ip: other }).auth.resetPasswordForEmail(uniqueEmail('nobody'));
		expect(recover.error?.status).toBe(429);
		expect(recover.error?.code).toBe('over_request_rate_limit');
	});

	it('limits token refreshes and verifications per client IP', async () => {
		const ip = randomIp();
		const signIn = await authClient(runtime).auth.signInWithPassword({ email: await confirmedUser(), password: PASSWORD });
		let token = signIn.data.session!.refresh_token;
		for (let i = 0; i < 3; i++) {
			const { data, error } = await authClient(runtime, { ip }).auth.refreshSession({ refresh_token: token });
			expect(error).toBeNull();
			token = data.session!.refresh_token;
		}
		const refresh = await authClient(runtime, { ip }).auth.refreshSession({ refresh_token: token });
		expect(refresh.error?.status).toBe(429);
		expect(refresh.error?.code).toBe('over_request_rate_limit');

		const verifyIp = randomIp();
		for (let i = 0; i < 3; i++) {
			const { error } = await authClient(runtime, { ip: verifyIp }).auth.verifyOtp({ token_hash: 'f'.repeat(56), type: 'signup' });
			expect(error?.code).toBe('otp_expired');
		}
		const verify = await authClient(runtime, { ip: verifyIp }).auth.verifyOtp({ token_hash: 'f'.repeat(56), type: 'signup' });
		expect(verify.error?.status).toBe(429);
		expect(verify.error?.code).toBe('over_request_rate_limit');
	});

	it('signs in anonymously, limited per IP per hour', async () => {
		const ip = randomIp();
		const sb = authClient(runtime, { ip });
		const { data, error } = await sb.auth.signInAnonymously({ options: { data: { nickname: 'guest' } } });
		expect(error).toBeNull();
		expect(data.user).toMatchObject({ is_anonymous: true, email: '', app_metadata: {}, user_metadata: { nickname: 'guest' }, identities: [] });
		expect(decodeJwt(data.session!.access_token).payload).toMatchObject({
			is_anonymous: true,
			role: 'authenticated',
			email: '',
			amr: [{ method: 'anonymous', timestamp: expect.any(Number) }]
		});
		expect((await authClient(runtime, { ip }).auth.signInAnonymously()).error).toBeNull();
		const limited = await authClient(runtime, { ip }).auth.signInAnonymously();
		expect(limited.error?.status).toBe(429);
		expect(limited.error?.code).toBe('over_request_rate_limit');
	});

	it('spends an hourly e-mail budget, and a refused mail leaves no user behind', async () => {
		let refused: string | null = null;
		for (let i = 0; i < 3 && !refused; i++) {
			const email = uniqueEmail('budget');
			const { error } = await authClient(runtime).auth.signUp({ email, password: PASSWORD });
			if (error) {
				expect(error.status).toBe(429);
				expect(error.code).toBe('over_email_send_rate_limit');
				expect(error.message).toBe('email rate limit exceeded');
				refused = email;
			}
		}
		expect(refused).not.toBeNull();
		const res = await authFetch(runtime, `/admin/users?filter=${encodeURIComponent(refused!)}`, { key: runtime.serviceRoleKey });
		expect((await res.json()).users).toEqual([]);
		expect(runtime.mailbox.to(refused!)).toHaveLength(0);
	});
});
