/**
 * Sessions and refresh tokens as GoTrue keeps them (its "legacy" refresh tokens, which
 * the CLI's local stack issues): a session row per sign-in, 12-character random refresh
 * tokens chained by `parent`, rotation on every use, and the reuse rules — a revoked
 * token is accepted again only while it is the parent of the active one or within the
 * reuse interval; otherwise the whole session's token family is revoked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type postgres from 'postgres';
import { accessTokenClaims, signAccessToken, type AmrEntry } from './access-token.ts';
import { findUserById, fullUserJson, isBanned, timeMs, type Query, type UserRow } from './db.ts';
import { AuthError, badRequest, oauthError } from './errors.ts';
import { customizeAccessToken } from './hooks.ts';
import type { AuthRequest, AuthState } from './state.ts';

export interface TokenResponse {
	access_token: string;
	token_type: 'bearer';
	expires_in: number;
	expires_at: number;
	refresh_token: string;
	user: Record<string, unknown>;
	weak_password?: { message: string; reasons: string[] };
	[key: string]: unknown;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** GoTrue's `SecureAlphanumeric(12)`: lowercase base32 of random bytes. */
export function newRefreshToken(): string {
	const bytes = randomBytes(8);
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5 && out.length < 12) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	return out.slice(0, 12);
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function clientIp(r: AuthRequest): string | null {
	return isIP(r.ip) ? r.ip : null;
}

/** GoTrue's `AddClaimToSession`: records (or refreshes) how the session was authenticated. */
export async function addAmrClaim(q: Query, sessionId: string, method: string): Promise<void> {
	await q`
		insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
		values (${randomUUID()}, ${sessionId}, now(), now(), ${method})
		on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey
		do update set updated_at = now()`;
}

/** Newest first; entries of the same second keep the order they were added, as GoTrue's sort leaves them. */
async function sessionAmr(q: Query, sessionId: string): Promise<AmrEntry[]> {
	const rows = await q<{ method: string; ts: string }[]>`
		select authentication_method as method, floor(extract(epoch from updated_at))::bigint::text as ts
		from auth.mfa_amr_claims where session_id = ${sessionId} order by created_at, id`;
	return rows.map((r) => ({ method: r.method, timestamp: Number(r.ts) })).sort((a, b) => b.timestamp - a.timestamp);
}

/** Methods that prove a second factor (GoTrue's `IsAAL2Claim`). */
const AAL2_METHODS = new Set(['totp', 'mfa/phone', 'mfa/webauthn']);

/**
 * GoTrue's `CalculateAALAndAMR`: the session's level follows from how it was authenticated
 * (aal2 once a factor was verified in it), not from the stored `aal` column.
 */
export async function sessionAalAndAmr(q: Query, sessionId: string): Promise<{ aal: string; amr: AmrEntry[] }> {
	const amr = await sessionAmr(q, sessionId);
	return { aal: amr.some((entry) => AAL2_METHODS.has(entry.method)) ? 'aal2' : 'aal1', amr };
}

/** Signs the access token of `user` for `sessionId`, as GoTrue's `GenerateAccessToken`. */
/** The request and authentication method a token is issued for, which the access token hook is told. */
export interface IssueContext {
	r: AuthRequest;
	method: string;
}

export async function generateAccessToken(
	state: AuthState,
	q: Query,
	user: UserRow,
	sessionId: string,
	issue: IssueContext
): Promise<{ token: string; expiresAt: number }> {
	const [session] = await q<{ id: string }[]>`select id from auth.sessions where id = ${sessionId}`;
	if (!session) throw new AuthError(500, 'unexpected_failure', 'Session is required to issue access token');
	const { aal, amr } = await sessionAalAndAmr(q, sessionId);
	const issuedAt = Math.floor(Date.now() / 1000);
	const expiresAt = issuedAt + state.settings.jwtExpiry;
	const claims = accessTokenClaims({
		issuer: state.settings.issuer,
		userId: user.id,
		aud: user.aud ?? '',
		expiresAt,
		issuedAt,
		email: user.email ?? '',
		phone: user.phone ?? '',
		appMetadata: user.raw_app_meta_data ?? {},
		userMetadata: user.raw_user_meta_data ?? {},
		role: user.role ?? '',
		aal,
		amr,
		sessionId,
		isAnonymous: user.is_anonymous
	});
	const hook = state.settings.customAccessTokenHook;
	const signed = hook ? await customizeAccessToken(q, issue.r, hook, user.id, claims, issue.method) : claims;
	return { token: await signAccessToken(state.settings, signed), expiresAt };
}

export async function tokenResponse(
	state: AuthState,
	q: Query,
	userId: string,
	sessionId: string,
	refreshToken: string,
	issue: IssueContext
): Promise<TokenResponse> {
	const user = await findUserById(q, userId);
	if (!user) throw new AuthError(500, 'unexpected_failure', 'Database error loading user');
	const { token, expiresAt } = await generateAccessToken(state, q, user, sessionId, issue);
	return {
		access_token: token,
		token_type: 'bearer',
		expires_in: expiresAt - Math.floor(Date.now() / 1000),
		expires_at: expiresAt,
		refresh_token: refreshToken,
		user: await fullUserJson(q, user)
	};
}

/**
 * GoTrue's `IssueRefreshToken`: a new session with its first refresh token, the user's
 * `last_sign_in_at`, the authentication method, and the access token. Run it inside the
 * caller's transaction.
 */
