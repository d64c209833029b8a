/**
 * GoTrue's mail side (`mail.go`): one-time codes and their hashes, the columns and
 * `auth.one_time_tokens` rows they are kept in, the per-address frequency limit
 * (`[auth.email] max_frequency`) and the hourly e-mail budget, and PKCE flow states.
 * Mails are queued in an outbox and delivered only after the transaction commits, so a
 * failed request sends nothing.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { clearOneTimeTokens, createOneTimeToken, loadUserJson, timeMs, type Query, type UserRow } from './db.ts';
import { sendEmailHook } from './hooks.ts';
import { badRequest, tooManyRequests } from './errors.ts';
import { actionLink, sendAuthMail, sendNotificationMail, type MailInput, type NotificationInput } from './mail.ts';
import type { AuthRequest, AuthState } from './state.ts';

/** The HTML spec's valid e-mail address, which GoTrue's checkmail format check follows. */
const EMAIL_FORMAT = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's `validateEmail`: required, at most 255 characters, well-formed; lower-cased. */
export function validateEmail(email: string): string {
	if (!email) throw badRequest('validation_failed', 'An email address is required');
	if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
	if (!EMAIL_FORMAT.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	return email.toLowerCase();
}

export function generateOtp(length: number): string {
	return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** GoTrue's `GenerateTokenHash`: hex SHA-224 of address and code. */
export function tokenHash(address: string, otp: string): string {
	return createHash('sha224').update(address + otp).digest('hex');
}

export class Outbox {
	private readonly mails: MailInput[] = [];
	private readonly notices: NotificationInput[] = [];
	add(mail: MailInput) {
		this.mails.push(mail);
	}
	/** Queues an account-change notice if `[auth.email.notification.<kind>]` is enabled and there is an address. */
	notify(state: AuthState, notice: NotificationInput) {
		if (notice.to && state.ctx.config.auth.email.notifications[notice.kind]?.enabled) this.notices.push(notice);
	}
	/** Sends what was queued; `r`, the request, is what the send-email hook is told of. */
	deliver(state: AuthState, r?: AuthRequest) {
		const templates = { siteUrl: state.settings.siteUrl, templates: state.ctx.config.auth.email.templates };
		for (const mail of this.mails.splice(0)) sendAuthMail(state.ctx.mailbox, mail, templates);
		const notifications = state.ctx.config.auth.email.notifications;
		for (const notice of this.notices.splice(0)) {
			if (state.settings.sendEmailHook) void noticeToHook(state, notice, r);
			else sendNotificationMail(state.ctx.mailbox, notice, state.settings.siteUrl, notifications[notice.kind]?.template);
		}
	}
}

/** A notice handed to the send-email hook; as in GoTrue, a failing hook does not fail the change. */
async function noticeToHook(state: AuthState, notice: NotificationInput, r: AuthRequest | undefined): Promise<void> {
	const hook = state.settings.sendEmailHook;
	if (!hook) return;
	try {
		await state.sql.begin(async (tx) => {
			const user = await loadUserJson(tx, notice.userId);
			const field = (key: string) => String(notice.data[key] ?? '');
			await sendEmailHook(tx, r, hook, user ?? {}, {
				token: '',
				token_hash: '',
				redirect_to: '',
				email_action_type: `${notice.kind}_notification`,
				site_url: `${state.ctx.apiUrl}/auth/v1`,
				token_new: '',
				token_hash_new: '',
				old_email: field('OldEmail'),
				old_phone: field('OldPhone'),
				provider: field('Provider'),
				factor_type: field('FactorType')
			});
		});
	} catch (error) {
		state.ctx.log(`[auth] the send-email hook failed for a ${notice.kind} notice: ${(error as Error).message}`);
	}
}

/** GoTrue's e-mail-changed notice: to the old address, when both addresses are set and differ. */
export function notifyEmailChanged(state: AuthState, outbox: Outbox, oldEmail: string, user: UserRow): void {
	const email = user.email ?? '';
	if (!oldEmail || !email || oldEmail === email) return;
	outbox.notify(state, { to: oldEmail, userId: user.id, kind: 'email_changed', data: { Email: email, OldEmail: oldEmail, Data: user.raw_user_meta_data ?? {} } });
}

/** `validateSentWithinFrequencyLimit`: one mail per kind per `max_frequency`. */
function checkFrequency(state: AuthState, sentAt: string | null): void {
	const sent = timeMs(sentAt);
	const frequency = state.settings.maxFrequencyMs;
	if (sent !== null && sent + frequency > Date.now()) {
		const left = Math.trunc((sent + frequency - Date.now()) / 1000);
		throw tooManyRequests('over_email_send_rate_limit', `For security purposes, you can only request this after ${left} seconds.`);
	}
}

/** The hourly e-mail budget (`[auth.rate_limit] email_sent`), applied as GoTrue does. */
function spendEmailBudget(state: AuthState): void {
	const limited = state.settings.emailSendLimited && !state.settings.autoconfirm;
	if (!limited) return;
	if (state.ctx.config.auth.rateLimit.emailSent <= 0 || !state.limits.emailSent.take('global')) {
		throw tooManyRequests('over_email_send_rate_limit', 'email rate limit exceeded');
	}
}

const withFlow = (hash: string, pkce: boolean) => (pkce ? `pkce_${hash}` : hash);

/** The tokens GoTrue hands the send-email hook (`mailer.EmailData`) instead of sending the mails. */
interface HookEmailData {
	token: string;
	tokenHash: string;
	redirectTo: string;
	type: string;
	tokenNew?: string;
	tokenHashNew?: string;
}

/**
 * Queues the mails, or, with `[auth.hook.send_email]` on, runs the hook in the request's
 * transaction in their place (its error fails the request), as GoTrue's `sendEmail`.
 */
async function dispatch(state: AuthState, r: AuthRequest, q: Query, userId: string, outbox: Outbox, mails: MailInput[], data: HookEmailData): Promise<void> {
	const hook = state.settings.sendEmailHook;
	if (!hook) {
		for (const mail of mails) outbox.add(mail);
		return;
	}
	const user = await loadUserJson(q, userId);
	await sendEmailHook(q, r, hook, user ?? {}, {
		token: data.token,
		token_hash: data.tokenHash,
		redirect_to: data.redirectTo,
		email_action_type: data.type,
		site_url: `${state.ctx.apiUrl}/auth/v1`,
		token_new: data.tokenNew ?? '',
		token_hash_new: data.tokenHashNew ?? '',
		old_email: '',
		old_phone: '',
		provider: '',
		factor_type: ''
	});
}

/** What every templated mail may show of the user: the address and user_metadata. */
const about = (user: UserRow) => ({ email: user.email ?? '', data: user.raw_user_meta_data });

export async function sendConfirmation(state: AuthState, r: AuthRequest, q: Query, user: UserRow, pkce: boolean, outbox: Outbox): Promise<void> {
	checkFrequency(state, user.confirmation_sent_at);
	const otp = generateOtp(state.settings.otpLength);
	const token = withFlow(tokenHash(user.email ?? '', otp), pkce);
	spendEmailBudget(state);
	await q`update auth.users set confirmation_token = ${token}, confirmation_sent_at = now(), updated_at = now() where id = ${user.id}`;
	await createOneTimeToken(q, user.id, 'confirmation_token', token, user.email ?? '');
	const redirectTo = r.referrer();
	const mail: MailInput = { ...about(user), to: user.email ?? '', type: 'signup', otp, tokenHash: token, redirectTo, link: actionLink(state.ctx.apiUrl, token, 'signup', redirectTo) };
	await dispatch(state, r, q, user.id, outbox, [mail], { token: otp, tokenHash: token, redirectTo, type: 'signup' });
}

export async function sendInvite(state: AuthState, r: AuthRequest, q: Query, user: UserRow, outbox: Outbox): Promise<void> {
	const otp = generateOtp(state.settings.otpLength);
	const token = tokenHash(user.email ?? '', otp);
	spendEmailBudget(state);
	await q`update auth.users set confirmation_token = ${token}, confirmation_sent_at = now(), invited_at = now(), updated_at = now() where id = ${user.id}`;
	await createOneTimeToken(q, user.id, 'confirmation_token', token, user.email ?? '');
	const redirectTo = r.referrer();
	const mail: MailInput = { ...about(user), to: user.email ?? '', type: 'invite', otp, tokenHash: token, redirectTo, link: actionLink(state.ctx.apiUrl, token, 'invite', redirectTo) };
	await dispatch(state, r, q, user.id, outbox, [mail], { token: otp, tokenHash: token, redirectTo, type: 'invite' });
}

/** Recovery and magic-link mails share the recovery token and its timer, as in GoTrue. */
export async function sendRecoveryOrMagicLink(
	state: AuthState,
	r: AuthRequest,
	q: Query,
	user: UserRow,
	type: 'recovery' | 'magiclink',
	pkce: boolean,
	outbox: Outbox
): Promise<void> {
	checkFrequency(state, user.recovery_sent_at);
	const otp = generateOtp(state.settings.otpLength);
	const token = withFlow(tokenHash(user.email ?? '', otp), pkce);
	spendEmailBudget(state);
	await q`update auth.users set recovery_token = ${token}, recovery_sent_at = now(), updated_at = now() where id = ${user.id}`;
	await createOneTimeToken(q, user.id, 'recovery_token', token, user.email ?? '');
	const redirectTo = r.referrer();
	const mail: MailInput = { ...about(user), to: user.email ?? '', type, otp, tokenHash: token, redirectTo, link: actionLink(state.ctx.apiUrl, token, type, redirectTo) };
	await dispatch(state, r, q, user.id, outbox, [mail], { token: otp, tokenHash: token, redirectTo, type });
}

export async function sendEmailChange(state: AuthState, r: AuthRequest, q: Query, user: UserRow, newEmail: string, pkce: boolean, outbox: Outbox): Promise<void> {
	checkFrequency(state, user.email_change_sent_at);
	const otpNew = generateOtp(state.settings.otpLength);
	const tokenNew = withFlow(tokenHash(newEmail, otpNew), pkce);
	let otpCurrent = '';
	let tokenCurrent = '';
	if (state.settings.secureEmailChange && user.email) {
		otpCurrent = generateOtp(state.settings.otpLength);
		tokenCurrent = withFlow(tokenHash(user.email, otpCurrent), pkce);
	}
	spendEmailBudget(state);
	await q`
		update auth.users set email_change = ${newEmail}, email_change_token_new = ${tokenNew},
			email_change_token_current = ${tokenCurrent}, email_change_confirm_status = 0,
			email_change_sent_at = now(), updated_at = now()
		where id = ${user.id}`;
	if (tokenCurrent) await createOneTimeToken(q, user.id, 'email_change_token_current', tokenCurrent, user.email ?? '');
	await createOneTimeToken(q, user.id, 'email_change_token_new', tokenNew, newEmail);
	const redirectTo = r.referrer();
	const common = { ...about(user), type: 'email_change' as const, oldEmail: user.email ?? '', newEmail, redirectTo };
	const mails: MailInput[] = [{ ...common, to: newEmail, otp: otpNew, tokenHash: tokenNew, link: actionLink(state.ctx.apiUrl, tokenNew, 'email_change', redirectTo) }];
	if (tokenCurrent) {
		mails.push({ ...common, to: user.email ?? '', otp: otpCurrent, tokenHash: tokenCurrent, link: actionLink(state.ctx.apiUrl, tokenCurrent, 'email_change', redirectTo) });
	}
	// GoTrue's hook data pairs the tokens crosswise with both addresses (a known quirk kept for compatibility).
	const data = tokenCurrent
		? { token: otpCurrent, tokenHash: tokenNew, tokenNew: otpNew, tokenHashNew: tokenCurrent }
		: { token: otpNew, tokenHash: tokenNew };
	await dispatch(state, r, q, user.id, outbox, mails, { ...data, redirectTo, type: 'email_change' });
}

export async function sendReauthentication(state: AuthState, r: AuthRequest, q: Query, user: UserRow, outbox: Outbox): Promise<void> {
	checkFrequency(state, user.reauthentication_sent_at);
	const otp = generateOtp(state.settings.otpLength);
	const token = tokenHash(user.email ?? '', otp);
	spendEmailBudget(state);
	await q`update auth.users set reauthentication_token = ${token}, reauthentication_sent_at = now(), updated_at = now() where id = ${user.id}`;
	await createOneTimeToken(q, user.id, 'reauthentication_token', token, user.email ?? '');
	const mail: MailInput = { ...about(user), to: user.email ?? '', type: 'reauthentication', otp, link: null };
	await dispatch(state, r, q, user.id, outbox, [mail], { token: otp, tokenHash: token, redirectTo: '', type: 'reauthentication' });
}

const CODE_CHALLENGE = /^[a-zA-Z._~0-9-]+$/;

/** GoTrue's `validatePKCEParams`. */
export function validatePkce(method: string, challenge: string): void {
	if ((challenge === '') !== (method === '')) {
		throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
	}
	if (!challenge) return;
	if (challenge.length < 43 || challenge.length > 128) throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
	if (!CODE_CHALLENGE.test(challenge)) {
		throw badRequest('validation_failed', 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes');
	}
}

/** A PKCE flow state (`auth.flow_state`) whose auth code a verified link hands out. */
export async function createFlowState(q: Query, fields: { providerType: string; method: string; challenge: string; challengeMethod: string; userId: string }): Promise<void> {
	const challengeMethod = fields.challengeMethod.toLowerCase();
	if (challengeMethod !== 's256' && challengeMethod !== 'plain') {
		throw new Error(`unsupported code_challenge method "${fields.challengeMethod}"`);
	}
	await q`
		insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, created_at, updated_at, authentication_method)
		values (${randomUUID()}, ${fields.userId}, ${randomUUID()}, ${challengeMethod}, ${fields.challenge}, ${fields.providerType}, now(), now(), ${fields.method})`;
}

export { clearOneTimeTokens };
