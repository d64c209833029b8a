/**
 * The mail-sending endpoints anyone may call (GoTrue's `recover.go`, `otp.go`,
 * `magic_link.go`, `resend.go`): password recovery, e-mail OTP / magic link (signing
 * the user up first when allowed), and resending a confirmation or e-mail change mail.
 * None of them tells whether an address is registered.
 */
import { randomBytes } from 'node:crypto';
import { audit } from './audit.ts';
import { findUserByEmail, type UserRow } from './db.ts';
import { createFlowState, Outbox, sendConfirmation, sendEmailChange, sendRecoveryOrMagicLink, validateEmail, validatePkce } from './email.ts';
import { badRequest, sendJson, unprocessable } from './errors.ts';
import { bool, map, str, type ParamsSchema } from './params.ts';
import { signup } from './signup.ts';
import { requireLimit, type AuthRequest, type AuthState } from './state.ts';

const RECOVER_PARAMS: ParamsSchema = { name: 'RecoverParams', fields: { email: 'string', code_challenge: 'string', code_challenge_method: 'string' } };

export async function recover(state: AuthState, r: AuthRequest): Promise<void> {
	requireLimit(state.limits.recover, r.rateLimitKey);
	if (!state.settings.emailEnabled) throw badRequest('email_provider_disabled', 'Email logins are disabled');
	const params = await r.params(RECOVER_PARAMS);
	let email = str(params, 'email');
	const challenge = str(params, 'code_challenge');
	const challengeMethod = str(params, 'code_challenge_method');
	if (!email) throw badRequest('validation_failed', 'Password recovery requires an email');
	email = validateEmail(email);
	validatePkce(challengeMethod, challenge);
	const user = await findUserByEmail(state.sql, email, r.aud());
	if (!user) return sendJson(r.res, 200, {});
	const pkce = challenge !== '';
	const outbox = new Outbox();
	await state.sql.begin(async (tx) => {
		if (pkce) await createFlowState(tx, { providerType: 'recovery', method: 'recovery', challenge, challengeMethod, userId: user.id });
		await audit(tx, user, 'user_recovery_requested');
		await sendRecoveryOrMagicLink(state, r, tx, user, 'recovery', pkce, outbox);
	});
	outbox.deliver(state);
	return sendJson(r.res, 200, {});
}

const OTP_PARAMS: ParamsSchema = {
	name: 'OtpParams',
	fields: { email: 'string', phone: 'string', create_user: 'bool', data: 'map', channel: 'string', code_challenge_method: 'string', code_challenge: 'string' }
};

