/**
 * The couple space from the outside: real supabase-js clients acting as partner A,
 * partner B, a third person C and an anonymous visitor, against a fresh local runtime
 * with the repository's migrations. Invites, membership, leaving, deleting, exporting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { client, startTestRuntime, uniqueEmail } from '../support/runtime.ts';

let runtime: LocalSupabase;
let sql: postgres.Sql;

interface Person {
	id: string;
	email: string;
	name: string;
	db: SupabaseClient;
}

/**
 * A confirmed account, signed in. Made through Auth's admin API, because sign-ups are
 * rate-limited per IP (as in GoTrue) and these tests need dozens of people.
 */
async function signUp(name: string): Promise<Person> {
	const email = uniqueEmail(name.toLowerCase());
	const password = 'correct horse battery';
	const created = await client(runtime, runtime.serviceRoleKey).auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { display_name: name, language: 'nl' }
	});
	if (created.error) throw created.error;
	const db = client(runtime);
	// Sign-ins share a per-IP bucket of 30 that refills at one a second: wait when it is empty.
	for (let attempt = 0; ; attempt += 1) {
		const { data, error } = await db.auth.signInWithPassword({ email, password });
		if (!error && data.user) return { id: data.user.id, email, name, db };
		if (error?.status !== 429 || attempt >= 10) throw error ?? new Error('no session after sign-in');
		await new Promise((resolve) => setTimeout(resolve, 1100));
	}
}

/** A couple of two, made through the public functions: A creates and invites, B accepts. */
async function couple(): Promise<{ a: Person; b: Person; coupleId: string }> {
	const a = await signUp('Alex');
	const b = await signUp('Bo');
	const { data: coupleId, error } = await a.db.rpc('create_couple');
	expect(error).toBeNull();
	const token = await issue(a, coupleId);
	const accepted = await b.db.rpc('accept_couple_invite', { token });
	expect(accepted.error).toBeNull();
	return { a, b, coupleId };
}

async function issue(person: Person, coupleId: string): Promise<string> {
	const { data, error } = await person.db.rpc('issue_couple_invite', { couple_id: coupleId });
	expect(error).toBeNull();
	return data[0].token as string;
}

async function aloneWithInvite(): Promise<{ a: Person; coupleId: string; token: string }> {
	const a = await signUp('Alex');
	const { data: coupleId } = await a.db.rpc('create_couple');
	return { a, coupleId, token: await issue(a, coupleId) };
}

beforeAll(async () => {
	runtime = await startTestRuntime({ seed: false });
	sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
	await sql?.end();
	await runtime?.stop();
});

describe('sign-up', () => {
	// First in the file, while the per-IP sign-up bucket is full.
	it('a new account made by an ordinary sign-up gets a profile with the name and language given', async () => {
		const db = client(runtime);
		const email = uniqueEmail('en');
		const { data } = await db.auth.signUp({ email, password: 'correct horse battery', options: { data: { display_name: '  Robin  ', language: 'en' } } });
		const profile = await db.from('profiles').select('display_name, language').eq('id', data.user!.id).single();
		expect(profile.data).toEqual({ display_name: 'Robin', language: 'en' });
	});
});

