/**
 * `GET /verify` (the links in e-mails) and `POST /verify` (codes and token hashes), as
 * GoTrue's `verify.go`: sign-up, invite, recovery, magic link, e-mail change and `email`
 * codes. A link redirects to `redirect_to` with the session in the fragment (implicit
 * flow) or `?code=` (PKCE, when the token starts with `pkce_`), and errors as
 * `#error=…&error_code=…&error_description=…`.
 */
import { randomBytes } from 'node:crypto';
import { completeEmailChange, confirmUser, setIdentityData, updatePassword, validatePhone } from './accounts.ts';
import { audit } from './audit.ts';
import { clearOneTimeTokens, findUserByEmail, findUserByOneTimeToken, isBanned, loadIdentities, timeMs, updateAppMetadataProviders, type Query, type UserRow } from './db.ts';
import { notifyEmailChanged, Outbox, tokenHash, validateEmail } from './email.ts';
import { AuthError, badRequest, forbidden, sendJson, unprocessable } from './errors.ts';
import { goEncodeValues } from './mail.ts';
import { str, type ParamsSchema } from './params.ts';
import { hashPassword } from './passwords.ts';
import { issueSession, type TokenResponse } from './sessions.ts';
import type { AuthRequest, AuthState } from './state.ts';

const VERIFY_PARAMS: ParamsSchema = {
	name: 'VerifyParams',
	fields: { type: 'string', token: 'string', token_hash: 'string', email: 'string', phone: 'string', redirect_to: 'string' }
};

const SINGLE_CONFIRMATION = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';

interface Verification {
	type: string;
	token: string;
	tokenHash: string;
	email: string;
	phone: string;
	redirectTo: string;
}

const linkExpired = () => forbidden('otp_expired', 'Email link is invalid or has expired');
const codeExpired = () => forbidden('otp_expired', 'Token has expired or is invalid');

function isExpired(state: AuthState, sentAt: string | null): boolean {
	const sent = timeMs(sentAt);
	return sent === null || Date.now() > sent + state.settings.otpExpirySeconds * 1000;
}

/** `verifyTokenHash`: finds the user by a token hash through `auth.one_time_tokens`. */
async function userByTokenHash(state: AuthState, q: Query, v: Verification): Promise<UserRow> {
	let user: UserRow | null;
	switch (v.type) {
		case 'email':
			user = await findUserByOneTimeToken(q, v.tokenHash, ['confirmation_token', 'recovery_token']);
			break;
		case 'signup':
		case 'invite':
			user = await findUserByOneTimeToken(q, v.tokenHash, ['confirmation_token']);
			break;
		case 'recovery':
		case 'magiclink':
			user = await findUserByOneTimeToken(q, v.tokenHash, ['recovery_token']);
			break;
		case 'email_change':
			user = await findUserByOneTimeToken(q, v.tokenHash, ['email_change_token_current', 'email_change_token_new']);
			break;
		default:
			throw badRequest('validation_failed', 'Invalid email verification type');
	}
	if (!user) throw linkExpired();
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	let sentAt: string | null;
	switch (v.type) {
		case 'email':
			sentAt = user.confirmation_sent_at;
			v.type = 'signup';
			if (user.recovery_token === v.tokenHash) {
				sentAt = user.recovery_sent_at;
				v.type = 'magiclink';
			}
			break;
		case 'signup':
		case 'invite':
			sentAt = user.confirmation_sent_at;
			break;
		case 'recovery':
		case 'magiclink':
			sentAt = user.recovery_sent_at;
			break;
		default:
			sentAt = user.email_change_sent_at;
	}
	if (isExpired(state, sentAt)) throw linkExpired();
	return user;
}

function otpValid(state: AuthState, actual: string, expected: string | null, sentAt: string | null): boolean {
	if (!expected || !sentAt) return false;
	return !isExpired(state, sentAt) && (actual === expected || `pkce_${actual}` === expected);
}

