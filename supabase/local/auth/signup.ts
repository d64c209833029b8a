/**
 * `POST /signup` (GoTrue's `signup.go` and `anonymous.go`): e-mail and password sign-up
 * with or without confirmation, PKCE, repeated sign-ups (an error with auto-confirm, an
 * obfuscated look-alike user otherwise, so addresses cannot be probed), and anonymous
 * users when the body names neither e-mail nor phone.
 */
import { randomUUID } from 'node:crypto';
import { confirmUser, insertUser } from './accounts.ts';
import { audit } from './audit.ts';
import { beforeUserCreated, emailProspect } from './hooks.ts';
import { createIdentity, findDuplicateEmail, identityData, loadIdentities, updateAppMetadataProviders, userJson, type UserRow } from './db.ts';
import { createFlowState, Outbox, sendConfirmation, validateEmail, validatePkce } from './email.ts';
import { AuthError, badRequest, internal, sendJson, unprocessable } from './errors.ts';
import { map, str, type Params, type ParamsSchema } from './params.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import { issueSession } from './sessions.ts';
import { requireLimit, type AuthRequest, type AuthState } from './state.ts';

export const SIGNUP_PARAMS: ParamsSchema = {
	name: 'SignupParams',
	fields: { email: 'string', phone: 'string', password: 'string', data: 'map', channel: 'string', code_challenge_method: 'string', code_challenge: 'string' }
};

export async function signupRoute(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(SIGNUP_PARAMS);
	if (!str(params, 'email') && !str(params, 'phone')) {
		if (!state.settings.anonymousEnabled) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
		requireLimit(state.limits.anonymous, r.rateLimitKey);
		return sendJson(r.res, 200, await signupAnonymously(state, r, params));
	}
	requireLimit(state.limits.signInSignUps, r.rateLimitKey);
	return sendJson(r.res, 200, await signup(state, r, params));
}

class UserExists extends Error {
	readonly user: UserRow;
	constructor(user: UserRow) {
		super('user already exists');
		this.user = user;
	}
}

