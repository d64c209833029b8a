/**
 * The Auth service's view of the `auth` schema: its own pool (timestamps read as text in
 * UTC, so they reach clients with PostgreSQL's microseconds, the way GoTrue prints them),
 * the user and identity rows, and their JSON shapes exactly as GoTrue serialises them.
 */
import postgres, { type Sql, type TransactionSql } from 'postgres';

export type Db = Sql;
/** A pool or a transaction: anything that runs tagged-template queries. */
export type Query = Sql | TransactionSql;

export function createAuthPool(dbUrl: string, max = 8): Sql {
	const asText = (x: string) => x;
	return postgres(dbUrl, {
		max,
		onnotice: () => {},
		connection: { application_name: 'supabase_local_auth', TimeZone: 'UTC', search_path: 'auth' },
		types: {
			timestamptz: { to: 1184, from: [1184], serialize: asText, parse: asText },
			timestamp: { to: 1114, from: [1114], serialize: asText, parse: asText }
		}
	} as postgres.Options<Record<string, postgres.PostgresType>>);
}

/** PostgreSQL's text form of a timestamp (UTC) as Go's RFC 3339 (`…T…Z`). */
export function isoTime(value: string | null | undefined): string | null {
	if (!value) return null;
	const [date, time] = value.split(' ');
	if (!time) return value;
	return `${date}T${time.replace(/\+00(:00)?$/, '')}Z`;
}

/** Milliseconds since the epoch of a timestamp as read from the pool. */
export function timeMs(value: string | null | undefined): number | null {
	const iso = isoTime(value);
	if (!iso) return null;
	const ms = Date.parse(iso.replace(/(\.\d{3})\d+Z$/, '$1Z'));
	return Number.isFinite(ms) ? ms : null;
}

export interface UserRow {
	id: string;
	aud: string | null;
	role: string | null;
	email: string | null;
	encrypted_password: string | null;
	email_confirmed_at: string | null;
	invited_at: string | null;
	confirmation_token: string | null;
	confirmation_sent_at: string | null;
	recovery_token: string | null;
	recovery_sent_at: string | null;
	email_change_token_new: string | null;
	email_change: string | null;
	email_change_sent_at: string | null;
	email_change_token_current: string | null;
	email_change_confirm_status: number | null;
	last_sign_in_at: string | null;
	raw_app_meta_data: Record<string, unknown> | null;
	raw_user_meta_data: Record<string, unknown> | null;
	created_at: string | null;
	updated_at: string | null;
	phone: string | null;
	phone_confirmed_at: string | null;
	phone_change: string | null;
	phone_change_sent_at: string | null;
	confirmed_at: string | null;
	banned_until: string | null;
	reauthentication_token: string | null;
	reauthentication_sent_at: string | null;
	is_sso_user: boolean;
	deleted_at: string | null;
	is_anonymous: boolean;
}

export interface IdentityRow {
	id: string;
	provider_id: string;
	user_id: string;
	identity_data: Record<string, unknown> | null;
	provider: string;
	last_sign_in_at: string | null;
	created_at: string | null;
	updated_at: string | null;
	email: string | null;
}

export interface SessionRow {
	id: string;
	user_id: string;
	created_at: string | null;
	updated_at: string | null;
	aal: string | null;
	not_after: string | null;
}

/** A row of `auth.mfa_factors` (the WebAuthn credential left out). */
export interface FactorRow {
	id: string;
	user_id: string;
	friendly_name: string | null;
	factor_type: string;
	status: string;
	created_at: string;
	updated_at: string;
	secret: string | null;
	phone: string | null;
	last_challenged_at: string | null;
	web_authn_aaguid: string | null;
	last_webauthn_challenge_data: Record<string, unknown> | null;
}

export const FACTOR_COLUMNS = 'id, user_id, friendly_name, factor_type::text, status::text, created_at, updated_at, secret, phone, last_challenged_at, web_authn_aaguid, last_webauthn_challenge_data';

/** The user's factors, oldest first. */
export async function loadFactors(q: Query, userId: string): Promise<FactorRow[]> {
	return q<FactorRow[]>`
		select ${q.unsafe(FACTOR_COLUMNS)} from auth.mfa_factors where user_id = ${userId} order by created_at, id`;
}

