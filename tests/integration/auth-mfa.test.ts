/**
 * TOTP multi-factor authentication through supabase-js, as GoTrue serves it: enrolment
 * (secret, otpauth URI, QR code), challenge and verify (a session at aal2 with `totp` in
 * `amr`, kept on refresh), the aal2 rules for enrolling and unenrolling, the factor limit,
 * the admin factor routes, and GoTrue's errors. Codes are computed here from the secret
 * (RFC 6238), independently of the runtime.
 */
import { createHmac } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { adminClient, authClient, decodeJwt, fixture } from './auth-support.ts';

const PASSWORD = 'correct-horse-1';

/** RFC 6238 with SHA-1, 6 digits and 30-second steps, from a base32 secret. */
function totp(secret: string, at = Date.now()): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	const bits = [...secret].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
	const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
	const mac = createHmac('sha1', key).update(counter).digest();
	const offset = mac[19] & 0xf;
	return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('auth: TOTP multi-factor authentication', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-mfa') });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	async function signedIn(email = uniqueEmail('mfa')): Promise<{ sb: SupabaseClient; email: string }> {
		const sb = authClient(runtime);
		const { error } = await sb.auth.signUp({ email, password: PASSWORD });
		expect(error).toBeNull();
		return { sb, email };
	}

	async function signIn(email: string): Promise<SupabaseClient> {
		const sb = authClient(runtime);
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		return sb;
	}

	async function claims(sb: SupabaseClient) {
		const { data } = await sb.auth.getSession();
		return decodeJwt(data.session!.access_token).payload;
	}

	/** Enrols and verifies a TOTP factor; the client's session is then at aal2. */
	async function enrolled(sb: SupabaseClient, friendlyName = 'phone') {
		const { data, error } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName });
		expect(error).toBeNull();
		const verified = await sb.auth.mfa.challengeAndVerify({ factorId: data!.id, code: totp(data!.totp.secret) });
		expect(verified.error).toBeNull();
		return { id: data!.id, secret: data!.totp.secret };
	}

	it('enrols a TOTP factor with a secret, an otpauth URI and a QR code, listed as unverified', async () => {
		const { sb, email } = await signedIn();
		const { data, error } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'work phone' });
		expect(error).toBeNull();
		expect(data).toMatchObject({ type: 'totp', friendly_name: 'work phone' });
		expect(data!.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
		// The issuer defaults to the site URL's host; the label is "<issuer>:<e-mail>".
		expect(data!.totp.uri).toBe(
			`otpauth://totp/127.0.0.1:3000:${email}?algorithm=SHA1&digits=6&issuer=127.0.0.1%3A3000&period=30&secret=${data!.totp.secret}`
		);
		expect(data!.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg[\s\S]*<\/svg>$/);

		const listed = await sb.auth.mfa.listFactors();
		expect(listed.data?.all).toMatchObject([{ id: data!.id, friendly_name: 'work phone', factor_type: 'totp', status: 'unverified' }]);
		expect(listed.data?.totp).toEqual([]);

		const custom = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'other', issuer: 'Samenspel' });
		expect(custom.data?.totp.uri).toMatch(/^otpauth:\/\/totp\/Samenspel:.*issuer=Samenspel&/);

		const again = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'work phone' });
		expect(again.error?.status).toBe(422);
		expect(again.error?.code).toBe('mfa_factor_name_conflict');
		expect(again.error?.message).toBe('A factor with the friendly name "work phone" for this user already exists');
	});

	it('verifies a code against a challenge: the session reaches aal2 with totp in amr, and keeps it on refresh', async () => {
		const { sb, email } = await signedIn();
		const other = await signIn(email);
		const { data: factor } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone' });
		const { data: spare } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'spare' });
		const before = await sb.auth.mfa.getAuthenticatorAssuranceLevel();
		expect(before.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });

		const { data: challenge, error } = await sb.auth.mfa.challenge({ factorId: factor!.id });
		expect(error).toBeNull();
		expect(challenge?.type).toBe('totp');
		expect(challenge!.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);

		const wrong = await sb.auth.mfa.verify({ factorId: factor!.id, challengeId: challenge!.id, code: '000000' === totp(factor!.totp.secret) ? '111111' : '000000' });
		expect(wrong.error?.status).toBe(422);
		expect(wrong.error?.code).toBe('mfa_verification_failed');
		expect(wrong.error?.message).toBe('Invalid TOTP code entered');

		const oldRefresh = (await sb.auth.getSession()).data.session!.refresh_token;
		const verified = await sb.auth.mfa.verify({ factorId: factor!.id, challengeId: challenge!.id, code: totp(factor!.totp.secret) });
		expect(verified.error).toBeNull();
		expect(verified.data?.refresh_token).not.toBe(oldRefresh);
		const payload = decodeJwt(verified.data!.access_token).payload;
		expect(payload.aal).toBe('aal2');
		const amr = payload.amr as { method: string; timestamp: number }[];
		expect(amr.map((a) => a.method).sort()).toEqual(['password', 'totp']);
		expect(amr[0].timestamp).toBeGreaterThanOrEqual(amr[1].timestamp);
		expect(await sb.auth.mfa.getAuthenticatorAssuranceLevel()).toMatchObject({ data: { currentLevel: 'aal2', nextLevel: 'aal2' } });

		// The factor is verified; the other unverified TOTP factor is gone.
		const listed = await sb.auth.mfa.listFactors();
		expect(listed.data?.all.map((f) => [f.id, f.status])).toEqual([[factor!.id, 'verified']]);
		expect(listed.data?.totp).toHaveLength(1);
		expect(listed.data?.all.some((f) => f.id === spare!.id)).toBe(false);

		// A challenge is used once.
		const reused = await sb.auth.mfa.verify({ factorId: factor!.id, challengeId: challenge!.id, code: totp(factor!.totp.secret) });
		expect(reused.error?.code).toBe('mfa_ip_address_mismatch');

		// Sessions still at aal1 end when a factor is verified.
		const stale = await other.auth.refreshSession();
		expect(stale.error?.code).toBe('refresh_token_not_found');

		const refreshed = await sb.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		expect(decodeJwt(refreshed.data.session!.access_token).payload).toMatchObject({ aal: 'aal2' });
	});

	it('asks a new sign-in for aal2, and requires it to enrol more, unenrol a verified factor or change the password', async () => {
		const { sb, email } = await signedIn();
		const factor = await enrolled(sb);

		const later = await signIn(email);
		expect(await later.auth.mfa.getAuthenticatorAssuranceLevel()).toMatchObject({
			data: { currentLevel: 'aal1', nextLevel: 'aal2', currentAuthenticationMethods: [{ method: 'password' }] }
		});
		const enrol = await later.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'second' });
		expect(enrol.error?.status).toBe(403);
		expect(enrol.error?.code).toBe('insufficient_aal');
		const unenrol = await later.auth.mfa.unenroll({ factorId: factor.id });
		expect(unenrol.error?.status).toBe(422);
		expect(unenrol.error?.code).toBe('insufficient_aal');
		expect(unenrol.error?.message).toBe('AAL2 required to unenroll verified factor');
		const password = await later.auth.updateUser({ password: 'another-horse-2' });
		expect(password.error?.status).toBe(401);
		expect(password.error?.code).toBe('insufficient_aal');
		expect((await later.auth.updateUser({ data: { nickname: 'still fine' } })).error).toBeNull();

		expect((await later.auth.mfa.challengeAndVerify({ factorId: factor.id, code: totp(factor.secret) })).error).toBeNull();
		const removed = await later.auth.mfa.unenroll({ factorId: factor.id });
		expect(removed.error).toBeNull();
		expect(removed.data).toEqual({ id: factor.id });
		// The session drops back to aal1 with its next token.
		const refreshed = await later.auth.refreshSession();
		const payload = decodeJwt(refreshed.data.session!.access_token).payload;
		expect(payload.aal).toBe('aal1');
		expect((payload.amr as { method: string }[]).map((a) => a.method)).toEqual(['password']);
		expect((await later.auth.mfa.listFactors()).data?.all).toEqual([]);
	});

	it('refuses factors beyond max_enrolled_factors, unknown factors, empty codes and expired challenges', async () => {
		const { sb } = await signedIn();
		const ids: string[] = [];
		for (const name of ['a', 'b', 'c']) {
			const { data, error } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: name });
			expect(error).toBeNull();
			ids.push(data!.id);
		}
		const fourth = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'd' });
		expect(fourth.error?.status).toBe(422);
		expect(fourth.error?.code).toBe('too_many_enrolled_mfa_factors');

		const unknown = await sb.auth.mfa.challenge({ factorId: '00000000-0000-0000-0000-000000000000' });
		expect(unknown.error?.status).toBe(404);
		expect(unknown.error?.code).toBe('mfa_factor_not_found');

		const { data: challenge } = await sb.auth.mfa.challenge({ factorId: ids[0] });
		const empty = await sb.auth.mfa.verify({ factorId: ids[0], challengeId: challenge!.id, code: '' });
		expect(empty.error?.status).toBe(400);
		expect(empty.error?.message).toBe('Code needs to be non-empty');
		const elsewhere = await sb.auth.mfa.verify({ factorId: ids[1], challengeId: challenge!.id, code: '123456' });
		expect(elsewhere.error?.code).toBe('mfa_factor_not_found');

		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		await sql`update auth.mfa_challenges set created_at = now() - interval '301 seconds' where id = ${challenge!.id}`;
		await sql.end();
		const expired = await sb.auth.mfa.verify({ factorId: ids[0], challengeId: challenge!.id, code: '123456' });
		expect(expired.error?.status).toBe(422);
		expect(expired.error?.code).toBe('mfa_challenge_expired');

		// An unverified factor goes without aal2.
		expect((await sb.auth.mfa.unenroll({ factorId: ids[2] })).error).toBeNull();
	});

	it('enrols phone and WebAuthn factors as unverified, and answers their switches and inputs as GoTrue', async () => {
		const { sb } = await signedIn();
		const phone = await sb.auth.mfa.enroll({ factorType: 'phone', friendlyName: 'mobile', phone: '+31 6 12345678' });
		expect(phone.error).toBeNull();
		expect(phone.data).toMatchObject({ type: 'phone', friendly_name: 'mobile', phone: '+31 6 12345678' });
		const noNumber = await sb.auth.mfa.enroll({ factorType: 'phone', friendlyName: 'none', phone: '' });
		expect(noNumber.error?.status).toBe(400);
		expect(noNumber.error?.message).toBe('Phone number required to enroll Phone factor');

		const key = await sb.auth.mfa.enroll({ factorType: 'webauthn', friendlyName: '' });
		expect(key.error).toBeNull();
		expect(key.data).toMatchObject({ type: 'webauthn', friendly_name: '' });
		const keyChallenge = await sb.auth.mfa.challenge({ factorId: key.data!.id });
		expect(keyChallenge.error?.status).toBe(422);
		expect(keyChallenge.error?.code).toBe('mfa_webauthn_verify_not_enabled');

		const verify = await sb.auth.mfa.verify({ factorId: phone.data!.id, challengeId: '00000000-0000-0000-0000-000000000000', code: '123456' });
		expect(verify.error?.code).toBe('mfa_factor_not_found');
		expect(verify.error?.message).toBe('MFA factor with the provided challenge ID not found');

		const listed = await sb.auth.mfa.listFactors();
		expect(listed.data?.all.map((f) => [f.factor_type, f.status, (f as { phone?: string }).phone])).toEqual([
			['phone', 'unverified', '31612345678'],
			['webauthn', 'unverified', '']
		]);
	});

	it('limits challenges per client address to bursts of 30 when the address is named', async () => {
		const { sb } = await signedIn();
		const { data: factor } = await sb.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'limited' });
		const results = [];
		for (let i = 0; i < 31; i++) results.push(await sb.auth.mfa.challenge({ factorId: factor!.id }));
		expect(results.slice(0, 30).every((r) => r.error === null)).toBe(true);
		expect(results[30].error?.status).toBe(429);
		expect(results[30].error?.code).toBe('over_request_rate_limit');
	});

	it('refuses anonymous users', async () => {
		const sb = authClient(runtime);
		expect((await sb.auth.signInAnonymously()).error).toBeNull();
		const { error } = await sb.auth.mfa.enroll({ factorType: 'totp' });
		expect(error?.status).toBe(403);
		expect(error?.code).toBe('no_authorization');
	});

	it('lists and deletes factors through the admin API, which drops the sessions they raised to aal1', async () => {
		const { sb } = await signedIn();
		const factor = await enrolled(sb, 'laptop');
		const userId = (await claims(sb)).sub as string;
		const admin = adminClient(runtime).auth.admin;

		const listed = await admin.mfa.listFactors({ userId });
		expect(listed.error).toBeNull();
		expect(listed.data?.factors).toMatchObject([{ id: factor.id, friendly_name: 'laptop', factor_type: 'totp', status: 'verified' }]);
		const user = await admin.getUserById(userId);
		expect(user.data.user?.factors).toMatchObject([{ id: factor.id, status: 'verified' }]);

		const deleted = await admin.mfa.deleteFactor({ userId, id: factor.id });
		expect(deleted.error).toBeNull();
		expect((await admin.mfa.listFactors({ userId })).data?.factors).toEqual([]);
		const refreshed = await sb.auth.refreshSession();
		expect(decodeJwt(refreshed.data.session!.access_token).payload.aal).toBe('aal1');
		expect(await sb.auth.mfa.getAuthenticatorAssuranceLevel()).toMatchObject({ data: { currentLevel: 'aal1', nextLevel: 'aal1' } });
	});
});
