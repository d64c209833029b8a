/**
 * Account changes as GoTrue's user model makes them: creating a user, confirming an
 * e-mail address, storing a new password (which ends the other sessions), confirming an
 * e-mail change, and ending sessions.
 */
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import {
	clearOneTimeTokens,
	createIdentity,
	findUserById,
	identityData,
	mergeMetadata,
	type Query,
	type UserRow
} from './db.ts';
import { badRequest, internal } from './errors.ts';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const json = (q: Query, value: Record<string, unknown>) => q.json(value as postgres.JSONValue);

export interface NewUser {
	id?: string;
	aud: string;
	role: string;
	email: string | null;
	phone?: string | null;
	encryptedPassword: string;
	appMetadata: Record<string, unknown>;
	userMetadata: Record<string, unknown>;
	isAnonymous?: boolean;
}

export async function insertUser(q: Query, user: NewUser): Promise<UserRow> {
	const id = user.id ?? randomUUID();
	await q`
		insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data, raw_user_meta_data,
			created_at, updated_at, is_anonymous, is_sso_user)
		values (${NIL_UUID}, ${id}, ${user.aud}, ${user.role}, ${user.email ? user.email.toLowerCase() : null}, ${user.phone || null},
			${user.encryptedPassword}, ${json(q, user.appMetadata)}, ${json(q, user.userMetadata)}, now(), now(), ${user.isAnonymous ?? false}, false)`;
	const row = await findUserById(q, id);
	if (!row) throw internal('Database error loading user after sign-up');
	return row;
}

async function reload(q: Query, id: string): Promise<UserRow> {
	const row = await findUserById(q, id);
	if (!row) throw internal('Database error loading user');
	return row;
}

export async function setUserMetadata(q: Query, user: UserRow, updates: Record<string, unknown>): Promise<UserRow> {
	const merged = mergeMetadata(user.raw_user_meta_data, updates);
	await q`update auth.users set raw_user_meta_data = ${json(q, merged)}, updated_at = now() where id = ${user.id}`;
	return reload(q, user.id);
}

export async function setAppMetadata(q: Query, user: UserRow, updates: Record<string, unknown>): Promise<UserRow> {
	const merged = mergeMetadata(user.raw_app_meta_data, updates);
	await q`update auth.users set raw_app_meta_data = ${json(q, merged)}, updated_at = now() where id = ${user.id}`;
	return reload(q, user.id);
}

/** GoTrue's `User.Confirm`. */
export async function confirmUser(q: Query, user: UserRow): Promise<UserRow> {
	await q`update auth.users set confirmation_token = '', email_confirmed_at = now(), updated_at = now() where id = ${user.id}`;
	const confirmed = await setUserMetadata(q, await reload(q, user.id), { email_verified: true });
	await clearOneTimeTokens(q, user.id);
	return confirmed;
}

/** GoTrue's `User.ConfirmPhone`. */
export async function confirmPhone(q: Query, user: UserRow): Promise<UserRow> {
	await q`update auth.users set confirmation_token = '', phone_confirmed_at = now(), updated_at = now() where id = ${user.id}`;
	await clearOneTimeTokens(q, user.id);
	return reload(q, user.id);
}

/**
 * GoTrue's `User.UpdatePassword`: stores the hash, voids pending tokens, and ends every
 * session but `keepSessionId` (all of them when null).
 */
export async function updatePassword(q: Query, user: UserRow, encryptedPassword: string, keepSessionId: string | null): Promise<UserRow> {
	await q`
		update auth.users set encrypted_password = ${encryptedPassword}, confirmation_token = '', confirmation_sent_at = null,
			recovery_token = '', recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
			email_change_sent_at = null, phone_change_token = '', phone_change_sent_at = null,
			reauthentication_token = '', reauthentication_sent_at = null, updated_at = now()
		where id = ${user.id}`;
	await clearOneTimeTokens(q, user.id);
	if (keepSessionId) await q`delete from auth.sessions where user_id = ${user.id} and id <> ${keepSessionId}`;
	else await q`delete from auth.sessions where user_id = ${user.id}`;
	return reload(q, user.id);
}

export async function setIdentityData(q: Query, userId: string, provider: string, updates: Record<string, unknown>): Promise<boolean> {
	const [identity] = await q<{ id: string; identity_data: Record<string, unknown> | null }[]>`
		select id, identity_data from auth.identities where provider_id = ${userId} and provider = ${provider}`;
	if (!identity) return false;
	const merged = mergeMetadata(identity.identity_data, updates);
	await q`update auth.identities set identity_data = ${json(q, merged)}, updated_at = now() where id = ${identity.id}`;
	return true;
}

/**
 * The final step of an e-mail change (GoTrue's `emailChangeVerify` past the first of
 * two confirmations): the e-mail identity follows, an anonymous user becomes permanent,
 * and the new address is confirmed.
 */
export async function completeEmailChange(q: Query, user: UserRow): Promise<UserRow> {
	const newEmail = user.email_change ?? '';
	const updated = await setIdentityData(q, user.id, 'email', { email: newEmail, email_verified: true });
	if (!updated) {
		await createIdentity(q, user.id, 'email', identityData({ sub: user.id, email: newEmail, emailVerified: true }));
	}
	if (user.is_anonymous) await q`update auth.users set is_anonymous = false, updated_at = now() where id = ${user.id}`;
	await q`
		update auth.users set email = ${newEmail}, email_change = '', email_change_token_current = '', email_change_token_new = '',
			email_change_confirm_status = 0, updated_at = now()
		where id = ${user.id}`;
	await clearOneTimeTokens(q, user.id);
	let current = await reload(q, user.id);
	if (!current.email_confirmed_at) current = await confirmUser(q, current);
	await setIdentityData(q, user.id, 'email', { email: newEmail });
	return reload(q, user.id);
}

export async function logoutUser(q: Query, userId: string): Promise<void> {
	await q`delete from auth.sessions where user_id = ${userId}`;
}

/** GoTrue's `validatePhone`: digits only after removing `+` and spaces, E.164 length. */
export function validatePhone(phone: string): string {
	const formatted = phone.replace(/[\s+]/g, '');
	if (!/^[1-9][0-9]{1,14}$/.test(formatted)) throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
	return formatted;
}
