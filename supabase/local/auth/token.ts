/**
 * `POST /token` (GoTrue's `token.go`): the `password`, `refresh_token` and `pkce` grants;
 * `id_token` and `web3` answer as GoTrue does with no provider enabled.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { findUserByEmail, findUserById, isBanned, timeMs } from './db.ts';
import { AuthError, badRequest, notFound, oauthError, sendJson, unprocessable } from './errors.ts';
import { str, type ParamsSchema } from './params.ts';
import { checkPasswordStrength, verifyPassword } from './passwords.ts';
import { audit } from './audit.ts';
import { passwordVerificationAttempt } from './hooks.ts';
import { issueSession, refreshTokenGrant } from './sessions.ts';
import { requireLimit, type AuthRequest, type AuthState } from './state.ts';

const PASSWORD_PARAMS: ParamsSchema = { name: 'PasswordGrantParams', fields: { email: 'string', phone: 'string', password: 'string' } };
const REFRESH_PARAMS: ParamsSchema = { name: 'RefreshTokenGrantParams', fields: { refresh_token: 'string' } };
const PKCE_PARAMS: ParamsSchema = { name: 'PKCEGrantParams', fields: { auth_code: 'string', code_verifier: 'string' } };

const invalidLogin = () => badRequest('invalid_credentials', 'Invalid login credentials');

export async function tokenRoute(state: AuthState, r: AuthRequest): Promise<void> {
	const grantType = await r.formValue('grant_type');
	switch (grantType) {
		case 'password':
			requireLimit(state.limits.signInSignUps, r.rateLimitKey);
			return passwordGrant(state, r);
		case 'refresh_token':
			requireLimit(state.limits.tokenRefresh, r.rateLimitKey);
			return refreshGrant(state, r);
		case 'pkce':
			requireLimit(state.limits.tokenRefresh, r.rateLimitKey);
			return pkceGrant(state, r);
		case 'id_token':
			requireLimit(state.limits.signInSignUps, r.rateLimitKey);
			return idTokenGrant(r);
		case 'web3':
			// GoTrue checks its own web3 limiter first; neither chain is ever enabled here.
			throw unprocessable('web3_provider_disabled', 'Web3 provider is disabled');
		default:
			throw badRequest('invalid_credentials', 'unsupported_grant_type');
	}
}

const ID_TOKEN_PARAMS: ParamsSchema = {
	name: 'IdTokenGrantParams',
	fields: { id_token: 'string', access_token: 'string', nonce: 'string', provider: 'string', client_id: 'string', issuer: 'string', link_identity: 'bool' }
};

/** Issuers GoTrue knows by provider name (`provider` or `issuer` selects them). */
const ID_TOKEN_ISSUERS: Record<string, string> = {
	google: 'https://accounts.google.com',
	facebook: 'https://www.facebook.com',
	kakao: 'https://kauth.kakao.com',
	vercel_marketplace: 'https://marketplace.vercel.com',
	snapchat: 'https://accounts.snapchat.com/accounts/oauth2/token'
};
const APPLE_ISSUERS = ['https://appleid.apple.com', 'https://account.apple.com'];
const isAzureIssuer = (issuer: string) => /^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0$/.test(issuer);

function unverifiedIssuer(idToken: string): string | null {
	try {
		const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
		return typeof payload?.iss === 'string' ? payload.iss : null;
	} catch {
		return null;
	}
}

/**
 * The `id_token` grant (GoTrue's `token_oidc.go`) up to its provider check: no OIDC
 * provider can be enabled here, so every request ends in GoTrue's refusal for it.
 */
async function idTokenGrant(r: AuthRequest): Promise<void> {
	const params = await r.params(ID_TOKEN_PARAMS);
	const provider = str(params, 'provider');
	const issuer = str(params, 'issuer');
	if (!str(params, 'id_token')) throw oauthError('invalid request', 'id_token required');
	if (!provider && (!str(params, 'client_id') || !issuer)) throw oauthError('invalid request', 'provider or client_id and issuer required');
	if (params.link_identity === true) {
		if (!r.header('authorization')) throw oauthError('invalid request', 'Linking requires a valid user access token in Authorization');
	}
	const disabled = (iss: string) => badRequest('provider_disabled', `Provider (issuer ${JSON.stringify(iss)}) is not enabled`);
	if (provider === 'apple' || APPLE_ISSUERS.includes(issuer)) {
		const detected = unverifiedIssuer(str(params, 'id_token'));
		if (detected === null) throw badRequest('validation_failed', 'Unable to detect issuer in ID token for Apple provider');
		if (!APPLE_ISSUERS.includes(detected)) throw badRequest('validation_failed', 'Detected ID token issuer is not an Apple ID token issuer');
		if (issuer && issuer !== detected) throw badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		throw disabled(detected);
	}
	for (const [name, iss] of Object.entries(ID_TOKEN_ISSUERS)) {
		if (provider === name || issuer === iss) throw disabled(iss);
	}
	if (provider === 'azure' || isAzureIssuer(issuer)) {
		const detected = unverifiedIssuer(str(params, 'id_token'));
		if (detected === null) throw badRequest('validation_failed', 'Unable to detect issuer in ID token for Azure provider');
		if (!isAzureIssuer(detected)) throw badRequest('validation_failed', 'Detected ID token issuer is not an Azure ID token issuer');
		if (issuer && issuer !== detected) throw badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		throw disabled(detected);
	}
	if (provider === 'keycloak') throw disabled('');
	if (provider.startsWith('custom:')) throw badRequest('validation_failed', 'Custom OAuth providers are disabled');
	throw badRequest('validation_failed', `Custom OIDC provider ${JSON.stringify(provider)} not allowed`);
}

