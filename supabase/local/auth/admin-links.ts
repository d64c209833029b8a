/**
 * The admin endpoints that hand out e-mail action links (GoTrue's `invite.go` and
 * `adminGenerateLink` in `mail.go`): `POST /invite` mails one, `POST /admin/generate_link`
 * answers one (and its code) without sending it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { insertUser, setUserMetadata } from './accounts.ts';
import { fullUser } from './admin.ts';
import { adminActor, audit } from './audit.ts';
import { beforeUserCreated, emailProspect } from './hooks.ts';
import { createIdentity, createOneTimeToken, findDuplicateEmail, findUserByEmail, identityData } from './db.ts';
import { generateOtp, Outbox, sendInvite, tokenHash, validateEmail } from './email.ts';
import { badRequest, notFound, sendJson, unprocessable } from './errors.ts';
import { actionLink } from './mail.ts';
import { map, str, type ParamsSchema } from './params.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import type { AuthRequest, AuthState } from './state.ts';

const INVITE_PARAMS: ParamsSchema = { name: 'InviteParams', fields: { email: 'string', data: 'map' } };

export async function invite(state: AuthState, r: AuthRequest): Promise<void> {
	const params = await r.params(INVITE_PARAMS);
	const email = validateEmail(str(params, 'email'));
	const aud = r.aud();
	const existing = await findUserByEmail(state.sql, email, aud);
	const newUserId = randomUUID();
	const data = map(params, 'data') ?? {};
	if (!existing && state.settings.beforeUserCreatedHook) {
		await beforeUserCreated(state.sql, r, state.settings.beforeUserCreatedHook, emailProspect(newUserId, aud, email, data));
	}
	const outbox = new Outbox();
	const userId = await state.sql.begin(async (tx) => {
		let user = existing;
		if (user) {
			if (user.email_confirmed_at) throw unprocessable('email_exists', 'A user with this email address has already been registered');
		} else {
			user = await insertUser(tx, {
				id: newUserId,
				aud,
				role: state.settings.defaultRole,
				email,
				encryptedPassword: '',
				appMetadata: { provider: 'email', providers: ['email'] },
				userMetadata: data
			});
			await createIdentity(tx, user.id, 'email', identityData({ sub: user.id, email }));
		}
		await audit(tx, adminActor(r), 'user_invited', { user_email: user.email ?? '', user_id: user.id });
		await sendInvite(state, r, tx, user, outbox);
		return user.id;
	});
	outbox.deliver(state);
	return sendJson(r.res, 200, await fullUser(state, userId));
}

const GENERATE_LINK_PARAMS: ParamsSchema = {
	name: 'GenerateLinkParams',
	fields: { type: 'string', email: 'string', new_email: 'string', password: 'string', data: 'map', redirect_to: 'string' }
};

/** `POST /admin/generate_link`: the link (and code) a mail would carry, without sending it. */
export async function generateLink(state: AuthState, r: AuthRequest): Promise<void> {
	const s = state.settings;
	const params = await r.params(GENERATE_LINK_PARAMS);
	const email = validateEmail(str(params, 'email'));
	let type = str(params, 'type');
	const requested = str(params, 'redirect_to');
	const referrer = state.redirects.isValid(requested) ? requested : r.referrer();
	const aud = r.aud();
	const data = map(params, 'data');
	let password = str(params, 'password');
	const existing = await findUserByEmail(state.sql, email, aud);
	if (!existing) {
		if (type === 'magiclink') {
			type = 'signup';
			// A random password that meets any configured character requirements.
			password = randomBytes(24).toString('base64url') + s.requiredCharacterSets.map((set) => set[randomBytes(1)[0] % set.length]).join('');
		} else if (type === 'recovery' || type === 'email_change_current' || type === 'email_change_new') {
			throw notFound('user_not_found', 'User with this email not found');
		}
	}
	const otp = generateOtp(s.otpLength);
	const hashed = tokenHash(email, otp);
	let encrypted = '';
	if (type === 'signup' && !existing) {
		if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
		checkPasswordStrength(password, s.minPasswordLength, s.requiredCharacterSets);
		encrypted = await hashPassword(password);
	}
	const newUserId = randomUUID();
	if (!existing && (type === 'signup' || type === 'invite') && s.beforeUserCreatedHook) {
		await beforeUserCreated(state.sql, r, s.beforeUserCreatedHook, emailProspect(newUserId, aud, email, data ?? {}));
	}
	let newEmail = str(params, 'new_email');
	const outcome = await state.sql.begin(async (tx) => {
		let user = existing;
		let link: string;
		switch (type) {
			case 'magiclink':
			case 'recovery': {
				if (!user) throw notFound('user_not_found', 'User with this email not found');
				await audit(tx, user, 'user_recovery_requested');
				await tx`update auth.users set recovery_token = ${hashed}, recovery_sent_at = now(), updated_at = now() where id = ${user.id}`;
				await createOneTimeToken(tx, user.id, 'recovery_token', hashed, user.email ?? '');
				link = actionLink(state.ctx.apiUrl, hashed, type, referrer);
				break;
			}
			case 'invite':
			case 'signup': {
				if (user) {
					if (user.email_confirmed_at) throw unprocessable('email_exists', 'A user with this email address has already been registered');
					if (type === 'signup' && data) user = await setUserMetadata(tx, user, data);
				} else {
					user = await insertUser(tx, {
						id: newUserId,
						aud,
						role: s.defaultRole,
						email,
						encryptedPassword: encrypted,
						appMetadata: { provider: 'email', providers: ['email'] },
						userMetadata: data ?? {}
					});
					await createIdentity(tx, user.id, 'email', identityData({ sub: user.id, email }));
				}
				if (type === 'invite') {
					await audit(tx, adminActor(r), 'user_invited', { user_email: user.email ?? '', user_id: user.id });
					await tx`update auth.users set confirmation_token = ${hashed}, confirmation_sent_at = now(), invited_at = now(), updated_at = now() where id = ${user.id}`;
				} else {
					await tx`update auth.users set confirmation_token = ${hashed}, confirmation_sent_at = now(), updated_at = now() where id = ${user.id}`;
				}
				await createOneTimeToken(tx, user.id, 'confirmation_token', hashed, user.email ?? '');
				link = actionLink(state.ctx.apiUrl, hashed, type, referrer);
				break;
			}
			case 'email_change_current':
			case 'email_change_new': {
				if (!user) throw notFound('user_not_found', 'User with this email not found');
				if (!s.secureEmailChange && type === 'email_change_current') {
					throw badRequest('validation_failed', 'Enable secure email change to generate link for current email');
				}
				newEmail = validateEmail(newEmail);
				if (await findDuplicateEmail(tx, newEmail, user.aud ?? aud, user.id)) {
					throw unprocessable('email_exists', 'A user with this email address has already been registered');
				}
				const current = type === 'email_change_current' ? hashed : (user.email_change_token_current ?? '');
				const fresh = type === 'email_change_new' ? tokenHash(newEmail, otp) : (user.email_change_token_new ?? '');
				await tx`
					update auth.users set email_change = ${newEmail}, email_change_sent_at = now(), email_change_confirm_status = 0,
						email_change_token_current = ${current}, email_change_token_new = ${fresh}, updated_at = now()
					where id = ${user.id}`;
				if (current) await createOneTimeToken(tx, user.id, 'email_change_token_current', current, user.email ?? '');
				if (fresh) await createOneTimeToken(tx, user.id, 'email_change_token_new', fresh, newEmail);
				link = actionLink(state.ctx.apiUrl, type === 'email_change_current' ? current : fresh, 'email_change', referrer);
				break;
			}
			default:
				throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
		}
		return { userId: user.id, link };
	});
	const user = await fullUser(state, outcome.userId);
	return sendJson(r.res, 200, {
		...user,
		action_link: outcome.link,
		email_otp: otp,
		hashed_token: hashed,
		verification_type: type,
		redirect_to: referrer
	});
}
