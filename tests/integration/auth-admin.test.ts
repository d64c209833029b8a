/**
 * The admin API for the secret / service_role key: create, list (paginated), get, update,
 * delete users, generate links; and its refusal of every other key or token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionMissingError } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { adminClient, authClient, authFetch, follow, fragment } from './auth-support.ts';

const PASSWORD = 'correct-horse-1';

describe('auth: admin API', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('creates a user, confirmed or not, with metadata', async () => {
		const admin = adminClient(runtime).auth.admin;
		const email = uniqueEmail('created');
		const { data, error } = await admin.createUser({
			email,
			password: PASSWORD,
			email_confirm: true,
			user_metadata: { name: 'Grace' },
			app_metadata: { plan: 'pro' }
		});
		expect(error).toBeNull();
		expect(data.user).toMatchObject({
			email,
			role: 'authenticated',
			aud: 'authenticated',
			user_metadata: { name: 'Grace', email_verified: true },
			app_metadata: { provider: 'email', providers: ['email'], plan: 'pro' }
		});
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', identity_data: { email, sub: data.user!.id } });
		const signIn = await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD });
		expect(signIn.error).toBeNull();
		expect(signIn.data.session?.user.app_metadata.plan).toBe('pro');

		const unconfirmed = uniqueEmail('unconfirmed');
		await admin.createUser({ email: unconfirmed, password: PASSWORD });
		expect((await authClient(runtime).auth.signInWithPassword({ email: unconfirmed, password: PASSWORD })).error?.code).toBe('email_not_confirmed');

		const dup = await admin.createUser({ email, password: PASSWORD });
		expect(dup.error?.status).toBe(422);
		expect(dup.error?.code).toBe('email_exists');
		expect(dup.error?.message).toBe('A user with this email address has already been registered');

		const nothing = await admin.createUser({ password: PASSWORD });
		expect(nothing.error?.code).toBe('validation_failed');
		expect(nothing.error?.message).toBe('Cannot create a user without either an email or phone');
	});

	it('lists users page by page with the total and the last page', async () => {
		const admin = adminClient(runtime).auth.admin;
		for (let i = 0; i < 5; i++) await admin.createUser({ email: uniqueEmail(`list${i}`), password: PASSWORD });
		const all = await admin.listUsers({ page: 1, perPage: 1000 });
		const total = all.data.users.length;
		expect(total).toBeGreaterThanOrEqual(5);

		const first = await admin.listUsers({ page: 1, perPage: 2 });
		expect(first.error).toBeNull();
		expect(first.data.users).toHaveLength(2);
		expect(first.data).toMatchObject({ aud: 'authenticated', total, nextPage: 2, lastPage: Math.ceil(total / 2) });
		const second = await admin.listUsers({ page: 2, perPage: 2 });
		expect(second.data.users.map((u) => u.id)).not.toContain(first.data.users[0].id);
		// Newest first, as GoTrue sorts by default.
		const times = all.data.users.map((u) => Date.parse(u.created_at));
		expect([...times].sort((a, b) => b - a)).toEqual(times);

		const raw = await authFetch(runtime, '/admin/users?page=1&per_page=2', { key: runtime.serviceRoleKey });
		expect(raw.headers.get('x-total-count')).toBe(String(total));
		expect(raw.headers.get('link')).toBe(`</admin/users?page=2&per_page=2>; rel="next", </admin/users?page=${Math.ceil(total / 2)}&per_page=2>; rel="last"`);
		const bad = await authFetch(runtime, '/admin/users?page=x', { key: runtime.serviceRoleKey });
		expect(bad.status).toBe(400);
		expect((await bad.json()).error_code).toBe('validation_failed');
	});

	it('gets, updates and bans a user', async () => {
		const admin = adminClient(runtime).auth.admin;
		const email = uniqueEmail('update');
		const { data } = await admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const id = data.user!.id;

		const got = await admin.getUserById(id);
		expect(got.data.user?.email).toBe(email);
		const missing = await admin.getUserById('00000000-0000-4000-8000-000000000000');
		expect(missing.error?.status).toBe(404);
		expect(missing.error?.code).toBe('user_not_found');
		const notUuid = await authFetch(runtime, '/admin/users/nope', { key: runtime.serviceRoleKey });
		expect(notUuid.status).toBe(404);
		expect(await notUuid.json()).toEqual({ code: 404, error_code: 'validation_failed', msg: 'user_id must be an UUID' });

		const updated = await admin.updateUserById(id, { user_metadata: { name: 'Alan' }, app_metadata: { role_hint: 'staff' }, password: 'another-pw-9' });
		expect(updated.error).toBeNull();
		expect(updated.data.user?.user_metadata).toMatchObject({ name: 'Alan' });
		expect(updated.data.user?.app_metadata).toMatchObject({ role_hint: 'staff', provider: 'email' });
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'another-pw-9' })).error).toBeNull();

		const weak = await admin.updateUserById(id, { password: 'x' });
		expect(weak.error?.code).toBe('weak_password');

		const banned = await admin.updateUserById(id, { ban_duration: '24h' });
		expect(banned.data.user?.banned_until).toBeTruthy();
		const refused = await authClient(runtime).auth.signInWithPassword({ email, password: 'another-pw-9' });
		expect(refused.error?.status).toBe(400);
		expect(refused.error?.code).toBe('user_banned');
		const unbanned = await admin.updateUserById(id, { ban_duration: 'none' });
		expect(unbanned.data.user?.banned_until).toBeUndefined();
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: 'another-pw-9' })).error).toBeNull();
	});

	it('deletes a user with their identities and sessions', async () => {
		const admin = adminClient(runtime).auth.admin;
		const email = uniqueEmail('delete');
		const sb = authClient(runtime);
		const { data } = await sb.auth.signUp({ email, password: PASSWORD });
		const token = data.session!.access_token;
		const refreshToken = data.session!.refresh_token;

		expect((await admin.deleteUser(data.user!.id)).error).toBeNull();
		expect((await admin.getUserById(data.user!.id)).error?.code).toBe('user_not_found');
		const after = await sb.auth.getUser(token);
		expect(after.error?.status).toBe(403);
		expect(after.error?.code).toBe('user_not_found');
		expect((await authClient(runtime).auth.refreshSession({ refresh_token: refreshToken })).error?.code).toBe('refresh_token_not_found');
		// The address is free again.
		expect((await authClient(runtime).auth.signUp({ email, password: PASSWORD })).error).toBeNull();
	});

	it('soft-deletes a user: the row stays, obfuscated, and signed out', async () => {
		const admin = adminClient(runtime).auth.admin;
		const email = uniqueEmail('soft');
		const sb = authClient(runtime);
		const { data } = await sb.auth.signUp({ email, password: PASSWORD });
		expect((await admin.deleteUser(data.user!.id, true)).error).toBeNull();
		const kept = await admin.getUserById(data.user!.id);
		expect(kept.data.user?.deleted_at).toBeTruthy();
		expect(kept.data.user?.email).not.toBe(email);
		expect(kept.data.user?.user_metadata).toEqual({});
		expect((await sb.auth.getUser()).error).toBeInstanceOf(AuthSessionMissingError);
		expect((await authClient(runtime).auth.signInWithPassword({ email, password: PASSWORD })).error?.code).toBe('invalid_credentials');
	});

	it('generates sign-up, magic-link and recovery links whose codes and links work', async () => {
		const admin = adminClient(runtime).auth.admin;
		const email = uniqueEmail('links');
		const signup = await admin.generateLink({ type: 'signup', email, password: PASSWORD, options: { redirectTo: 'http://localhost:5173/welcome' } });
		expect(signup.error).toBeNull();
		const props = signup.data.properties!;
		expect(props).toMatchObject({ verification_type: 'signup', redirect_to: 'http://localhost:5173/welcome' });
		expect(props.email_otp).toMatch(/^\d{6}$/);
		expect(props.hashed_token).toMatch(/^[0-9a-f]{56}$/);
		expect(props.action_link).toBe(`${runtime.url}/auth/v1/verify?token=${props.hashed_token}&type=signup&redirect_to=http://localhost:5173/welcome`);
		expect(signup.data.user!.email).toBe(email);
		expect(runtime.mailbox.to(email)).toHaveLength(0);
		const { location } = await follow(props.action_link);
		expect(fragment(location).get('type')).toBe('signup');

		const magic = await admin.generateLink({ type: 'magiclink', email });
		const verified = await authClient(runtime).auth.verifyOtp({ email, token: magic.data.properties!.email_otp, type: 'magiclink' });
		expect(verified.error).toBeNull();
		expect(verified.data.session?.user.email).toBe(email);

		const recovery = await admin.generateLink({ type: 'recovery', email });
		const byHash = await authClient(runtime).auth.verifyOtp({ token_hash: recovery.data.properties!.hashed_token, type: 'recovery' });
		expect(byHash.error).toBeNull();

		const unknown = await admin.generateLink({ type: 'recovery', email: uniqueEmail('ghost') });
		expect(unknown.error?.status).toBe(404);
		expect(unknown.error?.code).toBe('user_not_found');

		const newEmail = uniqueEmail('links-new');
		const change = await admin.generateLink({ type: 'email_change_new', email, newEmail });
		expect(change.error).toBeNull();
		expect(change.data.user!.new_email).toBe(newEmail);
	});

	it('refuses the admin API to the anon key and to signed-in users (not_admin, 403)', async () => {
		const anon = authClient(runtime);
		const asAnon = await anon.auth.admin.listUsers();
		expect(asAnon.error?.status).toBe(403);
		expect(asAnon.error?.code).toBe('not_admin');
		expect(asAnon.error?.message).toBe('User not allowed');

		const { data } = await anon.auth.signUp({ email: uniqueEmail('notadmin'), password: PASSWORD });
		const res = await authFetch(runtime, '/admin/users', { headers: { authorization: `Bearer ${data.session!.access_token}` } });
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({ code: 403, error_code: 'not_admin', msg: 'User not allowed' });
		const created = await anon.auth.admin.createUser({ email: uniqueEmail('sneaky'), password: PASSWORD });
		expect(created.error?.code).toBe('not_admin');
	});

	it('keeps app_metadata for admins: users cannot set it themselves', async () => {
		const sb = authClient(runtime);
		await sb.auth.signUp({ email: uniqueEmail('appmeta'), password: PASSWORD });
		const res = await authFetch(runtime, '/user', {
			method: 'PUT',
			headers: { authorization: `Bearer ${(await sb.auth.getSession()).data.session!.access_token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ app_metadata: { role: 'admin' } })
		});
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({ code: 403, error_code: 'not_admin', msg: 'Updating app_metadata requires admin privileges' });
	});
});