describe('invites', () => {
	it('carry 256 random bits and are stored only as their SHA-256', async () => {
		const { coupleId, token } = await aloneWithInvite();
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(token, 'base64url')).toHaveLength(32);
		const rows = await sql`select token_hash from public.couple_invites where couple_id = ${coupleId}`;
		expect(rows).toHaveLength(1);
		expect(Buffer.from(rows[0].token_hash).toString('hex')).toBe(createHash('sha256').update(token).digest('hex'));
		expect(JSON.stringify(rows)).not.toContain(token);
	});

	it('show the invitee who invites them, even before they have an account', async () => {
		const { token } = await aloneWithInvite();
		const { data, error } = await client(runtime).rpc('couple_invite_preview', { token });
		expect(error).toBeNull();
		expect(data[0]).toMatchObject({ status: 'valid', inviter_name: 'Alex' });
		expect(new Date(data[0].expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
	});

	it('let the invitee join once; both then see both names', async () => {
		const { a, b, coupleId } = await couple();
		for (const person of [a, b]) {
			const members = await person.db.from('couple_members').select('user_id').eq('couple_id', coupleId);
			expect(members.data?.map((m) => m.user_id).sort()).toEqual([a.id, b.id].sort());
			const profiles = await person.db.from('profiles').select('display_name').in('id', [a.id, b.id]);
			expect(profiles.data?.map((p) => p.display_name).sort()).toEqual(['Alex', 'Bo']);
		}
		const notices = await a.db.from('notices').select('kind, actor_name');
		expect(notices.data).toEqual([{ kind: 'partner_joined', actor_name: 'Bo' }]);
	});

	it('refuse an expired token', async () => {
		const { coupleId, token } = await aloneWithInvite();
		await sql`update public.couple_invites set expires_at = now() - interval '1 second' where couple_id = ${coupleId}`;
		const b = await signUp('Bo');
		const { error } = await b.db.rpc('accept_couple_invite', { token });
		expect(error?.message).toBe('invite_expired');
		const preview = await b.db.rpc('couple_invite_preview', { token });
		expect(preview.data?.[0]).toMatchObject({ status: 'invite_expired', inviter_name: null, expires_at: null });
	});

	it('refuse a token that was already used, for anyone', async () => {
		const { coupleId, token } = await aloneWithInvite();
		const b = await signUp('Bo');
		expect((await b.db.rpc('accept_couple_invite', { token })).error).toBeNull();
		const c = await signUp('Cas');
		expect((await c.db.rpc('accept_couple_invite', { token })).error?.message).toBe('invite_used');
		const members = await sql`select user_id from public.couple_members where couple_id = ${coupleId}`;
		expect(members.map((m) => m.user_id)).not.toContain(c.id);
	});

	it('refuse a revoked token, and a re-issued link replaces the old one', async () => {
		const { a, coupleId, token } = await aloneWithInvite();
		expect((await a.db.rpc('revoke_couple_invites', { couple_id: coupleId })).error).toBeNull();
		const b = await signUp('Bo');
		expect((await b.db.rpc('accept_couple_invite', { token })).error?.message).toBe('invite_revoked');

		const second = await issue(a, coupleId);
		const third = await issue(a, coupleId);
		expect((await b.db.rpc('accept_couple_invite', { token: second })).error?.message).toBe('invite_revoked');
		expect((await b.db.rpc('accept_couple_invite', { token: third })).error).toBeNull();
	});

	it('refuse a forged token', async () => {
		await aloneWithInvite();
		const b = await signUp('Bo');
		const forged = randomBytes(32).toString('base64url');
		expect((await b.db.rpc('accept_couple_invite', { token: forged })).error?.message).toBe('invite_invalid');
		expect((await b.db.rpc('couple_invite_preview', { token: forged })).data?.[0]).toEqual({ status: 'invite_invalid', inviter_name: null, expires_at: null });
		expect((await b.db.rpc('accept_couple_invite', { token: '' })).error?.message).toBe('invite_invalid');
	});

	it("refuse someone else's token where it is not theirs to use: the inviter cannot accept it, a stranger cannot revoke or re-issue it", async () => {
		const { a, coupleId, token } = await aloneWithInvite();
		expect((await a.db.rpc('accept_couple_invite', { token })).error?.message).toBe('invite_own');
		const c = await signUp('Cas');
		expect((await c.db.rpc('revoke_couple_invites', { couple_id: coupleId })).error?.message).toBe('not_a_member');
		expect((await c.db.rpc('issue_couple_invite', { couple_id: coupleId })).error?.message).toBe('not_a_member');
		// The link still works for the person it was meant for.
		const b = await signUp('Bo');
		expect((await b.db.rpc('accept_couple_invite', { token })).error).toBeNull();
	});

	it('can be declined; the link then stops working and the inviter is told', async () => {
		const { a, token } = await aloneWithInvite();
		const b = await signUp('Bo');
		expect((await b.db.rpc('decline_couple_invite', { token })).error).toBeNull();
		expect((await b.db.rpc('accept_couple_invite', { token })).error?.message).toBe('invite_declined');
		expect((await a.db.from('notices').select('kind, actor_name')).data).toEqual([{ kind: 'invite_declined', actor_name: 'Bo' }]);
	});

	it('cannot be accepted without an account', async () => {
		const { token } = await aloneWithInvite();
		const { error } = await client(runtime).rpc('accept_couple_invite', { token });
		expect(error).not.toBeNull();
	});
});

describe('membership', () => {
	it('a third person cannot join a couple of two, not even with an open link', async () => {
		const { a, coupleId } = await couple();
		expect((await a.db.rpc('issue_couple_invite', { couple_id: coupleId })).error?.message).toBe('couple_full');
		// An open link made behind the functions' back still does not let a third in.
		const token = randomBytes(32).toString('base64url');
		await sql`insert into public.couple_invites (couple_id, invited_by, token_hash)
			values (${coupleId}, ${a.id}, ${createHash('sha256').update(token).digest()})`;
		const c = await signUp('Cas');
		expect((await c.db.rpc('accept_couple_invite', { token })).error?.message).toBe('couple_full');
		const [{ count }] = await sql`select count(*)::int as count from public.couple_members where couple_id = ${coupleId}`;
		expect(count).toBe(2);
	});

	it('a person is a partner in one couple at a time', async () => {
		const { b } = await couple();
		expect((await b.db.rpc('create_couple')).error?.message).toBe('already_in_couple');
		const other = await aloneWithInvite();
		expect((await b.db.rpc('accept_couple_invite', { token: other.token })).error?.message).toBe('already_in_couple');
	});

	it('tables cannot be written around the functions', async () => {
		const { a, coupleId } = await couple();
		const c = await signUp('Cas');
		expect((await c.db.from('couple_members').insert({ couple_id: coupleId, user_id: c.id })).error).not.toBeNull();
		expect((await a.db.from('couples').delete().eq('id', coupleId)).error ?? { none: true }).toBeTruthy();
		const [{ count }] = await sql`select count(*)::int as count from public.couples where id = ${coupleId}`;
		expect(count).toBe(1);
		expect((await c.db.from('profiles').update({ display_name: 'hacked' }).eq('id', a.id)).error).toBeNull();
		const [profile] = await sql`select display_name from public.profiles where id = ${a.id}`;
		expect(profile.display_name).toBe('Alex');
	});

	it('a stranger, signed in or not, cannot read the couple, its members, their profiles or its invites', async () => {
		const { a, b, coupleId } = await couple();
		const c = await signUp('Cas');
		const anon = client(runtime);
		for (const db of [c.db, anon]) {
			const reads = await Promise.all([
				db.from('couples').select('id').eq('id', coupleId),
				db.from('couple_members').select('user_id').eq('couple_id', coupleId),
				db.from('profiles').select('id').in('id', [a.id, b.id]),
				db.from('couple_invites').select('id').eq('couple_id', coupleId),
				db.from('notices').select('id')
			]);
			for (const read of reads) expect(read.data ?? []).toEqual([]);
		}
	});

	it('leaving removes access at once, and the other partner is told', async () => {
		const { a, b, coupleId } = await couple();
		expect((await b.db.rpc('leave_couple')).error).toBeNull();
		expect((await b.db.from('couples').select('id').eq('id', coupleId)).data).toEqual([]);
		expect((await b.db.from('couple_members').select('user_id').eq('couple_id', coupleId)).data).toEqual([]);
		expect((await b.db.from('profiles').select('id').eq('id', a.id)).data).toEqual([]);
		expect((await a.db.from('profiles').select('id').eq('id', b.id)).data).toEqual([]);
		expect((await a.db.from('couple_members').select('user_id').eq('couple_id', coupleId)).data).toEqual([{ user_id: a.id }]);
		const notices = await a.db.from('notices').select('kind, actor_name').eq('kind', 'partner_left');
		expect(notices.data).toEqual([{ kind: 'partner_left', actor_name: 'Bo' }]);
		// The one who stayed can invite someone new; the one who left can start afresh.
		expect((await a.db.rpc('issue_couple_invite', { couple_id: coupleId })).error).toBeNull();
		expect((await b.db.rpc('create_couple')).error).toBeNull();
	});

	it('the last one to leave takes the couple with them', async () => {
		const { a, coupleId } = await aloneWithInvite();
		expect((await a.db.rpc('leave_couple')).error).toBeNull();
		const rows = await sql`select 1 from public.couples where id = ${coupleId} union all select 1 from public.couple_invites where couple_id = ${coupleId}`;
		expect(rows).toHaveLength(0);
		expect((await a.db.rpc('leave_couple')).error?.message).toBe('not_in_couple');
	});
});

describe('account', () => {
	it('deleting an account removes its rows and its sessions; the partner is told', async () => {
		const { a, b, coupleId } = await couple();
		await b.db.rpc('issue_couple_invite', { couple_id: coupleId }); // refused (full), leaves nothing behind
		expect((await b.db.rpc('delete_my_account')).error).toBeNull();
		const [left] = await sql`select
			(select count(*) from auth.users where id = ${b.id})::int as users,
			(select count(*) from auth.identities where user_id = ${b.id})::int as identities,
			(select count(*) from auth.sessions where user_id = ${b.id})::int as sessions,
			(select count(*) from public.profiles where id = ${b.id})::int as profiles,
			(select count(*) from public.couple_members where user_id = ${b.id})::int as memberships,
			(select count(*) from public.couple_invites where invited_by = ${b.id} or accepted_by = ${b.id})::int as invites,
			(select count(*) from public.notices where user_id = ${b.id})::int as notices`;
		expect(left).toEqual({ users: 0, identities: 0, sessions: 0, profiles: 0, memberships: 0, invites: 0, notices: 0 });
		expect((await b.db.auth.getUser()).error).not.toBeNull();
		expect((await a.db.from('couple_members').select('user_id').eq('couple_id', coupleId)).data).toEqual([{ user_id: a.id }]);
		expect((await a.db.from('notices').select('kind').eq('kind', 'partner_left')).data).toHaveLength(1);
	});

	it('an export holds exactly the person’s own data', async () => {
		const { a, b, coupleId } = await couple();
		const { data, error } = await a.db.rpc('export_my_data');
		expect(error).toBeNull();
		const exported = data as Record<string, unknown>;
		expect(Object.keys(exported).sort()).toEqual(['account', 'couple_memberships', 'exported_at', 'invites_sent', 'notices', 'profile']);
		expect(exported.account).toMatchObject({ id: a.id, email: a.email });
		expect(exported.profile).toMatchObject({ display_name: 'Alex', language: 'nl' });
		expect(exported.couple_memberships).toEqual([expect.objectContaining({ couple_id: coupleId, role: 'partner' })]);
		expect(exported.invites_sent).toHaveLength(1);
		expect(JSON.stringify(exported)).not.toContain(b.id);
		expect(JSON.stringify(exported)).not.toContain(b.email);
		expect(JSON.stringify(exported)).not.toContain('token_hash');
		// B's export is B's alone.
		const theirs = (await b.db.rpc('export_my_data')).data as Record<string, unknown>;
		expect(theirs.account).toMatchObject({ id: b.id });
		expect(theirs.invites_sent).toEqual([]);
		expect(JSON.stringify(theirs)).not.toContain(a.email);
		expect((await client(runtime).rpc('export_my_data')).data).toBeNull();
	});

});
