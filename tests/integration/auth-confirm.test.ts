/**
 * Auth with e-mail confirmations on (tests/fixtures/auth-confirm): confirmation, recovery,
 * magic-link, invite and e-mail-change mails land in the local mailbox, and their links
 * and codes work as GoTrue's do — implicit flow (session in the fragment) and PKCE
 * (`?code=` traded by `exchangeCodeForSession`, also through @supabase/ssr's cookies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createServerClient } from '@supabase/ssr';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { adminClient, authClient, authFetch, decodeJwt, fixture, follow, fragment, lastMail, randomIp } from './auth-support.ts';

const PASSWORD = 'secret-pw-1';
const SITE = 'http://127.0.0.1:3000';

describe('auth: confirmations, links and codes', () => {
	let runtime: LocalSupabase;
	let sql: postgres.Sql;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-confirm') });
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
	});

	/** Pretends the last mails were sent long ago, past `max_frequency`. */
	const ageMails = (email: string) =>
		sql`update auth.users set confirmation_sent_at = confirmation_sent_at - interval '2 minutes',
			recovery_sent_at = recovery_sent_at - interval '2 minutes', email_change_sent_at = email_change_sent_at - interval '2 minutes',
			reauthentication_sent_at = reauthentication_sent_at - interval '2 minutes'
			where email = ${email}`;

	it('signs up without a session, mails a confirmation link, and refuses sign-in until it is followed', async () => {
		const sb = authClient(runtime);
		const email = uniqueEmail('confirm');
		const signUp = await sb.auth.signUp({ email, password: PASSWORD });
		expect(signUp.error).toBeNull();
		expect(signUp.data.session).toBeNull();
		expect(signUp.data.user?.email).toBe(email);
		expect(signUp.data.user?.confirmation_sent_at).toBeTruthy();
		expect(signUp.data.user?.email_confirmed_at).toBeUndefined();

		const early = await sb.auth.signInWithPassword({ email, password: PASSWORD });
		expect(early.error?.status).toBe(400);
		expect(early.error?.code).toBe('email_not_confirmed');
		expect(early.error?.message).toBe('Email not confirmed');

		const mail = await lastMail(runtime, email);
		expect(mail.Subject).toBe('Confirm your email address');
		expect(mail.Link).toMatch(new RegExp(`^${runtime.url}/auth/v1/verify\\?token=[0-9a-f]{56}&type=signup&redirect_to=${SITE}$`));
		expect(mail.Text).toMatch(/\b\d{6}\b/);

		const { status, location } = await follow(mail.Link!);
		expect(status).toBe(303);
		expect(location.startsWith(`${SITE}#`)).toBe(true);
		const params = fragment(location);
		expect(params.get('type')).toBe('signup');
		expect(params.get('token_type')).toBe('bearer');
		expect(params.get('refresh_token')).toMatch(/^[a-z0-9]{12}$/);
		expect(decodeJwt(params.get('access_token')!).payload).toMatchObject({ email, amr: [{ method: 'otp' }] });

		const me = await sb.auth.getUser(params.get('access_token')!);
		expect(me.data.user?.email_confirmed_at).toBeTruthy();
		expect(me.data.user?.identities?.[0].identity_data).toMatchObject({ email_verified: true });
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

		// A link works once.
		const again = await follow(mail.Link!);
		expect(again.location).toBe(
			`${SITE}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=`
		);
	});

	it('redirects only to allowed URLs, falling back to the site URL', async () => {
		const allowed = uniqueEmail('redirect-ok');
		await authClient(runtime).auth.signUp({ email: allowed, password: PASSWORD, options: { emailRedirectTo: 'https://app.example.com/welcome/home' } });
		const ok = await lastMail(runtime, allowed);
		expect(ok.Link).toContain('&redirect_to=https://app.example.com/welcome/home');
		expect((await follow(ok.Link!)).location.startsWith('https://app.example.com/welcome/home#access_token=')).toBe(true);

		const denied = uniqueEmail('redirect-no');
		await authClient(runtime).auth.signUp({ email: denied, password: PASSWORD, options: { emailRedirectTo: 'https://evil.example.net/steal' } });
		const no = await lastMail(runtime, denied);
		expect(no.Link!.endsWith(`&redirect_to=${SITE}`)).toBe(true);

		const glob = uniqueEmail('redirect-glob');
		await authClient(runtime).auth.signUp({ email: glob, password: PASSWORD, options: { emailRedirectTo: 'http://localhost:3000/auth/callback' } });
		expect((await lastMail(runtime, glob)).Link).toContain('&redirect_to=http://localhost:3000/auth/callback');
		const tooDeep = uniqueEmail('redirect-deep');
		await authClient(runtime).auth.signUp({ email: tooDeep, password: PASSWORD, options: { emailRedirectTo: 'http://localhost:3000/auth/a/b' } });
		expect((await lastMail(runtime, tooDeep)).Link!.endsWith(`&redirect_to=${SITE}`)).toBe(true);
	});

	it('verifies the mailed code (type email) and the token hash (type signup)', async () => {
		const byCode = uniqueEmail('code');
		await authClient(runtime).auth.signUp({ email: byCode, password: PASSWORD });
		const code = /\b(\d{6})\b/.exec((await lastMail(runtime, byCode)).Text)![1];
		const sb = authClient(runtime);
		const wrong = await sb.auth.verifyOtp({ email: byCode, token: code === '000000' ? '111111' : '000000', type: 'email' });
		expect(wrong.error?.status).toBe(403);
		expect(wrong.error?.code).toBe('otp_expired');
		expect(wrong.error?.message).toBe('Token has expired or is invalid');
		const right = await sb.auth.verifyOtp({ email: byCode, token: code, type: 'email' });
		expect(right.error).toBeNull();
		expect(right.data.session?.user.email).toBe(byCode);

		const byHash = uniqueEmail('hash');
		await authClient(runtime).auth.signUp({ email: byHash, password: PASSWORD });
		const tokenHash = new URL((await lastMail(runtime, byHash)).Link!).searchParams.get('token')!;
		const verified = await authClient(runtime).auth.verifyOtp({ token_hash: tokenHash, type: 'signup' });
		expect(verified.error).toBeNull();
		expect(verified.data.user?.email).toBe(byHash);
		const reused = await authClient(runtime).auth.verifyOtp({ token_hash: tokenHash, type: 'signup' });
		expect(reused.error?.code).toBe('otp_expired');
		expect(reused.error?.message).toBe('Email link is invalid or has expired');
	});

	it('answers a repeated sign-up of a confirmed address with a look-alike user and sends nothing', async () => {
		const email = uniqueEmail('again');
		const first = await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		await follow((await lastMail(runtime, email)).Link!);
		const mails = runtime.mailbox.to(email).length;
		const again = await authClient(runtime).auth.signUp({ email, password: 'another-pw' });
		expect(again.error).toBeNull();
		expect(again.data.session).toBeNull();
		expect(again.data.user?.id).not.toBe(first.data.user?.id);
		expect(again.data.user?.identities).toEqual([]);
		expect(again.data.user?.email).toBe(email);
		expect(runtime.mailbox.to(email).length).toBe(mails);
	});

	it('limits mails per address to one per max_frequency', async () => {
		const email = uniqueEmail('freq');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		const resend = await authClient(runtime).auth.resend({ type: 'signup', email });
		expect(resend.error?.status).toBe(429);
		expect(resend.error?.code).toBe('over_email_send_rate_limit');
		expect(resend.error?.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
		await ageMails(email);
		expect((await authClient(runtime).auth.resend({ type: 'signup', email })).error).toBeNull();
		expect(runtime.mailbox.to(email)).toHaveLength(2);
		// Unknown addresses get the same answer and no mail.
		expect((await authClient(runtime).auth.resend({ type: 'signup', email: uniqueEmail('ghost') })).error).toBeNull();
	});

	it('confirms a PKCE sign-up: the link carries ?code=, which exchangeCodeForSession trades once', async () => {
		const sb = authClient(runtime, { flowType: 'pkce' });
		const email = uniqueEmail('pkce');
		await sb.auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: `${SITE}/auth/callback?next=/home` } });
		const link = (await lastMail(runtime, email)).Link!;
		expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_[0-9a-f]{56}$/);
		const { location } = await follow(link);
		const target = new URL(location);
		expect(`${target.origin}${target.pathname}`).toBe(`${SITE}/auth/callback`);
		expect(target.searchParams.get('next')).toBe('/home');
		const code = target.searchParams.get('code')!;
		expect(code).toMatch(/^[0-9a-f-]{36}$/);

		const exchanged = await sb.auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.session?.user.email).toBe(email);
		expect(decodeJwt(exchanged.data.session!.access_token).payload.amr).toEqual([{ method: 'email/signup', timestamp: expect.any(Number) }]);

		const twice = await authFetch(runtime, '/token?grant_type=pkce', {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
			body: JSON.stringify({ auth_code: code, code_verifier: 'v'.repeat(43) })
		});
		expect(twice.status).toBe(404);
		expect(await twice.json()).toEqual({ code: 'flow_state_not_found', message: 'invalid flow state, no valid flow state found' });
	});

	it('recovers a password with PKCE through @supabase/ssr cookies', async () => {
		const email = uniqueEmail('recover');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		await follow((await lastMail(runtime, email)).Link!);

		const jar = new Map<string, string>();
		const ip = randomIp();
		const server = () =>
			createServerClient(runtime.url, runtime.anonKey, {
				cookies: {
					getAll: () => [...jar].map(([name, value]) => ({ name, value })),
					setAll: (cookies) => {
						for (const { name, value } of cookies) {
							if (value) jar.set(name, value);
							else jar.delete(name);
						}
					}
				},
				global: { headers: { 'x-forwarded-for': ip } }
			});
		const asked = await server().auth.resetPasswordForEmail(email, { redirectTo: `${SITE}/auth/reset` });
		expect(asked.error).toBeNull();
		expect([...jar.keys()].some((k) => k.endsWith('-code-verifier'))).toBe(true);

		const mail = await lastMail(runtime, email, 2);
		expect(mail.Subject).toBe('Reset your password');
		const { location } = await follow(mail.Link!);
		const code = new URL(location).searchParams.get('code')!;
		const exchanged = await server().auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect(decodeJwt(exchanged.data.session!.access_token).payload.amr).toEqual([{ method: 'recovery', timestamp: expect.any(Number) }]);
		expect((await server().auth.updateUser({ password: 'brand-new-pw' })).error).toBeNull();

		expect((await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD })).error?.code).toBe('invalid_credentials');
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'brand-new-pw' })).error).toBeNull();
	});

	it('answers recovery for unknown addresses the same way, without a mail', async () => {
		const email = uniqueEmail('nobody');
		expect((await authClient(runtime).auth.resetPasswordForEmail(email)).error).toBeNull();
		expect(runtime.mailbox.to(email)).toHaveLength(0);
	});

	it('signs in with a magic link, and signs new addresses up only when allowed', async () => {
		const email = uniqueEmail('magic');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		await follow((await lastMail(runtime, email)).Link!);
		const sb = authClient(runtime);
		expect((await sb.auth.signInWithOtp({ email, options: { emailRedirectTo: 'https://app.example.com/in' } })).error).toBeNull();
		const mail = await lastMail(runtime, email, 2);
		expect(mail.Subject).toBe('Your sign-in link');
		expect(mail.Link).toContain('&type=magiclink&');
		const { location } = await follow(mail.Link!);
		expect(location.startsWith('https://app.example.com/in#access_token=')).toBe(true);
		expect(fragment(location).get('type')).toBe('magiclink');

		const fresh = uniqueEmail('magic-new');
		expect((await sb.auth.signInWithOtp({ email: fresh })).error).toBeNull();
		expect((await lastMail(runtime, fresh)).Link).toContain('&type=signup&');

		const refused = await sb.auth.signInWithOtp({ email: uniqueEmail('magic-no'), options: { shouldCreateUser: false } });
		expect(refused.error?.status).toBe(422);
		expect(refused.error?.code).toBe('otp_disabled');
		expect(refused.error?.message).toBe('Signups not allowed for otp');
	});

	it('changes the e-mail address after both addresses confirm', async () => {
		const email = uniqueEmail('change-old');
		const next = uniqueEmail('change-new');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		await follow((await lastMail(runtime, email)).Link!);
		const sb = authClient(runtime);
		await sb.auth.signInWithPassword({ email, password: PASSWORD });

		const asked = await sb.auth.updateUser({ email: next });
		expect(asked.error).toBeNull();
		expect(asked.data.user?.email).toBe(email);
		expect(asked.data.user?.new_email).toBe(next);

		const toNew = await lastMail(runtime, next);
		const toOld = await lastMail(runtime, email, 2);
		expect(toNew.Subject).toBe('Confirm your new email address');
		expect(toOld.Subject).toBe('Confirm your new email address');
		const first = await follow(toNew.Link!);
		expect(fragment(first.location).get('message')).toBe('Confirmation link accepted. Please proceed to confirm link sent to the other email');
		expect((await sb.auth.getUser()).data.user?.email).toBe(email);

		const second = await follow(toOld.Link!);
		expect(fragment(second.location).get('type')).toBe('email_change');
		const user = (await sb.auth.getUser()).data.user!;
		expect(user.email).toBe(next);
		expect(user.new_email).toBeUndefined();
		expect(user.identities?.[0].identity_data).toMatchObject({ email: next, email_verified: true });
		expect((await authClient(runtime).auth.signInWithPassword({ email: next, password: PASSWORD })).error).toBeNull();
	});

	it('asks an old session to reauthenticate before a password change (secure_password_change)', async () => {
		const email = uniqueEmail('reauth');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD });
		await follow((await lastMail(runtime, email)).Link!);
		const sb = authClient(runtime);
		const { data } = await sb.auth.signInWithPassword({ email, password: PASSWORD });
		// A fresh session may change the password without a nonce.
		expect((await sb.auth.updateUser({ password: 'second-pw-2' })).error).toBeNull();

		await sql`update auth.sessions set created_at = created_at - interval '25 hours' where user_id = ${data.user!.id}`;
		const refused = await sb.auth.updateUser({ password: 'third-pw-3' });
		expect(refused.error?.status).toBe(400);
		expect(refused.error?.code).toBe('reauthentication_needed');

		expect((await sb.auth.reauthenticate()).error).toBeNull();
		const mail = await lastMail(runtime, email, 2);
		const nonce = /\b(\d{6})\b/.exec(mail.Text)![1];
		expect(mail.Subject).toBe(`${nonce} is your verification code`);
		const wrong = await sb.auth.updateUser({ password: 'third-pw-3', nonce: nonce === '000000' ? '111111' : '000000' });
		expect(wrong.error?.code).toBe('reauthentication_not_valid');
		expect((await sb.auth.updateUser({ password: 'third-pw-3', nonce })).error).toBeNull();
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'third-pw-3' })).error).toBeNull();
	});

	it('invites a user whose link signs them in', async () => {
		const email = uniqueEmail('invite');
		const invited = await adminClient(runtime).auth.admin.inviteUserByEmail(email, { data: { team: 'blue' }, redirectTo: 'https://app.example.com/join' });
		expect(invited.error).toBeNull();
		expect(invited.data.user?.invited_at).toBeTruthy();
		const mail = await lastMail(runtime, email);
		expect(mail.Subject).toBe("You've been invited");
		expect(mail.Link).toContain('&type=invite&redirect_to=https://app.example.com/join');
		const { location } = await follow(mail.Link!);
		const params = fragment(location);
		expect(params.get('type')).toBe('invite');
		const user = (await authClient(runtime).auth.getUser(params.get('access_token')!)).data.user!;
		expect(user.email_confirmed_at).toBeTruthy();
		expect(user.user_metadata).toMatchObject({ team: 'blue', email_verified: true });
	});
});