/** A factor as GoTrue's `models.Factor` marshals it (the secret never leaves). */
export function factorJson(factor: FactorRow): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: factor.id,
		created_at: isoTime(factor.created_at),
		updated_at: isoTime(factor.updated_at),
		status: factor.status
	};
	if (factor.friendly_name) out.friendly_name = factor.friendly_name;
	out.factor_type = factor.factor_type;
	out.phone = factor.phone ?? '';
	out.last_challenged_at = isoTime(factor.last_challenged_at);
	if (factor.web_authn_aaguid) out.web_authn_aaguid = factor.web_authn_aaguid;
	if (factor.last_webauthn_challenge_data) out.last_webauthn_challenge_data = factor.last_webauthn_challenge_data;
	return out;
}

export async function findUserById(q: Query, id: string): Promise<UserRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await q<UserRow[]>`select * from auth.users where id = ${id}`;
	return row ?? null;
}

/** GoTrue's `FindUserByEmailAndAudience`: case-insensitive email, same audience, not SSO. */
export async function findUserByEmail(q: Query, email: string, aud: string): Promise<UserRow | null> {
	const [row] = await q<UserRow[]>`
		select * from auth.users
		where lower(email) = ${email.toLowerCase()} and aud = ${aud} and is_sso_user = false
		limit 1`;
	return row ?? null;
}

/**
 * GoTrue's `IsDuplicatedEmail`: a user of this audience owning an identity with that
 * email, or a user row with it, other than `exceptUserId`.
 */
export async function findDuplicateEmail(q: Query, email: string, aud: string, exceptUserId: string | null): Promise<UserRow | null> {
	const lower = email.toLowerCase();
	const except = exceptUserId ?? '00000000-0000-0000-0000-000000000000';
	const [row] = await q<UserRow[]>`
		select u.* from auth.users u
		where u.aud = ${aud} and u.id <> ${except}
		  and (u.id in (select i.user_id from auth.identities i where i.email = ${lower} and i.provider not like 'sso:%')
		       or (lower(u.email) = ${lower} and u.is_sso_user = false))
		limit 1`;
	return row ?? null;
}

export async function loadIdentities(q: Query, userId: string): Promise<IdentityRow[]> {
	return q<IdentityRow[]>`select * from auth.identities where user_id = ${userId} order by created_at, id`;
}

export function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function identityJson(identity: IdentityRow): Record<string, unknown> {
	const out: Record<string, unknown> = {
		identity_id: identity.id,
		id: identity.provider_id,
		user_id: identity.user_id
	};
	if (identity.identity_data && Object.keys(identity.identity_data).length) out.identity_data = identity.identity_data;
	out.provider = identity.provider;
	if (identity.last_sign_in_at) out.last_sign_in_at = isoTime(identity.last_sign_in_at);
	out.created_at = isoTime(identity.created_at) ?? GO_ZERO_TIME;
	out.updated_at = isoTime(identity.updated_at) ?? GO_ZERO_TIME;
	if (identity.email) out.email = identity.email;
	return out;
}

/**
 * A user as GoTrue's `models.User` marshals it: optional timestamps left out when unset,
 * `phone`/`email` as empty strings, `identities` null when not loaded.
 */
/**
 * The user as GoTrue marshals `models.User`; `factors` is left out when there are none
 * (`omitempty`), as in lists, which do not load them.
 */
export function userJson(user: UserRow, identities: IdentityRow[] | null, factors: FactorRow[] = []): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: user.id,
		aud: user.aud ?? '',
		role: user.role ?? '',
		email: user.email ?? ''
	};
	const optional = (key: string, value: string | null) => {
		if (value) out[key] = isoTime(value);
	};
	optional('email_confirmed_at', user.email_confirmed_at);
	optional('invited_at', user.invited_at);
	out.phone = user.phone ?? '';
	optional('phone_confirmed_at', user.phone_confirmed_at);
	optional('confirmation_sent_at', user.confirmation_sent_at);
	optional('confirmed_at', user.confirmed_at);
	optional('recovery_sent_at', user.recovery_sent_at);
	if (user.email_change) out.new_email = user.email_change;
	optional('email_change_sent_at', user.email_change_sent_at);
	if (user.phone_change) out.new_phone = user.phone_change;
	optional('phone_change_sent_at', user.phone_change_sent_at);
	optional('reauthentication_sent_at', user.reauthentication_sent_at);
	optional('last_sign_in_at', user.last_sign_in_at);
	out.app_metadata = user.raw_app_meta_data ?? {};
	out.user_metadata = user.raw_user_meta_data ?? {};
	if (factors.length) out.factors = factors.map(factorJson);
	out.identities = identities ? identities.map(identityJson) : null;
	out.created_at = isoTime(user.created_at) ?? GO_ZERO_TIME;
	out.updated_at = isoTime(user.updated_at) ?? GO_ZERO_TIME;
	optional('banned_until', user.banned_until);
	optional('deleted_at', user.deleted_at);
	out.is_anonymous = user.is_anonymous;
	return out;
}

