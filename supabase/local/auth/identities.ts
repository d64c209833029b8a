/**
 * `/user/identities` (GoTrue's `identity.go`): linking an identity to the signed-in user
 * and unlinking one, both behind `[auth] enable_manual_linking` (off in the CLI's
 * template: 404 `manual_linking_disabled`). Linking goes to an OAuth provider, and none
 * is served, so it ends where GoTrue ends without the provider; unlinking works on the
 * identities the runtime makes (e-mail, phone).
 */
import { audit } from './audit.ts';
import { findUserByEmail, isUuid, loadIdentities, updateAppMetadataProviders, type IdentityRow, type Query, type UserRow } from './db.ts';
import { Outbox } from './email.ts';
import { AuthError, forbidden, notFound, sendJson, unprocessable } from './errors.ts';
import type { AuthRequest, AuthState } from './state.ts';
import { requireAuthentication } from './user.ts';

async function requireManualLinking(state: AuthState, r: AuthRequest) {
	const authenticated = await requireAuthentication(state, r);
	if (!state.settings.manualLinkingEnabled) throw notFound('manual_linking_disabled', 'Manual linking is disabled');
	return authenticated;
}

/** `GET /user/identities/authorize`: the provider must be enabled, and none is. */
export async function linkIdentity(state: AuthState, r: AuthRequest, unsupportedProvider: (provider: string) => AuthError): Promise<void> {
	await requireManualLinking(state, r);
	throw unsupportedProvider((r.url.searchParams.get('provider') ?? '').toLowerCase());
}

/** `DELETE /user/identities/:id`, with GoTrue's checks in GoTrue's order. */
export async function unlinkIdentity(state: AuthState, r: AuthRequest, identityId: string): Promise<void> {
	const { user } = await requireManualLinking(state, r);
	if (!isUuid(identityId)) throw notFound('validation_failed', 'identity_id must be an UUID');
	const claimAud = Array.isArray(r.claims?.aud) ? r.claims?.aud[0] : r.claims?.aud;
	if (!claimAud || r.aud() !== claimAud) throw forbidden('unexpected_audience', "Token audience doesn't match request audience");
	const identities = await loadIdentities(state.sql, user.id);
	if (identities.length <= 1) throw unprocessable('single_identity_not_deletable', 'User must have at least 1 identity after unlinking');
	const identity = identities.find((i) => i.id === identityId.toLowerCase());
	if (!identity) throw unprocessable('identity_not_found', "Identity doesn't exist");

	await state.sql.begin(async (tx) => {
		await audit(tx, user, 'identity_unlinked', { identity_id: identity.id, provider: identity.provider, provider_id: identity.provider_id }, r.ip);
		await tx`delete from auth.identities where id = ${identity.id}`;
		if (identity.provider === 'phone') {
			await tx`update auth.users set phone = null, phone_confirmed_at = null, updated_at = now() where id = ${user.id}`;
		} else {
			await promoteEmailFromIdentities(tx, user, state.settings.autoconfirm);
		}
		await updateAppMetadataProviders(tx, user.id);
	});
	// To the address the user had before: unlinking may have promoted another one.
	const outbox = new Outbox();
	const data = { Email: user.email ?? '', Provider: identity.provider, Data: user.raw_user_meta_data ?? {} };
	outbox.notify(state, { to: user.email ?? '', userId: user.id, kind: 'identity_unlinked', data });
	outbox.deliver(state, r);
	return sendJson(r.res, 200, {});
}

/**
 * GoTrue's `UpdateUserEmailFromIdentities`: when no identity left carries the user's
 * address, the address of the best remaining identity (verified e-mail, then unverified,
 * then none) that no other user has becomes the user's; pending tokens are dropped, and an
 * address neither verified nor auto-confirmed is no longer confirmed.
 */
async function promoteEmailFromIdentities(tx: Query, user: UserRow, autoconfirm: boolean): Promise<void> {
	const identities = await loadIdentities(tx, user.id);
	const current = (user.email ?? '').toLowerCase();
	if (identities.some((i) => (i.email ?? '') === current)) return;
	const rank = (i: IdentityRow) => (!i.email ? 2 : i.identity_data?.email_verified === true ? 0 : 1);
	const ranked = identities
		.map((identity, index) => ({ identity, index }))
		.sort((a, b) => rank(a.identity) - rank(b.identity) || a.index - b.index)
		.map(({ identity }) => identity);
	let primary: IdentityRow | null = null;
	for (const identity of ranked) {
		if (!(await findUserByEmail(tx, identity.email ?? '', user.aud ?? 'authenticated'))) {
			primary = identity;
			break;
		}
	}
	if (!primary) throw unprocessable('email_conflict_identity_not_deletable', 'Unable to unlink identity due to email conflict');
	const email = primary.email || null;
	const unconfirm = !email || (primary.identity_data?.email_verified !== true && !autoconfirm);
	await tx`
		update auth.users set email = ${email},
			confirmation_token = '', confirmation_sent_at = null, recovery_token = '', recovery_sent_at = null,
			email_change = '', email_change_token_current = '', email_change_token_new = '', email_change_sent_at = null,
			email_change_confirm_status = 0, phone_change = '', phone_change_token = '', phone_change_sent_at = null,
			reauthentication_token = '', reauthentication_sent_at = null,
			email_confirmed_at = case when ${unconfirm} then null else email_confirmed_at end,
			raw_user_meta_data = case when ${unconfirm} then coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": false}'::jsonb
				else raw_user_meta_data end,
			updated_at = now()
		where id = ${user.id}`;
	await tx`delete from auth.one_time_tokens where user_id = ${user.id}`;
}
