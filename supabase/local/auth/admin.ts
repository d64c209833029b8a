/**
 * The admin endpoints for the secret / service_role key (GoTrue's `admin.go`): list
 * (paginated, `Link` and `X-Total-Count`), create, get, update and delete users, and
 * their MFA factors and passkeys. Invites and generated links are in `admin-links.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { confirmPhone, confirmUser, insertUser, setAppMetadata, setUserMetadata, updatePassword, validatePhone } from './accounts.ts';
import { verifyAccessToken } from './access-token.ts';
import { adminActor, audit } from './audit.ts';
import {
	createIdentity,
	factorJson,
	findDuplicateEmail,
	findSession,
	findUserById,
	fullUserJson,
	identityData,
	isUuid,
	loadFactors,
	userJson,
	type FactorRow,
	type UserRow
} from './db.ts';
import { validateEmail } from './email.ts';
import { AuthError, badRequest, forbidden, internal, notFound, sendJson, unprocessable } from './errors.ts';
import { downgradeSessions, findOwnedFactor } from './mfa.ts';
import { bool, map, ptr, str, type ParamsSchema } from './params.ts';
import { checkPasswordStrength, hashPassword, MAX_PASSWORD_LENGTH } from './passwords.ts';
import { parseGoDuration } from './ratelimit.ts';
import { paginationHeaders, parsePage } from './pagination.ts';
import type { AuthRequest, AuthState } from './state.ts';

/** GoTrue's `requireAdminCredentials`: a valid JWT whose role is an admin role. */
export async function requireAdmin(state: AuthState, r: AuthRequest): Promise<void> {
	const claims = await verifyAccessToken(state.settings, r.bearer());
	r.claims = claims;
	const sessionId = typeof claims.session_id === 'string' ? claims.session_id : '';
	if (sessionId && sessionId !== '00000000-0000-0000-0000-000000000000') {
		const sub = typeof claims.sub === 'string' ? claims.sub : '';
		if (!sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
		if (!isUuid(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
		if (!(await findUserById(state.sql, sub))) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
		if (!isUuid(sessionId)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
		if (!(await findSession(state.sql, sessionId))) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
	}
	if (!state.settings.adminRoles.includes(String(claims.role ?? ''))) throw forbidden('not_admin', 'User not allowed');
}

async function loadUser(state: AuthState, id: string): Promise<UserRow> {
	if (!isUuid(id)) throw notFound('validation_failed', 'user_id must be an UUID');
	const user = await findUserById(state.sql, id);
	if (!user) throw notFound('user_not_found', 'User not found');
	return user;
}

/** The traits GoTrue records of the user an admin acted on. */
function userTraits(user: UserRow): Record<string, unknown> {
	return { user_id: user.id, user_email: user.email ?? '', user_phone: user.phone ?? '' };
}

export async function fullUser(state: AuthState, id: string): Promise<Record<string, unknown>> {
	const user = await findUserById(state.sql, id);
	if (!user) throw notFound('user_not_found', 'User not found');
	return fullUserJson(state.sql, user);
}

export async function listUsers(state: AuthState, r: AuthRequest): Promise<void> {
	const aud = r.aud();
	const query = r.url.searchParams;
	let descending = true;
	for (const value of query.getAll('sort')) {
		const [field, dir] = value.split(' ', 2).length === 2 ? [value.slice(0, value.indexOf(' ')), value.slice(value.indexOf(' ') + 1)] : [value, ''];
		if (field !== 'created_at') throw badRequest('validation_failed', `Bad Sort Parameters: bad field for sort '${field}'`);
		if (dir && !['ASC', 'DESC'].includes(dir.toUpperCase())) {
			throw badRequest('validation_failed', `Bad Sort Parameters: bad direction for sort '${dir}', only 'asc' and 'desc' allowed`);
		}
		descending = dir.toUpperCase() !== 'ASC';
	}
	const pageParams = parsePage(query);
	const { page, perPage } = pageParams;
	const filter = query.get('filter') ?? '';
	const like = `%${filter}%`;
	const sql = state.sql;
	const where = filter
		? sql`aud = ${aud} and (email like ${like} or raw_user_meta_data->>'full_name' ilike ${like})`
		: sql`aud = ${aud}`;
	const [{ count }] = await sql<{ count: string }[]>`select count(*)::text as count from auth.users where ${where}`;
	const rows = await sql<UserRow[]>`
		select * from auth.users where ${where}
		order by created_at ${descending ? sql`desc` : sql`asc`}
		limit ${perPage} offset ${(page - 1) * perPage}`;
	return sendJson(r.res, 200, { users: rows.map((u) => userJson(u, null)), aud }, paginationHeaders(r, '/admin/users', pageParams, Number(count)));
}

const ADMIN_USER_PARAMS: ParamsSchema = {
	name: 'AdminUserParams',
	fields: {
		id: 'string',
		aud: 'string',
		role: 'string',
		email: 'string',
		phone: 'string',
		password: 'pointer-string',
		password_hash: 'string',
		email_confirm: 'bool',
		phone_confirm: 'bool',
		user_metadata: 'map',
		app_metadata: 'map',
		ban_duration: 'string'
	}
};


function banDuration(value: string): number | null {
	if (!value) return null;
	if (value === 'none') return 0;
	const ms = parseGoDuration(value);
	if (ms === null) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration ${JSON.stringify(value)}`);
	return ms;
}

async function applyBan(q: Parameters<typeof setUserMetadata>[0], userId: string, ms: number): Promise<void> {
	if (ms === 0) await q`update auth.users set banned_until = null, updated_at = now() where id = ${userId}`;
	else await q`update auth.users set banned_until = now() + ${`${ms} milliseconds`}::interval, updated_at = now() where id = ${userId}`;
}

const BCRYPT_HASH = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export async function createUser(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(ADMIN_USER_PARAMS);
	const aud = str(params, 'aud') || r.aud();
	let email = str(params, 'email');
	let phone = str(params, 'phone');
	if (!email && !phone) throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
	const providers: string[] = [];
	if (email) {
		email = validateEmail(email);
		if (await findDuplicateEmail(state.sql, email, aud, null)) {
			throw unprocessable('email_exists', 'A user with this email address has already been registered');
		}
		providers.push('email');
	}
	if (phone) {
		phone = validatePhone(phone);
		const [taken] = await state.sql`select 1 from auth.users where phone = ${phone} and aud = ${aud} and is_sso_user = false limit 1`;
		if (taken) throw unprocessable('phone_exists', 'Phone number already registered by another user');
		providers.push('phone');
	}
	let password = ptr(params, 'password');
	const passwordHash = str(params, 'password_hash');
	if (password !== null && passwordHash) throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
	if ((password === null || password === '') && !passwordHash) password = randomBytes(48).toString('base64url');
	let encrypted: string;
	if (passwordHash) {
		if (!BCRYPT_HASH.test(passwordHash)) throw internal('Error creating user');
		encrypted = passwordHash;
	} else {
		if (Buffer.byteLength(password ?? '') > MAX_PASSWORD_LENGTH) throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
		encrypted = await hashPassword(password ?? '');
	}
	const id = str(params, 'id');
	if (id) {
		if (!isUuid(id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
		if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(id)) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
	}
	const ban = banDuration(str(params, 'ban_duration'));
	const appMetadata = map(params, 'app_metadata');
	let userId = '';
	try {
		userId = await state.sql.begin(async (tx) => {
			let user = await insertUser(tx, {
				id: id || undefined,
				aud,
				role: str(params, 'role') || state.settings.defaultRole,
				email: email || null,
				phone: phone || null,
				encryptedPassword: encrypted,
				appMetadata: { provider: providers[0], providers },
				userMetadata: map(params, 'user_metadata') ?? {}
			});
			if (email) await createIdentity(tx, user.id, 'email', identityData({ sub: user.id, email }));
			if (phone) await createIdentity(tx, user.id, 'phone', identityData({ sub: user.id, phone }));
			if (appMetadata) user = await setAppMetadata(tx, user, appMetadata);
			if (bool(params, 'email_confirm')) user = await confirmUser(tx, user);
			if (bool(params, 'phone_confirm')) user = await confirmPhone(tx, user);
			if (ban !== null) await applyBan(tx, user.id, ban);
			await audit(tx, adminActor(r), 'user_signedup', { ...userTraits(user), provider: providers[0] });
			return user.id;
		});
	} catch (error) {
		if (error instanceof AuthError) throw error;
		throw internal('Database error creating new user');
	}
	return sendJson(r.res, 200, await fullUser(state, userId));
}

export async function getUserById(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	const user = await loadUser(state, id);
	return sendJson(r.res, 200, await fullUserJson(state.sql, user));
}

export async function updateUserById(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	const s = state.settings;
	const user = await loadUser(state, id);
	const params = await r.params(ADMIN_USER_PARAMS);
	let email = str(params, 'email');
	let phone = str(params, 'phone');
	if (email) email = validateEmail(email);
	if (phone) phone = validatePhone(phone);
	const ban = banDuration(str(params, 'ban_duration'));
	const password = ptr(params, 'password');
	let encrypted: string | null = null;
	if (password !== null) {
		checkPasswordStrength(password, s.minPasswordLength, s.requiredCharacterSets);
		encrypted = password === '' ? '' : await hashPassword(password);
	}
	const emailConfirm = bool(params, 'email_confirm');
	const phoneConfirm = bool(params, 'phone_confirm');
	try {
		await state.sql.begin(async (tx) => {
			let current = user;
			const role = str(params, 'role');
			if (role) await tx`update auth.users set role = ${role}, updated_at = now() where id = ${user.id}`;
			if (emailConfirm) current = await confirmUser(tx, current);
			if (phoneConfirm) current = await confirmPhone(tx, current);
			if (encrypted !== null) current = await updatePassword(tx, current, encrypted, null);
			if (email) {
				const [identity] = await tx`select id from auth.identities where provider_id = ${user.id} and provider = 'email'`;
				if (identity) {
					await tx`
						update auth.identities set identity_data = identity_data || ${tx.json({ email, email_verified: emailConfirm })}, updated_at = now()
						where id = ${identity.id}`;
				} else {
					await createIdentity(tx, user.id, 'email', identityData({ sub: user.id, email, emailVerified: emailConfirm }));
				}
				if (current.is_anonymous && emailConfirm) await tx`update auth.users set is_anonymous = false where id = ${user.id}`;
				await tx`update auth.users set email = ${email}, updated_at = now() where id = ${user.id}`;
			}
			if (phone) {
				const [identity] = await tx`select id from auth.identities where provider_id = ${user.id} and provider = 'phone'`;
				if (identity) {
					await tx`
						update auth.identities set identity_data = identity_data || ${tx.json({ phone, phone_verified: phoneConfirm })}, updated_at = now()
						where id = ${identity.id}`;
				} else {
					await createIdentity(tx, user.id, 'phone', identityData({ sub: user.id, phone, phoneVerified: phoneConfirm }));
				}
				if (current.is_anonymous && phoneConfirm) await tx`update auth.users set is_anonymous = false where id = ${user.id}`;
				await tx`update auth.users set phone = ${phone}, updated_at = now() where id = ${user.id}`;
			}
			[current] = await tx<UserRow[]>`select * from auth.users where id = ${user.id}`;
			const appMetadata = map(params, 'app_metadata');
			if (appMetadata) current = await setAppMetadata(tx, current, appMetadata);
			const userMetadata = map(params, 'user_metadata');
			if (userMetadata) current = await setUserMetadata(tx, current, userMetadata);
			if (ban !== null) await applyBan(tx, user.id, ban);
			await audit(tx, adminActor(r), 'user_modified', userTraits(current));
		});
	} catch (error) {
		if (error instanceof AuthError) throw error;
		throw internal('Error updating user');
	}
	return sendJson(r.res, 200, await fullUser(state, user.id));
}

const DELETE_PARAMS: ParamsSchema = { name: 'adminUserDeleteParams', fields: { should_soft_delete: 'bool' } };

const obfuscate = (userId: string, value: string) => createHash('sha256').update(userId + value).digest('base64url');

export async function deleteUser(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	const user = await loadUser(state, id);
	const body = await r.body();
	const soft = body.length ? bool(await r.params(DELETE_PARAMS), 'should_soft_delete') : false;
	await state.sql.begin(async (tx) => {
		await audit(tx, adminActor(r), 'user_deleted', userTraits(user));
		if (!soft) {
			await tx`delete from auth.users where id = ${user.id}`;
			return;
		}
		if (user.deleted_at) return;
		await tx`
			update auth.users set email = ${user.email ? obfuscate(user.id, user.email) : null},
				phone = ${user.phone ? obfuscate(user.id, user.phone).slice(0, 15) : null},
				email_change = ${user.email_change ? obfuscate(user.id, user.email_change) : ''},
				phone_change = ${user.phone_change ? obfuscate(user.id, user.phone_change).slice(0, 15) : ''},
				encrypted_password = null, confirmation_token = '', recovery_token = '', email_change_token_current = '',
				email_change_token_new = '', phone_change_token = '', deleted_at = now(),
				raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb, updated_at = now()
			where id = ${user.id}`;
		await tx`delete from auth.one_time_tokens where user_id = ${user.id}`;
		const identities = await tx<{ id: string; provider: string; provider_id: string }[]>`
			select id, provider, provider_id from auth.identities where user_id = ${user.id}`;
		for (const identity of identities) {
			await tx`
				update auth.identities set identity_data = '{}'::jsonb, provider_id = ${obfuscate(user.id, `${identity.provider}:${identity.provider_id}`)},
					updated_at = now()
				where id = ${identity.id}`;
		}
		await tx`delete from auth.mfa_factors where user_id = ${user.id}`;
		await tx`delete from auth.sessions where user_id = ${user.id}`;
	});
	return sendJson(r.res, 200, {});
}

export async function listFactors(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	const user = await loadUser(state, id);
	return sendJson(r.res, 200, (await loadFactors(state.sql, user.id)).map(factorJson));
}

/** GoTrue's admin `loadFactor`: the user (else 404), then the user's own factor. */
async function loadFactor(state: AuthState, userId: string, factorId: string): Promise<FactorRow> {
	const user = await loadUser(state, userId);
	return findOwnedFactor(state.sql, user.id, factorId);
}

/** `DELETE /admin/users/:id/factors/:factor_id`: answers the deleted factor; sessions it raised drop to aal1. */
export async function deleteFactor(state: AuthState, r: AuthRequest, userId: string, factorId: string): Promise<void> {
	const factor = await loadFactor(state, userId, factorId);
	const owner = await loadUser(state, userId);
	await state.sql.begin(async (tx) => {
		await audit(tx, owner, 'factor_deleted', { factor_id: factor.id, user_id: owner.id }, r.ip);
		await tx`delete from auth.mfa_factors where id = ${factor.id}`;
		await downgradeSessions(tx, factor);
	});
	return sendJson(r.res, 200, factorJson(factor));
}

const FACTOR_UPDATE_PARAMS: ParamsSchema = { name: 'adminUserUpdateFactorParams', fields: { friendly_name: 'string', phone: 'string' } };

/** `PUT /admin/users/:id/factors/:factor_id`: renames a factor, or changes a phone factor's number. */
export async function updateFactor(state: AuthState, r: AuthRequest, userId: string, factorId: string): Promise<void> {
	const factor = await loadFactor(state, userId, factorId);
	const params = await r.params(FACTOR_UPDATE_PARAMS);
	const friendlyName = str(params, 'friendly_name');
	const phone = str(params, 'phone');
	await state.sql.begin(async (tx) => {
		if (friendlyName) await tx`update auth.mfa_factors set friendly_name = ${friendlyName}, updated_at = now() where id = ${factor.id}`;
		if (phone && factor.factor_type === 'phone') {
			await tx`update auth.mfa_factors set phone = ${validatePhone(phone)}, updated_at = now() where id = ${factor.id}`;
		}
		await audit(tx, adminActor(r), 'factor_updated', { factor_id: factor.id, factor_type: factor.factor_type, user_id: factor.user_id });
	});
	return sendJson(r.res, 200, factorJson(await findOwnedFactor(state.sql, factor.user_id, factor.id)));
}

/** `GET /admin/users/:id/passkeys`: the user's passkeys; none can be registered here. */
export async function listPasskeys(state: AuthState, r: AuthRequest, userId: string): Promise<void> {
	await loadUser(state, userId);
	return sendJson(r.res, 200, []);
}

/** `DELETE /admin/users/:id/passkeys/:passkey_id`: no passkey exists, so each is not found, as GoTrue says it. */
export async function deletePasskey(state: AuthState, _r: AuthRequest, userId: string): Promise<void> {
	await loadUser(state, userId);
	throw notFound('validation_failed', 'Passkey not found');
}
