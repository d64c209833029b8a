/**
 * The signed-in user's endpoints (GoTrue's `auth.go`, `user.go`, `logout.go`,
 * `reauthenticate.go`): the bearer-token check every one of them makes, `GET`/`PUT
 * /user`, `POST /logout` with its scopes and `GET /reauthenticate`.
 */
import { completeEmailChange, setUserMetadata, updatePassword, validatePhone } from './accounts.ts';
import { verifyAccessToken } from './access-token.ts';
import { audit } from './audit.ts';
import {
	createIdentity,
	findDuplicateEmail,
	findSession,
	findUserById,
	fullUserJson,
	identityData,
	isBanned,
	isUuid,
	timeMs,
	type SessionRow,
	type UserRow
} from './db.ts';
import { createFlowState, notifyEmailChanged, Outbox, sendEmailChange, sendReauthentication, tokenHash, validateEmail, validatePkce } from './email.ts';
import { AuthError, badRequest, forbidden, internal, sendJson, unprocessable } from './errors.ts';
import { map, ptr, str, type ParamsSchema } from './params.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { requireLimit, type AuthRequest, type AuthState } from './state.ts';

export interface Authenticated {
	user: UserRow;
	session: SessionRow | null;
}

/** GoTrue's `requireAuthentication`: a valid JWT of an existing user (and session). */
export async function requireAuthentication(state: AuthState, r: AuthRequest): Promise<Authenticated> {
	const claims = await verifyAccessToken(state.settings, r.bearer());
	r.claims = claims;
	const sub = typeof claims.sub === 'string' ? claims.sub : '';
	if (!sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
	if (!isUuid(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
	const user = await findUserById(state.sql, sub);
	if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
	let session: SessionRow | null = null;
	const sessionId = typeof claims.session_id === 'string' ? claims.session_id : '';
	if (sessionId && sessionId !== '00000000-0000-0000-0000-000000000000') {
		if (!isUuid(sessionId)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
		session = await findSession(state.sql, sessionId);
		if (!session) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
	}
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	return { user, session };
}

export async function getUser(state: AuthState, r: AuthRequest): Promise<void> {
	const { user } = await requireAuthentication(state, r);
	const aud = r.aud();
	const claimAud = Array.isArray(r.claims?.aud) ? r.claims?.aud[0] : r.claims?.aud;
	if (!claimAud || aud !== claimAud) throw badRequest('validation_failed', "Token audience doesn't match request audience");
	return sendJson(r.res, 200, await fullUserJson(state.sql, user));
}

export async function logout(state: AuthState, r: AuthRequest): Promise<void> {
	const { user, session } = await requireAuthentication(state, r);
	const scope = r.url.searchParams.get('scope') ?? '';
	if (!['', 'global', 'local', 'others'].includes(scope)) {
		throw badRequest('validation_failed', `Unsupported logout scope ${JSON.stringify(scope)}`);
	}
	await state.sql.begin(async (tx) => {
		await audit(tx, user, 'logout');
		if (session && scope === 'local') await tx`delete from auth.sessions where id = ${session.id}`;
		else if (session && scope === 'others') await tx`delete from auth.sessions where id <> ${session.id} and user_id = ${user.id}`;
		else await tx`delete from auth.sessions where user_id = ${user.id}`;
	});
	r.res.writeHead(204);
	r.res.end();
}

const USER_UPDATE_PARAMS: ParamsSchema = {
	name: 'UserUpdateParams',
	fields: {
		email: 'string',
		password: 'pointer-string',
		current_password: 'pointer-string',
		nonce: 'string',
		data: 'map',
		app_metadata: 'map',
		phone: 'string',
		channel: 'string',
		code_challenge: 'string',
		code_challenge_method: 'string'
	}
};


export async function updateUser(state: AuthState, r: AuthRequest): Promise<void> {
	const s = state.settings;
	const { user, session } = await requireAuthentication(state, r);
	requireLimit(state.limits.user, r.rateLimitKey);
	const params = await r.params(USER_UPDATE_PARAMS);
	let email = str(params, 'email');
	let phone = str(params, 'phone');
	const password = ptr(params, 'password');
	const nonce = str(params, 'nonce');
	const data = map(params, 'data');
	const appData = map(params, 'app_metadata');
	const challenge = str(params, 'code_challenge');
	const challengeMethod = str(params, 'code_challenge_method');
	const aud = r.aud();

	if (email) email = validateEmail(email);
	if (phone) phone = validatePhone(phone);
	if (password !== null) checkPasswordStrength(password, s.minPasswordLength, s.requiredCharacterSets);
	if (appData) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
	if (session?.aal !== 'aal2' && ((password !== null && password !== '') || (email && email !== user.email) || (phone && phone !== user.phone))) {
		const [mfa] = await state.sql`select 1 from auth.mfa_factors where user_id = ${user.id} and status = 'verified' limit 1`;
		if (mfa) throw new AuthError(401, 'insufficient_aal', 'AAL2 session is required to update email or password when MFA is enabled.');
	}
	if (user.is_anonymous && password && !email && !phone) {
		throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
	}
	if (email && email !== user.email && (await findDuplicateEmail(state.sql, email, aud, user.id))) {
		throw unprocessable('email_exists', 'A user with this email address has already been registered');
	}
	if (phone && phone !== user.phone && !s.smsAutoconfirm) {
		// Without auto-confirm GoTrue would text a code; the local runtime has no SMS provider.
		throw internal('Unable to get SMS provider');
	}
	if (phone && phone !== user.phone) {
		const [taken] = await state.sql`select 1 from auth.users where phone = ${phone} and aud = ${aud} and is_sso_user = false limit 1`;
		if (taken) throw unprocessable('phone_exists', 'A user with this phone number has already been registered');
	}

	let encrypted: string | null = null;
	let reauthenticated = false;
	if (password !== null) {
		if (s.updatePasswordRequireReauthentication) {
			const created = timeMs(session?.created_at);
			if (!session || created === null || Date.now() > created + 24 * 3600 * 1000) {
				if (!nonce) throw badRequest('reauthentication_needed', 'Password update requires reauthentication');
				const expected = user.reauthentication_token;
				const sent = timeMs(user.reauthentication_sent_at);
				const fresh = sent !== null && Date.now() <= sent + s.otpExpirySeconds * 1000;
				if (!expected || !fresh || tokenHash(user.email ?? '', nonce) !== expected) {
					throw unprocessable('reauthentication_not_valid', 'Nonce has expired or is invalid');
				}
				reauthenticated = true;
			}
		}
		if (password !== '' && user.encrypted_password && (await verifyPassword(password, user.encrypted_password))) {
			throw unprocessable('same_password', 'New password should be different from the old password.');
		}
		encrypted = password === '' ? '' : await hashPassword(password);
	}

	const outbox = new Outbox();
	await state.sql.begin(async (tx) => {
		let current = user;
		if (reauthenticated) {
			await tx`update auth.users set reauthentication_token = '', updated_at = now() where id = ${user.id}`;
			await tx`delete from auth.one_time_tokens where user_id = ${user.id}`;
		}
		if (encrypted !== null) {
			current = await updatePassword(tx, current, encrypted, session?.id ?? null);
			await audit(tx, current, 'user_updated_password');
			const about = { Email: current.email ?? '', Data: current.raw_user_meta_data ?? {} };
			outbox.notify(state, { to: current.email ?? '', userId: current.id, kind: 'password_changed', data: about });
		}
		if (data) current = await setUserMetadata(tx, current, data);
		if (email && email !== current.email) {
			if (current.is_anonymous && s.autoconfirm) {
				await tx`update auth.users set email_change = ${email}, updated_at = now() where id = ${current.id}`;
				[current] = await tx<UserRow[]>`select * from auth.users where id = ${current.id}`;
				await audit(tx, current, 'user_modified');
				const oldEmail = current.email ?? '';
				current = await completeEmailChange(tx, current);
				notifyEmailChanged(state, outbox, oldEmail, current);
			} else {
				validatePkce(challengeMethod, challenge);
				if (challenge) {
					await createFlowState(tx, { providerType: 'email_change', method: 'email_change', challenge, challengeMethod, userId: current.id });
				}
				await sendEmailChange(state, r, tx, current, email, challenge !== '', outbox);
			}
		}
		if (phone && phone !== current.phone) {
			// With SMS confirmations off (the CLI's default) a new phone number is confirmed at once.
			const [identity] = await tx`select id from auth.identities where provider_id = ${current.id} and provider = 'phone'`;
			if (identity) {
				await tx`
					update auth.identities set identity_data = identity_data || ${tx.json({ phone, phone_verified: true })}, updated_at = now()
					where id = ${identity.id}`;
			} else {
				await createIdentity(tx, current.id, 'phone', identityData({ sub: current.id, phone, phoneVerified: true }));
			}
			await tx`
				update auth.users set phone = ${phone}, phone_change = '', phone_change_token = '', phone_confirmed_at = now(),
					is_anonymous = false, updated_at = now()
				where id = ${current.id}`;
			const about = { Email: current.email ?? '', Data: current.raw_user_meta_data ?? {} };
			if (current.phone) outbox.notify(state, { to: current.email ?? '', userId: current.id, kind: 'phone_changed', data: { ...about, Phone: phone, OldPhone: current.phone } });
			if (!identity) outbox.notify(state, { to: current.email ?? '', userId: current.id, kind: 'identity_linked', data: { ...about, Provider: 'phone' } });
		}
		await audit(tx, current, 'user_modified');
	});
	outbox.deliver(state, r);
	const updated = await findUserById(state.sql, user.id);
	return sendJson(r.res, 200, await fullUserJson(state.sql, updated ?? user));
}

export async function reauthenticate(state: AuthState, r: AuthRequest): Promise<void> {
	const { user } = await requireAuthentication(state, r);
	if (!user.email && !user.phone) {
		throw badRequest('validation_failed', 'Reauthentication requires the user to have an email or a phone number');
	}
	if (!user.email) throw unprocessable('phone_provider_disabled', 'Phone reauthentication needs an SMS provider');
	if (!user.email_confirmed_at) throw unprocessable('email_not_confirmed', 'Please verify your email first.');
	const outbox = new Outbox();
	await state.sql.begin(async (tx) => {
		await audit(tx, user, 'user_reauthenticate_requested');
		await sendReauthentication(state, r, tx, user, outbox);
	});
	outbox.deliver(state);
	return sendJson(r.res, 200, {});
}
