/**
 * Multi-factor authentication as GoTrue's `mfa.go` serves it: `POST /factors` (enrol),
 * `POST /factors/:id/challenge`, `POST /factors/:id/verify` (a session at aal2) and
 * `DELETE /factors/:id` (unenrol). TOTP is served in full; phone and WebAuthn factors can
 * be enrolled (when `[auth.mfa.phone|web_authn] enroll_enabled`), but their challenges
 * need an SMS provider or a WebAuthn relying party, which the local runtime does not have.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { audit } from './audit.ts';
import { mfaVerificationAttempt } from './hooks.ts';
import { FACTOR_COLUMNS, findUserById, isUuid, loadFactors, type FactorRow, type Query, type SessionRow, type UserRow } from './db.ts';
import { Outbox } from './email.ts';
import { AuthError, badRequest, forbidden, internal, sendJson, unprocessable } from './errors.ts';
import { validatePhone } from './accounts.ts';
import { map, str, type ParamsSchema } from './params.ts';
import { addAmrClaim, sessionAalAndAmr, swapRefreshToken, tokenResponse, type TokenResponse } from './sessions.ts';
import { requireLimit, type AuthRequest, type AuthState } from './state.ts';
import { newTotpSecret, otpauthUri, qrCodeSvg, validateTotp } from './totp.ts';
import { requireAuthentication } from './user.ts';

/** The AMR method a verified factor of each type adds to the session. */
const AMR_METHOD: Record<string, string> = { totp: 'totp', phone: 'mfa/phone', webauthn: 'mfa/webauthn' };

function requireNotAnonymous(r: AuthRequest): void {
	if (r.claims?.is_anonymous === true) throw forbidden('no_authorization', 'Anonymous user not allowed to perform these actions');
}

/** The signed-in user, a real (not anonymous) one, with the session the token names. */
async function requireMfaUser(state: AuthState, r: AuthRequest): Promise<{ user: UserRow; session: SessionRow | null }> {
	const authenticated = await requireAuthentication(state, r);
	requireNotAnonymous(r);
	return authenticated;
}

/** GoTrue's `loadFactor`: the user's own factor, else 404. */
export async function findOwnedFactor(q: Query, userId: string, factorId: string): Promise<FactorRow> {
	if (!isUuid(factorId)) throw new AuthError(404, 'validation_failed', 'factor_id must be an UUID');
	const [factor] = await q<FactorRow[]>`
		select ${q.unsafe(FACTOR_COLUMNS)} from auth.mfa_factors where id = ${factorId} and user_id = ${userId}`;
	if (!factor) throw new AuthError(404, 'mfa_factor_not_found', 'Factor not found');
	return factor;
}

/**
 * GoTrue's `DowngradeSessionsToAAL1`: sessions that reached aal2 with `factor` lose its
 * AMR entry and drop to aal1 (their next token says so).
 */
export async function downgradeSessions(q: Query, factor: FactorRow): Promise<void> {
	await q`
		delete from auth.mfa_amr_claims
		where authentication_method = ${AMR_METHOD[factor.factor_type] ?? ''}
		  and session_id in (select id from auth.sessions where factor_id = ${factor.id})`;
	await q`update auth.sessions set aal = 'aal1', factor_id = null where user_id = ${factor.user_id} and factor_id = ${factor.id}`;
}

const ENROLL_PARAMS: ParamsSchema = {
	name: 'EnrollFactorParams',
	fields: { friendly_name: 'string', factor_type: 'string', issuer: 'string', phone: 'string' }
};

/** GoTrue's `validateFactors`: stale factors go, then the name, count and level rules. */
async function validateFactors(state: AuthState, user: UserRow, session: SessionRow, friendlyName: string): Promise<void> {
	const mfa = state.settings.mfa;
	await state.sql`
		delete from auth.mfa_factors f
		where status <> 'verified' and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)
		  and created_at + make_interval(secs => ${mfa.factorExpirySeconds}) < now()`;
	const factors = await loadFactors(state.sql, user.id);
	let verified = 0;
	for (const factor of factors) {
		if ((factor.friendly_name ?? '') === friendlyName) {
			throw unprocessable('mfa_factor_name_conflict', `A factor with the friendly name ${JSON.stringify(friendlyName)} for this user already exists`);
		}
		if (factor.status === 'verified') verified++;
	}
	if (factors.length >= mfa.maxEnrolledFactors || verified >= mfa.maxVerifiedFactors) {
		throw unprocessable('too_many_enrolled_mfa_factors', 'Maximum number of verified factors reached, unenroll to continue');
	}
	if (verified > 0 && session.aal !== 'aal2') throw forbidden('insufficient_aal', 'AAL2 required to enroll a new factor');
}