/** Signs up from decoded params and returns the response body (a session or a user). */
export async function signup(state: AuthState, r: AuthRequest, params: Params): Promise<Record<string, unknown>> {
	const s = state.settings;
	if (s.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	const password = str(params, 'password');
	const phone = str(params, 'phone');
	const data = map(params, 'data') ?? {};
	const challenge = str(params, 'code_challenge');
	const challengeMethod = str(params, 'code_challenge_method');
	let email = str(params, 'email');

	if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
	checkPasswordStrength(password, s.minPasswordLength, s.requiredCharacterSets);
	if (email && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
	if (phone && challenge) throw badRequest('validation_failed', 'PKCE not supported for phone signups');
	validatePkce(challengeMethod, challenge);
	const pkce = challenge !== '';
	const aud = r.aud();

	if (!email) {
		// Phone sign-ups need an SMS provider, which the local runtime has not.
		throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
	}
	if (!s.emailEnabled) throw badRequest('email_provider_disabled', 'Email signups are disabled');
	email = validateEmail(email);

	const existing = await findDuplicateEmail(state.sql, email, aud, null);
	const newUserId = randomUUID();
	if (!existing && s.beforeUserCreatedHook) {
		await beforeUserCreated(state.sql, r, s.beforeUserCreatedHook, emailProspect(newUserId, aud, email, data));
	}
	// Hash outside the transaction: it runs on the thread pool and takes ~50 ms.
	const encrypted = existing ? '' : await hashPassword(password);
	const outbox = new Outbox();
	let user: UserRow;
	try {
		user = await state.sql.begin(async (tx) => {
			let current: UserRow;
			if (existing) {
				if (existing.email_confirmed_at) throw new UserExists(existing);
				// Not confirmed: the claimed identity cannot be trusted, so the user is left as it is.
				current = existing;
			} else {
				current = await insertUser(tx, {
					id: newUserId,
					aud,
					role: s.defaultRole,
					email,
					encryptedPassword: encrypted,
					appMetadata: { provider: 'email', providers: ['email'] },
					userMetadata: data
				});
			}
			const [identity] = await tx`select id from auth.identities where provider_id = ${current.id} and provider = 'email'`;
			if (!identity) {
				const idData = identityData({ sub: current.id, email: current.email ?? '' });
				for (const [key, value] of Object.entries(data)) if (!(key in idData)) idData[key] = value;
				await createIdentity(tx, current.id, 'email', idData);
				// An unconfirmed user keeps only this identity and its metadata.
				await tx`delete from auth.identities where user_id = ${current.id} and not (provider_id = ${current.id} and provider = 'email')`;
				await tx`update auth.users set raw_user_meta_data = ${tx.json(idData as never)}, updated_at = now() where id = ${current.id}`;
				await updateAppMetadataProviders(tx, current.id);
				[current] = await tx<UserRow[]>`select * from auth.users where id = ${current.id}`;
			}
			if (!current.email_confirmed_at) {
				if (s.autoconfirm) {
					await audit(tx, current, 'user_signedup', { provider: 'email' });
					current = await confirmUser(tx, current);
				} else {
					await audit(tx, current, 'user_confirmation_requested', { provider: 'email' });
					if (pkce) {
						await createFlowState(tx, { providerType: 'email', method: 'email/signup', challenge, challengeMethod, userId: current.id });
					}
					await sendConfirmation(state, r, tx, current, pkce, outbox);
					[current] = await tx<UserRow[]>`select * from auth.users where id = ${current.id}`;
				}
			}
			return current;
		});
	} catch (error) {
		if (error instanceof AuthError) throw error;
		// A failure inside the database (a trigger on auth.users, a constraint): GoTrue's words.
		if (!(error instanceof UserExists)) throw internal('Database error saving new user');
		await audit(state.sql, error.user, 'user_repeated_signup', { provider: 'email' });
		if (s.autoconfirm || s.smsAutoconfirm) throw unprocessable('user_already_exists', 'User already registered');
		return obfuscatedUser(error.user, aud, data);
	}
	outbox.deliver(state);

	if (user.email_confirmed_at) {
		return state.sql.begin(async (tx) => {
			await audit(tx, user, 'login', { provider: 'email' });
			return issueSession(state, tx, r, user.id, 'password');
		});
	}
	const identities = await loadIdentities(state.sql, user.id);
	const body = userJson(user, identities);
	if (user.invited_at) {
		body.user_metadata = {};
		body.identities = [];
	}
	return body;
}

/** GoTrue's `sanitizeUser`: what a repeated sign-up with confirmations on answers. */
function obfuscatedUser(user: UserRow, aud: string, data: Record<string, unknown>): Record<string, unknown> {
	const now = new Date().toISOString();
	const body = userJson(
		{
			...user,
			id: randomUUID(),
			role: '',
			email_change: '',
			phone: '',
			aud,
			last_sign_in_at: null,
			confirmed_at: null,
			email_change_sent_at: null,
			email_confirmed_at: null,
			phone_confirmed_at: null,
			raw_app_meta_data: { provider: 'email', providers: ['email'] },
			raw_user_meta_data: data
		},
		[]
	);
	body.confirmation_sent_at = now;
	body.created_at = now;
	body.updated_at = now;
	return body;
}

async function signupAnonymously(state: AuthState, r: AuthRequest, params: Params): Promise<Record<string, unknown>> {
	if (state.settings.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	const data = map(params, 'data') ?? {};
	const aud = r.aud();
	const userId = randomUUID();
	if (state.settings.beforeUserCreatedHook) {
		await beforeUserCreated(state.sql, r, state.settings.beforeUserCreatedHook, {
			id: userId,
			aud,
			email: '',
			phone: '',
			appMetadata: {},
			userMetadata: data,
			isAnonymous: true
		});
	}
	let session;
	try {
		session = await state.sql.begin(async (tx) => {
			const user = await insertUser(tx, {
				id: userId,
				aud,
				role: state.settings.defaultRole,
				email: null,
				encryptedPassword: '',
				appMetadata: {},
				userMetadata: data,
				isAnonymous: true
			});
			return issueSession(state, tx, r, user.id, 'anonymous');
		});
	} catch (error) {
		if (error instanceof AuthError) throw error;
		throw internal('Database error creating anonymous user');
	}
	return session;
}