async function passwordGrant(state: AuthState, r: AuthRequest): Promise<void> {
	const s = state.settings;
	const params = await r.params(PASSWORD_PARAMS);
	const email = str(params, 'email');
	const phone = str(params, 'phone');
	const password = str(params, 'password');
	if (email && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
	if (!email && !phone) throw badRequest('validation_failed', 'missing email or phone');
	if (!email) throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
	if (!s.emailEnabled) throw unprocessable('email_provider_disabled', 'Email logins are disabled');
	// Password guessing is limited per address as well as per client IP (when the client is named).
	if (r.rateLimitKey !== null) requireLimit(state.limits.signInByEmail, email.toLowerCase());

	const user = await findUserByEmail(state.sql, email, r.aud());
	if (!user || !user.encrypted_password) throw invalidLogin();
	if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
	const valid = await verifyPassword(password, user.encrypted_password);
	let weak: { message: string; reasons: string[] } | null = null;
	if (valid) {
		try {
			checkPasswordStrength(password, s.minPasswordLength, s.requiredCharacterSets);
		} catch (error) {
			if (error instanceof AuthError && error.reasons) weak = { message: error.message, reasons: error.reasons };
		}
	}
	if (s.passwordVerificationHook) {
		const decision = await passwordVerificationAttempt(state.sql, r, s.passwordVerificationHook, user.id, valid);
		if (decision.reject) {
			if (decision.logout) await state.sql`delete from auth.sessions where user_id = ${user.id}`;
			throw badRequest('invalid_credentials', decision.message || 'Further password verification attempts will be rejected.');
		}
	}
	if (!valid) throw invalidLogin();
	if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
	const session = await state.sql.begin(async (tx) => {
		await audit(tx, user, 'login', { provider: 'email' });
		return issueSession(state, tx, r, user.id, 'password');
	});
	if (weak) session.weak_password = weak;
	return sendJson(r.res, 200, session);
}

async function refreshGrant(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(REFRESH_PARAMS);
	const token = str(params, 'refresh_token');
	if (token.length < 12 || (token.length === 12 && !/^[a-z0-9]{12}$/.test(token)) || token.length > 12) {
		// Longer tokens are GoTrue's signed (v2) refresh tokens, which this runtime never issues.
		throw badRequest('validation_failed', 'Refresh token is not valid');
	}
	return sendJson(r.res, 200, await refreshTokenGrant(state, r, token));
}

interface FlowStateRow {
	id: string;
	user_id: string | null;
	code_challenge: string;
	code_challenge_method: string;
	authentication_method: string;
	provider_type: string;
	created_at: string;
	auth_code_issued_at: string | null;
}

/** `security.VerifyPKCEChallenge`. */
function pkceMatches(challenge: string, method: string, verifier: string): boolean {
	const expected = method.toLowerCase() === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
	const a = Buffer.from(challenge);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

async function pkceGrant(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(PKCE_PARAMS);
	const authCode = str(params, 'auth_code');
	const verifier = str(params, 'code_verifier');
	if (!authCode || !verifier) {
		throw badRequest('validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
	}
	const [flow] = await state.sql<FlowStateRow[]>`
		select id, user_id, code_challenge, code_challenge_method::text, authentication_method, provider_type, created_at, auth_code_issued_at
		from auth.flow_state where auth_code = ${authCode} limit 1`;
	if (!flow || !flow.user_id) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
	const since = flow.auth_code_issued_at && flow.authentication_method === 'magiclink' ? flow.auth_code_issued_at : flow.created_at;
	if (Date.now() > (timeMs(since) ?? 0) + state.settings.flowStateExpiryMs) {
		throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
	}
	const user = await findUserById(state.sql, flow.user_id);
	if (!user) throw new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
	if (!flow.code_challenge_method || !['s256', 'plain'].includes(flow.code_challenge_method.toLowerCase())) {
		throw badRequest('bad_code_verifier', 'code challenge method not supported');
	}
	if (!pkceMatches(flow.code_challenge, flow.code_challenge_method, verifier)) {
		throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
	}
	const session = await state.sql.begin(async (tx) => {
		const [still] = await tx`delete from auth.flow_state where id = ${flow.id} returning id`;
		if (!still) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
		await audit(tx, user, 'login', { provider_type: flow.provider_type });
		return issueSession(state, tx, r, user.id, flow.authentication_method);
	});
	return sendJson(r.res, 200, session);
}