async function insertFactor(
	state: AuthState,
	r: AuthRequest,
	user: UserRow,
	type: string,
	friendlyName: string,
	extra: { secret?: string; phone?: string }
): Promise<string> {
	const id = randomUUID();
	await state.sql.begin(async (tx) => {
		await tx`
			insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret, phone)
			values (${id}, ${user.id}, ${friendlyName}, ${type}, 'unverified', now(), now(), ${extra.secret ?? ''}, ${extra.phone ?? null})`;
		// GoTrue records the type of phone and WebAuthn factors, not of TOTP ones.
		await audit(tx, user, 'factor_in_progress', type === 'totp' ? { factor_id: id } : { factor_id: id, factor_type: type }, r.ip);
	});
	return id;
}

/** `POST /factors`. */
export async function enrollFactor(state: AuthState, r: AuthRequest): Promise<void> {
	const { user, session } = await requireMfaUser(state, r);
	if (!session) throw internal('A valid session and a registered user are required to enroll a factor');
	const params = await r.params(ENROLL_PARAMS);
	const friendlyName = str(params, 'friendly_name');
	const mfa = state.settings.mfa;
	switch (str(params, 'factor_type')) {
		case 'phone': {
			if (!mfa.phone.enrollEnabled) throw unprocessable('mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
			const given = str(params, 'phone');
			if (!given) throw badRequest('validation_failed', 'Phone number required to enroll Phone factor');
			const phone = validatePhone(given);
			const same = (await loadFactors(state.sql, user.id)).filter((f) => f.factor_type === 'phone' && f.phone === phone);
			if (same.some((f) => f.status === 'verified')) {
				throw unprocessable('mfa_verified_factor_exists', 'A verified phone factor already exists, unenroll the existing factor to continue');
			}
			for (const stale of same) await state.sql`delete from auth.mfa_factors where id = ${stale.id}`;
			await validateFactors(state, user, session, friendlyName);
			const id = await insertFactor(state, r, user, 'phone', friendlyName, { phone });
			return sendJson(r.res, 200, { id, type: 'phone', friendly_name: friendlyName, phone: given });
		}
		case 'totp': {
			if (!mfa.totp.enrollEnabled) throw unprocessable('mfa_totp_enroll_not_enabled', 'MFA enroll is disabled for TOTP');
			let issuer = str(params, 'issuer');
			if (!issuer) {
				try {
					issuer = new URL(state.settings.siteUrl).host;
				} catch {
					throw internal('site url is improperly formatted');
				}
			}
			await validateFactors(state, user, session, friendlyName);
			const secret = newTotpSecret();
			const uri = otpauthUri(issuer, user.email ?? '', secret);
			const id = await insertFactor(state, r, user, 'totp', friendlyName, { secret });
			return sendJson(r.res, 200, { id, type: 'totp', friendly_name: friendlyName, totp: { qr_code: qrCodeSvg(uri), secret, uri } });
		}
		case 'webauthn': {
			if (!mfa.webAuthn.enrollEnabled) throw unprocessable('mfa_webauthn_enroll_not_enabled', 'MFA enroll is disabled for WebAuthn');
			await validateFactors(state, user, session, friendlyName);
			const id = await insertFactor(state, r, user, 'webauthn', friendlyName, {});
			return sendJson(r.res, 200, { id, type: 'webauthn', friendly_name: friendlyName });
		}
		default:
			throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
	}
}

/**
 * The verify switch of each factor type, as `ChallengeFactor` and `VerifyFactor` check it
 * (`VerifyFactor` reports a disabled WebAuthn with the enrol code, as GoTrue does).
 */
function requireVerifyEnabled(state: AuthState, factor: FactorRow, step: 'challenge' | 'verify'): void {
	const mfa = state.settings.mfa;
	switch (factor.factor_type) {
		case 'phone':
			if (!mfa.phone.verifyEnabled) throw unprocessable('mfa_phone_verify_not_enabled', 'MFA verification is disabled for Phone');
			return;
		case 'totp':
			if (!mfa.totp.verifyEnabled) throw unprocessable('mfa_totp_verify_not_enabled', 'MFA verification is disabled for TOTP');
			return;
		case 'webauthn':
			if (!mfa.webAuthn.verifyEnabled) {
				const code = step === 'verify' ? 'mfa_webauthn_enroll_not_enabled' : 'mfa_webauthn_verify_not_enabled';
				throw unprocessable(code, 'MFA verification is disabled for WebAuthn');
			}
			return;
		default:
			throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
	}
}

/** The address GoTrue records with a challenge and compares on verify. */
function requestIp(r: AuthRequest): string {
	return isIP(r.ip) ? r.ip : '127.0.0.1';
}

/** `POST /factors/:id/challenge`. */
export async function challengeFactor(state: AuthState, r: AuthRequest, factorId: string): Promise<void> {
	const { user } = await requireMfaUser(state, r);
	const factor = await findOwnedFactor(state.sql, user.id, factorId);
	requireLimit(state.limits.factorChallenge, r.rateLimitKey);
	requireVerifyEnabled(state, factor, 'challenge');
	// Without an SMS provider (GoTrue's `GetSmsProvider`) or a WebAuthn relying party no
	// challenge can be sent; GoTrue answers 500 in the same place.
	if (factor.factor_type === 'phone') throw internal('Failed to get SMS provider');
	if (factor.factor_type === 'webauthn') throw internal('Failed to generate WebAuthn registration data');
	const id = randomUUID();
	const [challenge] = await state.sql.begin(async (tx) => {
		await tx`update auth.mfa_factors set last_challenged_at = now() where id = ${factor.id}`;
		await audit(tx, user, 'challenge_created', { factor_id: factor.id, factor_status: factor.status }, r.ip);
		return tx<{ expires_at: string }[]>`
			insert into auth.mfa_challenges (id, factor_id, created_at, ip_address)
			values (${id}, ${factor.id}, now(), ${requestIp(r)}::inet)
			returning floor(extract(epoch from created_at))::bigint + ${state.settings.mfa.challengeExpirySeconds}::int as expires_at`;
	});
	return sendJson(r.res, 200, { id, type: factor.factor_type, expires_at: Number(challenge.expires_at) });
}

const VERIFY_PARAMS: ParamsSchema = { name: 'VerifyFactorParams', fields: { challenge_id: 'string', code: 'string', webauthn: 'map' } };

/** The checks `verifyWebAuthnFactor` makes on its parameters before it looks for the challenge. */
function checkWebAuthnParams(webauthn: Record<string, unknown> | null): void {
	if (!webauthn) throw badRequest('validation_failed', 'WebAuthn config required');
	if (webauthn.type !== 'create' && webauthn.type !== 'request') throw badRequest('validation_failed', 'WebAuthn type must be create or request');
	if (webauthn.credential_response === undefined || webauthn.credential_response === null) {
		throw badRequest('validation_failed', 'credential_response required');
	}
}

interface ChallengeRow {
	id: string;
	verified_at: string | null;
	same_ip: boolean;
	expired: boolean;
}

/** GoTrue's `validateChallenge`: the factor's own, unused challenge, from the same address, in time. */
async function validateChallenge(state: AuthState, r: AuthRequest, factor: FactorRow, challengeId: string): Promise<ChallengeRow> {
	const [challenge] = await state.sql<ChallengeRow[]>`
		select id, verified_at, ip_address = ${requestIp(r)}::inet as same_ip,
			created_at + make_interval(secs => ${state.settings.mfa.challengeExpirySeconds}) < now() as expired
		from auth.mfa_challenges where id = ${challengeId} and factor_id = ${factor.id}`;
	if (!challenge) throw unprocessable('mfa_factor_not_found', 'MFA factor with the provided challenge ID not found');
	if (challenge.verified_at || !challenge.same_ip) throw unprocessable('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
	if (challenge.expired) {
		await state.sql`delete from auth.mfa_challenges where id = ${challenge.id}`;
		throw unprocessable('mfa_challenge_expired', `MFA challenge ${challenge.id} has expired, verify against another challenge or create a new challenge.`);
	}
	return challenge;
}

/** `POST /factors/:id/verify`: a TOTP code turns the session into an aal2 one. */
export async function verifyFactor(state: AuthState, r: AuthRequest, factorId: string): Promise<void> {
	const { user } = await requireMfaUser(state, r);
	const factor = await findOwnedFactor(state.sql, user.id, factorId);
	requireLimit(state.limits.factorVerify, r.rateLimitKey);
	const params = await r.params(VERIFY_PARAMS);
	let challengeId = str(params, 'challenge_id');
	if (!challengeId) challengeId = '00000000-0000-0000-0000-000000000000';
	else if (!isUuid(challengeId)) {
		throw badRequest('bad_json', `Could not parse request body as JSON: uuid: incorrect UUID format in string ${JSON.stringify(challengeId)}`);
	}
	const code = str(params, 'code');
	if (!code && factor.factor_type !== 'webauthn') throw badRequest('validation_failed', 'Code needs to be non-empty');
	requireVerifyEnabled(state, factor, 'verify');
	if (factor.factor_type === 'webauthn') checkWebAuthnParams(map(params, 'webauthn'));
	if (factor.factor_type !== 'totp') {
		// Phone and WebAuthn challenges cannot exist here (see challengeFactor).
		await validateChallenge(state, r, factor, challengeId);
		throw internal('MFA verification needs an SMS provider or a WebAuthn relying party');
	}
	const challenge = await validateChallenge(state, r, factor, challengeId);
	const valid = validateTotp(code, factor.secret ?? '');
	const hook = state.settings.mfaVerificationHook;
	if (hook) {
		const decision = await mfaVerificationAttempt(state.sql, r, hook, { id: factor.id, userId: user.id, type: factor.factor_type }, valid);
		if (decision.reject) {
			await state.sql`delete from auth.sessions where user_id = ${user.id}`;
			throw forbidden('mfa_verification_rejected', decision.message || 'Further MFA verification attempts will be rejected.');
		}
	}
	if (!valid) throw unprocessable('mfa_verification_failed', 'Invalid TOTP code entered');

	const sessionId = typeof r.claims?.session_id === 'string' ? r.claims.session_id : '';
	if (!isUuid(sessionId)) throw internal('Cannot read SessionId claim as UUID');
	const response = await state.sql.begin(async (tx): Promise<TokenResponse> => {
		await tx`update auth.mfa_challenges set verified_at = now() where id = ${challenge.id}`;
		await audit(tx, user, 'verification_attempted', { challenge_id: challenge.id, factor_id: factor.id, factor_type: factor.factor_type }, r.ip);
		if (factor.status !== 'verified') await tx`update auth.mfa_factors set status = 'verified', updated_at = now() where id = ${factor.id}`;
		const current = await findUserById(tx, user.id);
		if (!current) throw internal('Database error loading user');
		await addAmrClaim(tx, sessionId, AMR_METHOD.totp);
		const [session] = await tx`select id from auth.sessions where id = ${sessionId} for update`;
		if (!session) throw new AuthError(404, 'session_not_found', 'Session not found');
		const refreshToken = await swapRefreshToken(tx, sessionId);
		const { aal } = await sessionAalAndAmr(tx, sessionId);
		await tx`update auth.sessions set aal = ${aal}, factor_id = ${factor.id} where id = ${sessionId}`;
		const token = await tokenResponse(state, tx, user.id, sessionId, refreshToken, { r, method: 'totp' });
		// Sessions still at aal1 end: the account is now protected by a second factor.
		await tx`delete from auth.sessions where user_id = ${user.id} and aal < 'aal2'`;
		await tx`delete from auth.mfa_factors where user_id = ${user.id} and status = 'unverified' and factor_type = ${factor.factor_type}`;
		return token;
	});
	if (factor.status !== 'verified') notifyFactor(state, r, user, 'mfa_factor_enrolled', factor.factor_type);
	r.res.setHeader('sb-auth-user-id', user.id);
	r.res.setHeader('sb-auth-session-id', sessionId);
	return sendJson(r.res, 200, response);
}

/** The factor enrolled / unenrolled notices, when `[auth.email.notification.*]` turns them on. */
function notifyFactor(state: AuthState, r: AuthRequest, user: UserRow, kind: 'mfa_factor_enrolled' | 'mfa_factor_unenrolled', factorType: string): void {
	const outbox = new Outbox();
	outbox.notify(state, { to: user.email ?? '', userId: user.id, kind, data: { Email: user.email ?? '', FactorType: factorType, Data: user.raw_user_meta_data ?? {} } });
	outbox.deliver(state, r);
}

/** `DELETE /factors/:id`: a verified factor goes only from an aal2 session. */
export async function unenrollFactor(state: AuthState, r: AuthRequest, factorId: string): Promise<void> {
	const { user, session } = await requireMfaUser(state, r);
	const factor = await findOwnedFactor(state.sql, user.id, factorId);
	if (!session) throw internal('A valid session and factor are required to unenroll a factor');
	if (factor.status === 'verified' && session.aal !== 'aal2') {
		throw unprocessable('insufficient_aal', 'AAL2 required to unenroll verified factor');
	}
	await state.sql.begin(async (tx) => {
		await audit(tx, user, 'factor_unenrolled', { factor_id: factor.id, factor_status: factor.status, session_id: session.id }, r.ip);
		await tx`delete from auth.mfa_factors where id = ${factor.id}`;
		await downgradeSessions(tx, factor);
	});
	notifyFactor(state, r, user, 'mfa_factor_unenrolled', factor.factor_type);
	return sendJson(r.res, 200, { id: factor.id });
}
