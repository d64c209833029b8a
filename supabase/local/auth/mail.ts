/**
 * The e-mails Auth sends, delivered to the local mailbox. Links are built the way
 * GoTrue's mailer builds them: `<api>/auth/v1/verify?token=<hash>&type=<type>&redirect_to=<url>`,
 * with `redirect_to` left as given unless it holds `&`, `=` or `#`. Subjects are GoTrue's
 * defaults; the bodies are short plain templates of our own. A project's own templates
 * (`[auth.email.template.<kind>]`, see mail-templates.ts) replace either half, rendered
 * with the variables GoTrue gives each kind.
 */
import type { Mailbox } from '../mailbox/mailbox.ts';
import { TemplateExecError } from './go-template.ts';
import { htmlToText, type MailTemplate, type MailTemplateKind, type MailTemplates, type NotificationKind } from './mail-templates.ts';

export type ActionType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'reauthentication';

/** Go's `url.QueryEscape`: like encodeURIComponent, but space as `+` and `!'()*` escaped. */
export function goQueryEscape(value: string): string {
	return encodeURIComponent(value)
		.replace(/%20/g, '+')
		.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Go's `url.Values.Encode`: keys sorted, each pair query-escaped. */
export function goEncodeValues(values: Record<string, string>): string {
	return Object.keys(values)
		.sort()
		.map((k) => `${goQueryEscape(k)}=${goQueryEscape(values[k])}`)
		.join('&');
}

function encodeRedirect(url: string): string {
	return /[&=#]/.test(url) ? goQueryEscape(url) : url;
}

export function actionLink(apiUrl: string, tokenHash: string, type: string, redirectTo: string): string {
	return `${apiUrl}/auth/v1/verify?token=${goQueryEscape(tokenHash)}&type=${goQueryEscape(type)}&redirect_to=${encodeRedirect(redirectTo)}`;
}

const SUBJECTS: Record<ActionType, string> = {
	invite: "You've been invited",
	signup: 'Confirm your email address',
	recovery: 'Reset your password',
	magiclink: 'Your sign-in link',
	email_change: 'Confirm your new email address',
	reauthentication: '{{ .Token }} is your verification code'
};

const INTRO: Record<ActionType, { heading: string; text: string; button: string }> = {
	invite: { heading: 'You have been invited', text: 'You have been invited to create an account. Accept the invitation with this link:', button: 'Accept the invitation' },
	signup: { heading: 'Confirm your email address', text: 'Confirm your email address to finish signing up:', button: 'Confirm your email address' },
	recovery: { heading: 'Reset your password', text: 'Someone asked to reset the password of this account. If it was you, follow this link:', button: 'Reset your password' },
	magiclink: { heading: 'Your sign-in link', text: 'Sign in with this link:', button: 'Sign in' },
	email_change: { heading: 'Confirm your new email address', text: 'Confirm the change of your email address with this link:', button: 'Confirm the change' },
	reauthentication: { heading: 'Confirm it is you', text: 'Enter this code to confirm it is you:', button: '' }
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface MailInput {
	to: string;
	type: ActionType;
	/** The confirmation link, absent for reauthentication codes. */
	link: string | null;
	/** The one-time code to type instead of following the link. */
	otp: string;
	/** For email changes: the address being changed from and to. */
	oldEmail?: string;
	newEmail?: string;
	/** The token hash in the link (GoTrue's `.TokenHash`). */
	tokenHash?: string;
	/** The redirect the link leads to (`.RedirectTo`). */
	redirectTo?: string;
	/** The user's address (`.Email`); for email changes the current one. */
	email?: string;
	/** The user's user_metadata (`.Data`). */
	data?: Record<string, unknown> | null;
}

/** What a project's templates see, per kind, as in GoTrue's mailer. */
export interface TemplateSettings {
	siteUrl: string;
	templates: MailTemplates;
}

const TEMPLATE_KIND: Record<ActionType, MailTemplateKind> = {
	invite: 'invite',
	signup: 'confirmation',
	recovery: 'recovery',
	magiclink: 'magic_link',
	email_change: 'email_change',
	reauthentication: 'reauthentication'
};

/** GoTrue's template data for each kind (`templatemailer.go`). */
export function templateData(input: MailInput, siteUrl: string): Record<string, unknown> {
	const data = input.data ?? {};
	const email = input.email ?? input.to;
	if (input.type === 'reauthentication') return { SiteURL: siteUrl, Email: email, Token: input.otp, Data: data };
	const common = {
		SiteURL: siteUrl,
		ConfirmationURL: input.link ?? '',
		Email: email,
		Token: input.otp,
		TokenHash: input.tokenHash ?? '',
		Data: data,
		RedirectTo: input.redirectTo ?? ''
	};
	if (input.type === 'email_change') return { ...common, NewEmail: input.newEmail ?? '', SendingTo: input.to };
	return common;
}

export function sendAuthMail(mailbox: Mailbox, input: MailInput, settings?: TemplateSettings): void {
	const template = settings?.templates[TEMPLATE_KIND[input.type]];
	if (template && settings) {
		try {
			const data = templateData(input, settings.siteUrl);
			const subject = template.subject?.render(data) ?? SUBJECTS[input.type].replace('{{ .Token }}', input.otp);
			if (template.body) {
				const html = template.body.render(data);
				mailbox.send({ to: input.to, subject, text: htmlToText(html), html });
			} else {
				mailbox.send({ ...defaultMail(input), subject });
			}
			return;
		} catch (error) {
			// Mails go out after the request's transaction committed, so a template that
			// fails at run time can no longer fail the request (GoTrue answers 500): say so
			// and send the default mail instead of none.
			if (!(error instanceof TemplateExecError)) throw error;
			console.error(`auth: the ${TEMPLATE_KIND[input.type]} mail template failed (${error.message}); sent the default mail`);
		}
	}
	mailbox.send(defaultMail(input));
}

function defaultMail(input: MailInput): { to: string; subject: string; text: string; html: string } {
	const intro = INTRO[input.type];
	const subject = SUBJECTS[input.type].replace('{{ .Token }}', input.otp);
	const change = input.type === 'email_change' && input.oldEmail && input.newEmail ? `From ${input.oldEmail} to ${input.newEmail}.` : '';
	const textLines = [intro.heading, '', intro.text];
	if (change) textLines.push(change);
	if (input.link) textLines.push('', input.link);
	textLines.push('', input.link ? `Or enter this code: ${input.otp}` : input.otp);
	const html =
		`<h2>${escapeHtml(intro.heading)}</h2><p>${escapeHtml(intro.text)}</p>` +
		(change ? `<p>${escapeHtml(change)}</p>` : '') +
		(input.link ? `<p><a href="${escapeHtml(input.link)}">${escapeHtml(intro.button)}</a></p><p>Or enter this code: <strong>${escapeHtml(input.otp)}</strong></p>` : `<p><strong>${escapeHtml(input.otp)}</strong></p>`);
	return { to: input.to, subject, text: textLines.join('\n'), html };
}

/** A notice that something changed on the account (`[auth.email.notification.<kind>]`). */
export interface NotificationInput {
	to: string;
	kind: NotificationKind;
	/** GoTrue's template data for the kind: `Email`, `Data` and `OldEmail`, `Phone`, `OldPhone`, `Provider` or `FactorType`. */
	data: Record<string, unknown>;
	/** Whose account it is, for the send-email hook. */
	userId: string;
}

/** GoTrue's default notification subjects. */
const NOTIFICATION_SUBJECTS: Record<NotificationKind, string> = {
	password_changed: 'Your password was changed',
	email_changed: 'Your email address was changed',
	phone_changed: 'Your phone number was changed',
	identity_linked: 'A new sign-in method was linked to your account',
	identity_unlinked: 'A sign-in method was removed from your account',
	mfa_factor_enrolled: 'A new verification method was added to your account',
	mfa_factor_unenrolled: 'A verification method was removed from your account'
};

/** The runtime's own short default bodies, one sentence of what changed. */
function notificationText(kind: NotificationKind, data: Record<string, unknown>): string {
	const v = (key: string) => String(data[key] ?? '');
	switch (kind) {
		case 'password_changed':
			return 'The password of your account was changed.';
		case 'email_changed':
			return `The email address of your account was changed from ${v('OldEmail')} to ${v('Email')}.`;
		case 'phone_changed':
			return `The phone number of your account was changed from ${v('OldPhone')} to ${v('Phone')}.`;
		case 'identity_linked':
			return `Your ${v('Provider')} account can now be used to sign in as ${v('Email')}.`;
		case 'identity_unlinked':
			return `Your ${v('Provider')} account can no longer be used to sign in as ${v('Email')}.`;
		case 'mfa_factor_enrolled':
			return `The verification method ${v('FactorType')} was added to your account.`;
		case 'mfa_factor_unenrolled':
			return `The verification method ${v('FactorType')} was removed from your account.`;
	}
}

export function sendNotificationMail(mailbox: Mailbox, input: NotificationInput, siteUrl: string, template: MailTemplate | undefined): void {
	const data = { SiteURL: siteUrl, ...input.data };
	const subject = NOTIFICATION_SUBJECTS[input.kind];
	const text = `${notificationText(input.kind, data)} If this was not you, contact support.`;
	const fallback = { to: input.to, subject, text, html: `<h2>${escapeHtml(subject)}</h2><p>${escapeHtml(text)}</p>` };
	if (!template) {
		mailbox.send(fallback);
		return;
	}
	try {
		const customSubject = template.subject?.render(data) ?? subject;
		const html = template.body?.render(data);
		mailbox.send(html === undefined ? { ...fallback, subject: customSubject } : { to: input.to, subject: customSubject, text: htmlToText(html), html });
	} catch (error) {
		if (!(error instanceof TemplateExecError)) throw error;
		console.error(`auth: the ${input.kind} notification template failed (${error.message}); sent the default mail`);
		mailbox.send(fallback);
	}
}