export async function issueSession(state: AuthState, q: Query, r: AuthRequest, userId: string, method: string): Promise<TokenResponse> {
	const sessionId = randomUUID();
	const refreshToken = newRefreshToken();
	await q`
		insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
		values (${sessionId}, ${userId}, now(), now(), 'aal1', ${r.userAgent() || null}, ${clientIp(r)})`;
	await q`
		insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
		values (${NIL_UUID}, ${refreshToken}, ${userId}, false, now(), now(), null, ${sessionId})`;
	await q`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
	await addAmrClaim(q, sessionId, method);
	r.res.setHeader('sb-auth-user-id', userId);
	r.res.setHeader('sb-auth-session-id', sessionId);
	return tokenResponse(state, q, userId, sessionId, refreshToken, { r, method });
}

interface RefreshTokenRow {
	id: string;
	token: string;
	user_id: string;
	revoked: boolean;
	parent: string | null;
	session_id: string | null;
	updated_at: string;
}

interface SessionTimes {
	id: string;
	not_after: string | null;
	created_at: string | null;
	refreshed_at: string | null;
}

/**
 * GoTrue's `Session.CheckValidity` on refresh: past `not_after` or the `[auth.sessions]
 * timebox` the session has expired; idle longer than `inactivity_timeout` (since its last
 * refresh, else the token's, else its start) it has timed out.
 */
function checkSessionValidity(state: AuthState, session: SessionTimes, token: RefreshTokenRow): void {
	const now = Date.now();
	const created = timeMs(session.created_at) ?? 0;
	const notAfter = timeMs(session.not_after);
	const { sessionTimeboxMs, sessionInactivityMs } = state.settings;
	if ((notAfter !== null && now > notAfter) || (sessionTimeboxMs > 0 && now > created + sessionTimeboxMs)) {
		throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
	}
	if (sessionInactivityMs > 0) {
		const tokenTime = timeMs(token.updated_at);
		const lastRefreshed = timeMs(session.refreshed_at) ?? (tokenTime !== null && tokenTime > created ? tokenTime : created);
		if (now > lastRefreshed + sessionInactivityMs) {
			throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired (Inactivity)');
		}
	}
}

const notFound = () => badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');

/** GoTrue's refresh-token grant for its 12-character tokens. */
export async function refreshTokenGrant(state: AuthState, r: AuthRequest, refreshToken: string): Promise<TokenResponse> {
	if (!refreshToken) throw oauthError('invalid_request', 'refresh_token required');
	const sql = state.sql;
	const [found] = await sql<RefreshTokenRow[]>`select * from auth.refresh_tokens where token = ${refreshToken} limit 1`;
	if (!found) throw notFound();
	const user = await findUserById(sql, found.user_id);
	if (!user) throw notFound();
	r.res.setHeader('sb-auth-user-id', user.id);
	if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
	const [session] = found.session_id
		? await sql<SessionTimes[]>`select id, not_after, created_at, refreshed_at from auth.sessions where id = ${found.session_id}`
		: [];
	if (!session) {
		await sql`delete from auth.refresh_tokens where id = ${found.id}`;
		throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
	}
	checkSessionValidity(state, session, found);
	r.res.setHeader('sb-auth-session-id', session.id);

	const outcome: { failure: AuthError | null } = { failure: null };
	const response = await sql.begin(async (tx) => {
		// Lock the session's tokens so concurrent refreshes of one token serialise.
		const [token] = await tx<RefreshTokenRow[]>`select * from auth.refresh_tokens where token = ${refreshToken} for update`;
		if (!token || !token.session_id) throw notFound();
		const [locked] = await tx<{ id: string }[]>`select id from auth.sessions where id = ${token.session_id} for update`;
		if (!locked) throw notFound();
		let issued = '';
		if (token.revoked) {
			const [active] = await tx<RefreshTokenRow[]>`
				select * from auth.refresh_tokens where session_id = ${token.session_id} and revoked = false order by id desc limit 1`;
			if (active && active.parent === token.token) {
				// The client lost the answer to its last refresh: hand it the active token again.
				issued = active.token;
			} else {
				const revokedAt = timeMs(token.updated_at) ?? 0;
				if (Date.now() > revokedAt + state.settings.refreshTokenReuseIntervalSeconds * 1000) {
					if (state.settings.refreshTokenRotation) {
						await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${token.session_id} and revoked = false`;
					}
					outcome.failure = badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');
					return null;
				}
			}
		}
		if (!issued) {
			await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${token.id}`;
			issued = newRefreshToken();
			await tx`
				insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
				values (${NIL_UUID}, ${issued}, ${token.user_id}, false, now(), now(), ${token.token}, ${token.session_id})`;
		}
		await tx`
			update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now(),
				user_agent = ${r.userAgent() || null}, ip = ${clientIp(r)}
			where id = ${token.session_id}`;
		return tokenResponse(state, tx, token.user_id, token.session_id, issued, { r, method: 'token_refresh' });
	});
	if (outcome.failure) throw outcome.failure;
	return response as TokenResponse;
}

/**
 * GoTrue's legacy-token branch of `updateMFASessionAndClaims`: the session's oldest active
 * refresh token is revoked and replaced by a child, so the client continues with the token
 * issued at the new level.
 */
export async function swapRefreshToken(q: Query, sessionId: string): Promise<string> {
	const [current] = await q<RefreshTokenRow[]>`
		select * from auth.refresh_tokens
		where instance_id = ${NIL_UUID} and session_id = ${sessionId} and revoked = false
		order by created_at asc, id asc limit 1 for update`;
	if (!current) throw new AuthError(404, 'refresh_token_not_found', 'Refresh Token not found');
	await q`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${current.id}`;
	const issued = newRefreshToken();
	await q`
		insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
		values (${NIL_UUID}, ${issued}, ${current.user_id}, false, now(), now(), ${current.token}, ${sessionId})`;
	return issued;
}

export type Tx = postgres.TransactionSql;