/** `verifyUserAndToken`: an e-mail address and the code mailed to it. */
async function userByCode(state: AuthState, q: Query, v: Verification, aud: string): Promise<UserRow> {
	let user: UserRow | null;
	if (v.type === 'email_change') {
		user = await findUserByOneTimeToken(q, v.tokenHash, ['email_change_token_new', 'email_change_token_current']);
		user ??= await findUserByOneTimeToken(q, `pkce_${v.tokenHash}`, ['email_change_token_new', 'email_change_token_current']);
		if (user && user.aud !== aud) user = null;
	} else {
		user = await findUserByEmail(q, v.email, aud);
	}
	if (!user) throw codeExpired();
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	let valid: boolean;
	switch (v.type) {
		case 'email':
			if (otpValid(state, v.tokenHash, user.confirmation_token, user.confirmation_sent_at)) {
				valid = true;
				v.type = 'signup';
			} else if (otpValid(state, v.tokenHash, user.recovery_token, user.recovery_sent_at)) {
				valid = true;
				v.type = 'magiclink';
			} else valid = false;
			break;
		case 'signup':
		case 'invite':
			valid = otpValid(state, v.tokenHash, user.confirmation_token, user.confirmation_sent_at);
			break;
		case 'recovery':
		case 'magiclink':
			valid = otpValid(state, v.tokenHash, user.recovery_token, user.recovery_sent_at);
			break;
		case 'email_change':
			valid =
				otpValid(state, v.tokenHash, user.email_change_token_current, user.email_change_sent_at) ||
				otpValid(state, v.tokenHash, user.email_change_token_new, user.email_change_sent_at);
			break;
		default:
			valid = false;
	}
	if (!valid) throw codeExpired();
	return user;
}

async function signupVerify(q: Query, user: UserRow): Promise<UserRow> {
	let current = user;
	if (!current.encrypted_password && current.invited_at) {
		// Invited users get a random password; the app lets them set their own.
		current = await updatePassword(q, current, await hashPassword(randomBytes(48).toString('base64url')), null);
	}
	await audit(q, current, 'user_signedup', { provider: 'email' });
	current = await confirmUser(q, current);
	const identities = await loadIdentities(q, current.id);
	for (const identity of identities) {
		if (identity.email && current.email && identity.email === current.email) {
			await setIdentityData(q, current.id, identity.provider, { email_verified: true });
		}
	}
	return current;
}

async function recoverVerify(q: Query, user: UserRow): Promise<UserRow> {
	await q`update auth.users set recovery_token = '', updated_at = now() where id = ${user.id}`;
	await clearOneTimeTokens(q, user.id);
	const [current] = await q<UserRow[]>`select * from auth.users where id = ${user.id}`;
	if (current.email_confirmed_at) {
		await audit(q, current, 'login');
		return current;
	}
	await audit(q, current, 'user_signedup', { provider: 'email' });
	return confirmUser(q, current);
}

/** Returns null after the first of two confirmations of a secure e-mail change. */
async function emailChangeVerify(state: AuthState, q: Query, v: Verification, user: UserRow, outbox: Outbox): Promise<UserRow | null> {
	const s = state.settings;
	if (!s.autoconfirm && s.secureEmailChange && (user.email_change_confirm_status ?? 0) === 0 && user.email) {
		const matches = (column: string | null) =>
			!!column && (v.token === column || v.tokenHash === column || `pkce_${v.tokenHash}` === column);
		let clearCurrent = false;
		let clearNew = false;
		if (matches(user.email_change_token_current)) clearCurrent = true;
		else if (matches(user.email_change_token_new)) clearNew = true;
		if (clearCurrent) await clearOneTimeTokens(q, user.id, 'email_change_token_current');
		if (clearNew) await clearOneTimeTokens(q, user.id, 'email_change_token_new');
		await q`
			update auth.users set email_change_confirm_status = 1,
				email_change_token_current = ${clearCurrent ? '' : (user.email_change_token_current ?? '')},
				email_change_token_new = ${clearNew ? '' : (user.email_change_token_new ?? '')}, updated_at = now()
			where id = ${user.id}`;
		return null;
	}
	await audit(q, user, 'user_modified');
	const changed = await completeEmailChange(q, user);
	notifyEmailChanged(state, outbox, user.email ?? '', changed);
	return changed;
}