/** The user with identities and factors, as GoTrue's eager `FindUserByID` loads it. */
export async function fullUserJson(q: Query, user: UserRow): Promise<Record<string, unknown>> {
	const identities = await loadIdentities(q, user.id);
	return userJson(user, identities, await loadFactors(q, user.id));
}

/** The user with identities and factors, as JSON, read fresh from the database. */
export async function loadUserJson(q: Query, userId: string): Promise<Record<string, unknown> | null> {
	const user = await findUserById(q, userId);
	if (!user) return null;
	return fullUserJson(q, user);
}

export function isBanned(user: UserRow): boolean {
	const until = timeMs(user.banned_until);
	return until !== null && Date.now() < until;
}

/** Merges `updates` into metadata as GoTrue does: null values delete keys. */
export function mergeMetadata(current: Record<string, unknown> | null, updates: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...(current ?? {}) };
	for (const [key, value] of Object.entries(updates)) {
		if (value === null) delete out[key];
		else out[key] = value;
	}
	return out;
}

/** Re-derives `app_metadata.provider(s)` from the user's identities (oldest first). */
export async function updateAppMetadataProviders(q: Query, userId: string): Promise<void> {
	const rows = await q<{ provider: string }[]>`
		select provider from auth.identities where user_id = ${userId} group by provider order by min(created_at)`;
	const providers = rows.map((r) => r.provider);
	const [user] = await q<{ raw_app_meta_data: Record<string, unknown> | null }[]>`
		select raw_app_meta_data from auth.users where id = ${userId}`;
	const updates: Record<string, unknown> = { providers };
	if (providers.length) updates.provider = providers[0];
	const merged = mergeMetadata(user?.raw_app_meta_data ?? null, updates);
	await q`update auth.users set raw_app_meta_data = ${q.json(merged as postgres.JSONValue)}, updated_at = now() where id = ${userId}`;
}

/** `structs.Map(provider.Claims{…})` for an email or phone identity. */
export function identityData(fields: { sub: string; email?: string; phone?: string; emailVerified?: boolean; phoneVerified?: boolean }): Record<string, unknown> {
	const data: Record<string, unknown> = { sub: fields.sub };
	if (fields.email) data.email = fields.email.toLowerCase();
	data.email_verified = fields.emailVerified ?? false;
	if (fields.phone) data.phone = fields.phone;
	data.phone_verified = fields.phoneVerified ?? false;
	return data;
}

export async function createIdentity(q: Query, userId: string, provider: string, data: Record<string, unknown>): Promise<void> {
	await q`
		insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
		values (gen_random_uuid(), ${String(data.sub)}, ${userId}, ${q.json(data as postgres.JSONValue)}, ${provider}, now(), now(), now())`;
}

/** Deletes one-time tokens of a user (all, or of one type). */
export async function clearOneTimeTokens(q: Query, userId: string, type?: string): Promise<void> {
	if (type) await q`delete from auth.one_time_tokens where user_id = ${userId} and token_type = ${type}`;
	else await q`delete from auth.one_time_tokens where user_id = ${userId}`;
}

export async function createOneTimeToken(q: Query, userId: string, type: string, tokenHash: string, relatesTo: string): Promise<void> {
	await clearOneTimeTokens(q, userId, type);
	await q`
		insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
		values (gen_random_uuid(), ${userId}, ${type}, ${tokenHash}, ${relatesTo.toLowerCase()}, now(), now())`;
}

/** GoTrue's `FindOneTimeToken`: the user owning a token hash of one of `types`. */
export async function findUserByOneTimeToken(q: Query, tokenHash: string, types: string[]): Promise<UserRow | null> {
	const [row] = await q<UserRow[]>`
		select u.* from auth.one_time_tokens t join auth.users u on u.id = t.user_id
		where t.token_hash = ${tokenHash} and t.token_type::text in ${q(types)}
		limit 1`;
	return row ?? null;
}

export async function findOneTimeTokenType(q: Query, tokenHash: string, userId: string): Promise<string | null> {
	const [row] = await q<{ token_type: string }[]>`
		select token_type::text from auth.one_time_tokens where token_hash = ${tokenHash} and user_id = ${userId} limit 1`;
	return row?.token_type ?? null;
}

export async function findSession(q: Query, id: string): Promise<SessionRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await q<SessionRow[]>`select id, user_id, created_at, updated_at, aal::text as aal, not_after from auth.sessions where id = ${id}`;
	return row ?? null;
}
