/**
 * The e-mails Auth sends, delivered to the local mailbox. Links are built the way
 * GoTrue's mailer builds them: `<api>/auth/v1/verify?token=<hash>&type=<type>&redirect_to=<url>`,
 * with `redirect_to` left as given unless it holds `&`, `=` or `#`. Subjects are GoTrue's
 * defaults; the bodies are short plain templates of our own.
 */
import type { Mailbox } from '../mailbox/mailbox.ts';

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
}

export function sendAuthMail(mailbox: Mailbox, input: MailInput): void {
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
	mailbox.send({ to: input.to, subject, text: textLines.join('\n'), html });
}