export async function otp(state: AuthState, r: AuthRequest): Promise<void> {
	requireLimit(state.limits.otp, r.rateLimitKey);
	const params = await r.params(OTP_PARAMS);
	const createUser = 'create_user' in params ? bool(params, 'create_user') : true;
	let email = str(params, 'email');
	const phone = str(params, 'phone');
	if (email && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided');
	if (email && str(params, 'channel')) throw badRequest('validation_failed', 'Channel should only be specified with Phone OTP');
	validatePkce(str(params, 'code_challenge_method'), str(params, 'code_challenge'));
	if (!createUser && (email || phone)) {
		let exists = false;
		if (email) {
			email = validateEmail(email);
			exists = (await findUserByEmail(state.sql, email, r.aud())) !== null;
		}
		if (!exists) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
	}
	if (email) return magicLink(state, r);
	if (phone) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
	throw badRequest('validation_failed', 'One of email or phone must be set');
}

const MAGIC_LINK_PARAMS: ParamsSchema = {
	name: 'MagicLinkParams',
	fields: { email: 'string', data: 'map', code_challenge_method: 'string', code_challenge: 'string' }
};

export async function magicLinkRoute(state: AuthState, r: AuthRequest): Promise<void> {
	requireLimit(state.limits.otp, r.rateLimitKey);
	return magicLink(state, r);
}

/** GoTrue's `MagicLink`: a new (or unconfirmed) address is signed up first. */
async function magicLink(state: AuthState, r: AuthRequest): Promise<void> {
	const s = state.settings;
	if (!s.emailEnabled) throw unprocessable('email_provider_disabled', 'Email logins are disabled');
	const params = await r.params(MAGIC_LINK_PARAMS);
	let email = str(params, 'email');
	if (!email) throw unprocessable('validation_failed', 'Password recovery requires an email');
	email = validateEmail(email);
	const challenge = str(params, 'code_challenge');
	const challengeMethod = str(params, 'code_challenge_method');
	validatePkce(challengeMethod, challenge);
	const user = await findUserByEmail(state.sql, email, r.aud());
	if (!user || !user.email_confirmed_at) {
		// Sign the address up with a random password, then (with auto-confirm) send the link.
		const password = randomBytes(24).toString('base64url') + s.requiredCharacterSets.map((set) => set[randomBytes(1)[0] % set.length]).join('');
		// As GoTrue: the sign-up's own answer (a session with auto-confirm) is discarded.
		await signup(state, r, { email, password, data: map(params, 'data') ?? {}, code_challenge: challenge, code_challenge_method: challengeMethod });
		if (!s.autoconfirm) return sendJson(r.res, 200, {});
		const created = await findUserByEmail(state.sql, email, r.aud());
		if (!created) return sendJson(r.res, 200, {});
		return sendMagicLink(state, r, created, challenge, challengeMethod);
	}
	return sendMagicLink(state, r, user, challenge, challengeMethod);
}

async function sendMagicLink(state: AuthState, r: AuthRequest, user: UserRow, challenge: string, challengeMethod: string): Promise<void> {
	const pkce = challenge !== '';
	const outbox = new Outbox();
	await state.sql.begin(async (tx) => {
		if (pkce) await createFlowState(tx, { providerType: 'magiclink', method: 'magiclink', challenge, challengeMethod, userId: user.id });
		await audit(tx, user, 'user_recovery_requested');
		await sendRecoveryOrMagicLink(state, r, tx, user, 'magiclink', pkce, outbox);
	});
	outbox.deliver(state);
	return sendJson(r.res, 200, {});
}

const RESEND_PARAMS: ParamsSchema = {
	name: 'ResendConfirmationParams',
	fields: { type: 'string', email: 'string', phone: 'string', code_challenge: 'string', code_challenge_method: 'string' }
};

export async function resend(state: AuthState, r: AuthRequest): Promise<void> {
	requireLimit(state.limits.resend, r.rateLimitKey);
	const params = await r.params(RESEND_PARAMS);
	const type = str(params, 'type');
	let email = str(params, 'email');
	const phone = str(params, 'phone');
	const challenge = str(params, 'code_challenge');
	const challengeMethod = str(params, 'code_challenge_method');
	if (type === 'signup' || type === 'email_change') validatePkce(challengeMethod, challenge);
	else if (type !== 'sms' && type !== 'phone_change') {
		throw badRequest('validation_failed', 'Missing one of these types: signup, email_change, sms, phone_change');
	}
	if (!email && type === 'signup') throw badRequest('validation_failed', 'Type provided requires an email address');
	if (!phone && type === 'sms') throw badRequest('validation_failed', 'Type provided requires a phone number');
	if (email && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided.');
	if (email) {
		if (!state.settings.emailEnabled) throw badRequest('email_provider_disabled', 'Email logins are disabled');
		email = validateEmail(email);
	} else if (phone) {
		throw badRequest('phone_provider_disabled', 'Phone logins are disabled');
	} else {
		throw badRequest('validation_failed', 'Missing email address or phone number');
	}
	const user = await findUserByEmail(state.sql, email, r.aud());
	if (!user) return sendJson(r.res, 200, {});
	if (type === 'signup' && user.email_confirmed_at) return sendJson(r.res, 200, {});
	if (type === 'email_change' && !user.email_change) return sendJson(r.res, 200, {});
	if (type === 'sms' || type === 'phone_change') return sendJson(r.res, 200, {});
	const pkce = challenge !== '';
	const outbox = new Outbox();
	await state.sql.begin(async (tx) => {
		if (type === 'signup') {
			await audit(tx, user, 'user_confirmation_requested');
			if (pkce) await createFlowState(tx, { providerType: 'email', method: 'email/signup', challenge, challengeMethod, userId: user.id });
			return sendConfirmation(state, r, tx, user, pkce, outbox);
		}
		if (pkce) await createFlowState(tx, { providerType: 'email_change', method: 'email_change', challenge, challengeMethod, userId: user.id });
		return sendEmailChange(state, r, tx, user, user.email_change ?? '', pkce, outbox);
	});
	outbox.deliver(state);
	return sendJson(r.res, 200, {});
}