/** Runs the verification inside `q`; returns the user, or null after a first e-mail-change confirmation. */
async function applyVerification(state: AuthState, q: Query, v: Verification, user: UserRow, outbox: Outbox): Promise<UserRow | null> {
	let current: UserRow | null;
	switch (v.type) {
		case 'signup':
		case 'invite':
			current = await signupVerify(q, user);
			break;
		case 'recovery':
		case 'magiclink':
			current = await recoverVerify(q, user);
			break;
		case 'email_change':
			current = await emailChangeVerify(state, q, v, user, outbox);
			if (!current) return null;
			break;
		default:
			throw badRequest('validation_failed', 'Unsupported verification type');
	}
	await updateAppMetadataProviders(q, current.id);
	return current;
}

const AUTH_METHOD: Record<string, string> = {
	signup: 'email/signup',
	invite: 'invite',
	recovery: 'recovery',
	magiclink: 'magiclink',
	email_change: 'email_change'
};

/** Go's `http.Redirect` with 303 See Other. */
function redirect(r: AuthRequest, location: string): void {
	const html = `<a href="${location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')}">See Other</a>.\n\n`;
	r.res.writeHead(303, { location, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html).toString() });
	r.res.end(r.method === 'GET' ? html : undefined);
}

const OAUTH_ERROR: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable' };

/** A URL split as Go's `url.URL` keeps it: the part before the query, the query, the fragment. */
function splitUrl(raw: string): { base: string; query: string; hash: string } {
	const hashAt = raw.indexOf('#');
	const noHash = hashAt >= 0 ? raw.slice(0, hashAt) : raw;
	const hash = hashAt >= 0 ? raw.slice(hashAt) : '';
	const queryAt = noHash.indexOf('?');
	return queryAt >= 0 ? { base: noHash.slice(0, queryAt), query: noHash.slice(queryAt + 1), hash } : { base: noHash, query: '', hash };
}

/** Go's re-encoding of a URL's query after changing it: all pairs, sorted by key. */
function withQuery(raw: string, changes: Record<string, string>): string {
	const { base, query } = splitUrl(raw);
	const values: Record<string, string> = {};
	for (const [k, v] of new URLSearchParams(query)) if (!(k in values)) values[k] = v;
	Object.assign(values, changes);
	const encoded = goEncodeValues(values);
	return `${base}${encoded ? `?${encoded}` : ''}`;
}

function errorRedirect(redirectTo: string, error: AuthError, pkce: boolean): string {
	const fragment: Record<string, string> = {};
	const query: Record<string, string> = {};
	const oauth = OAUTH_ERROR[error.status];
	if (oauth) {
		fragment.error = oauth;
		query.error = oauth;
	}
	fragment.error_code = error.errorCode;
	fragment.error_description = error.message;
	query.error_code = error.errorCode;
	query.error_description = error.message;
	fragment.sb = '';
	const { base, query: original } = splitUrl(redirectTo);
	const head = pkce ? withQuery(redirectTo, query) : `${base}${original ? `?${original}` : ''}`;
	return `${head}#${goEncodeValues(fragment)}`;
}

export async function verifyGet(state: AuthState, r: AuthRequest): Promise<void> {
	const v: Verification = {
		type: r.url.searchParams.get('type') ?? '',
		token: r.url.searchParams.get('token') ?? '',
		tokenHash: '',
		email: '',
		phone: '',
		redirectTo: r.referrer()
	};
	if (!v.type) throw badRequest('validation_failed', 'Verify requires a verification type');
	if (!v.token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');
	v.tokenHash = v.token;
	const pkce = v.token.startsWith('pkce_');
	const method = AUTH_METHOD[v.type];
	if (pkce && !method) throw new Error(`unsupported authentication method "${v.type}"`);

	let location: string;
	try {
		const outbox = new Outbox();
		const outcome = await state.sql.begin(async (tx) => {
			const user = await userByTokenHash(state, tx, v);
			const verified = await applyVerification(state, tx, v, user, outbox);
			if (!verified) return { kind: 'first' as const };
			if (!pkce) return { kind: 'session' as const, session: await issueSession(state, tx, r, verified.id, 'otp') };
			const [flow] = await tx<{ id: string; auth_code: string; code_challenge: string }[]>`
				select id, auth_code, code_challenge from auth.flow_state
				where user_id = ${verified.id} and authentication_method = ${method}
				order by created_at desc limit 1`;
			if (!flow) throw badRequest('flow_state_not_found', 'No associated flow state found. 422: No valid flow state found for user.');
			if (!flow.code_challenge) {
				throw badRequest('flow_state_not_found', 'No associated flow state found. 422: Flow state does not have an auth code (not a PKCE flow).');
			}
			await tx`update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = ${flow.id}`;
			return { kind: 'code' as const, code: flow.auth_code };
		});
		outbox.deliver(state, r);
		if (outcome.kind === 'first') {
			const base = withQuery(v.redirectTo, pkce ? { message: SINGLE_CONFIRMATION } : {});
			location = `${base}#${goEncodeValues({ message: SINGLE_CONFIRMATION, sb: '' })}`;
		} else if (outcome.kind === 'session') {
			location = sessionRedirect(v.redirectTo, outcome.session, v.type);
		} else {
			location = withQuery(v.redirectTo, { code: outcome.code }) + splitUrl(v.redirectTo).hash;
		}
	} catch (error) {
		if (!(error instanceof AuthError) || error.oauth) throw error;
		location = errorRedirect(v.redirectTo, error, pkce);
	}
	redirect(r, location);
}

/** `AccessTokenResponse.AsRedirectURL`: the session in the fragment. */
function sessionRedirect(redirectTo: string, session: TokenResponse, type: string): string {
	const fragment = goEncodeValues({
		type,
		access_token: session.access_token,
		token_type: session.token_type,
		expires_in: String(session.expires_in),
		expires_at: String(session.expires_at),
		refresh_token: session.refresh_token,
		sb: ''
	});
	return `${redirectTo}#${fragment}`;
}

export async function verifyPost(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(VERIFY_PARAMS);
	const v: Verification = {
		type: str(params, 'type'),
		token: str(params, 'token'),
		tokenHash: str(params, 'token_hash'),
		email: str(params, 'email'),
		phone: str(params, 'phone'),
		redirectTo: str(params, 'redirect_to')
	};
	if (!v.type) throw badRequest('validation_failed', 'Verify requires a verification type');
	if ((!v.token && !v.tokenHash) || (v.token && v.tokenHash)) {
		throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
	}
	if (v.token) {
		if (v.phone && !v.email) {
			validatePhone(v.phone);
			// SMS codes need a phone provider; no phone user can exist here.
			throw codeExpired();
		} else if (v.email && !v.phone) {
			try {
				v.email = validateEmail(v.email);
			} catch {
				throw unprocessable('validation_failed', 'Invalid email format');
			}
			v.tokenHash = tokenHash(v.email, v.token);
		} else {
			throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
		}
	} else if (v.email || v.phone || v.redirectTo) {
		throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
	}
	const usingHash = !!v.tokenHash && !v.token && !v.phone && !v.email;
	const aud = r.aud();
	const outbox = new Outbox();
	const outcome = await state.sql.begin(async (tx) => {
		const user = usingHash ? await userByTokenHash(state, tx, v) : await userByCode(state, tx, v, aud);
		if (v.type === 'sms' || v.type === 'phone_change') throw codeExpired();
		const verified = await applyVerification(state, tx, v, user, outbox);
		if (!verified) return null;
		return issueSession(state, tx, r, verified.id, 'otp');
	});
	outbox.deliver(state, r);
	if (!outcome) return sendJson(r.res, 200, { msg: SINGLE_CONFIRMATION, code: '200' });
	return sendJson(r.res, 200, outcome);
}

