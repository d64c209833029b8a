/**
 * A project's own Auth mail templates, `[auth.email.template.<kind>]` in config.toml, as
 * the Supabase CLI hands them to GoTrue: `subject` is a Go template, `content_path` names
 * an HTML file (relative to the project root, the folder that holds `supabase/`, as the
 * CLI resolves it) whose contents are the body, a Go `html/template`. Either may be left
 * out; the other half then stays GoTrue's default. Files are read and both halves parsed
 * when the runtime starts, so a missing file or a template error stops the start with a
 * message naming it (the CLI refuses a missing file the same way).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGoTemplate, TemplateParseError, type GoTemplate } from './go-template.ts';

/** GoTrue's template kinds (`internal/mailer/templatemailer`), as config.toml names them. */
export const MAIL_TEMPLATE_KINDS = ['invite', 'confirmation', 'recovery', 'magic_link', 'email_change', 'reauthentication'] as const;
export type MailTemplateKind = (typeof MAIL_TEMPLATE_KINDS)[number];

export interface MailTemplate {
	/** The subject template; null keeps GoTrue's default subject. */
	subject: GoTemplate | null;
	/** The body template; null keeps the runtime's default body. */
	body: GoTemplate | null;
	/** The resolved content file, for messages. */
	contentPath: string | null;
}

export type MailTemplates = Partial<Record<MailTemplateKind, MailTemplate>>;

/** GoTrue's account-change notifications, `[auth.email.notification.<kind>]`, all off by default. */
export const NOTIFICATION_KINDS = [
	'password_changed',
	'email_changed',
	'phone_changed',
	'identity_linked',
	'identity_unlinked',
	'mfa_factor_enrolled',
	'mfa_factor_unenrolled'
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
	enabled: boolean;
	template: MailTemplate;
}

export type Notifications = Partial<Record<NotificationKind, Notification>>;

export class MailTemplateError extends Error {}

const isKind = (name: string): name is MailTemplateKind => (MAIL_TEMPLATE_KINDS as readonly string[]).includes(name);

/** Whether a dotted config.toml path is a template or notification setting this runtime honours. */
export function isHonouredTemplateSetting(dotted: string): boolean {
	const match = /^auth\.email\.template\.([^.]+)\.(subject|content_path)$/.exec(dotted);
	if (match) return isKind(match[1]);
	const notification = /^auth\.email\.notification\.([^.]+)\.(enabled|subject|content_path)$/.exec(dotted);
	return !!notification && (NOTIFICATION_KINDS as readonly string[]).includes(notification[1]);
}

/** Reads and parses `[auth.email.template.*]`; `table` is that TOML table (or undefined). */
export async function loadMailTemplates(table: unknown, workdir: string): Promise<MailTemplates> {
	const templates: MailTemplates = {};
	if (!table || typeof table !== 'object') return templates;
	for (const [kind, raw] of Object.entries(table as Record<string, unknown>)) {
		// Kinds GoTrue does not know are ignored there too; config.ts lists them as not honoured.
		if (!isKind(kind) || !raw || typeof raw !== 'object') continue;
		templates[kind] = await loadTemplate(raw as Record<string, unknown>, `auth.email.template.${kind}`, workdir);
	}
	return templates;
}

/** Reads `[auth.email.notification.*]`: which notifications are on, with their templates. */
export async function loadNotifications(table: unknown, workdir: string): Promise<Notifications> {
	const notifications: Notifications = {};
	if (!table || typeof table !== 'object') return notifications;
	for (const [kind, raw] of Object.entries(table as Record<string, unknown>)) {
		if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind) || !raw || typeof raw !== 'object') continue;
		const setting = raw as Record<string, unknown>;
		notifications[kind as NotificationKind] = {
			enabled: setting.enabled === true,
			template: await loadTemplate(setting, `auth.email.notification.${kind}`, workdir)
		};
	}
	return notifications;
}

async function loadTemplate(setting: Record<string, unknown>, where: string, workdir: string): Promise<MailTemplate> {
	if (setting.content !== undefined) throw new MailTemplateError(`Invalid config for ${where}.content: please use content_path instead`);
	let subject: GoTemplate | null = null;
	let body: GoTemplate | null = null;
	let contentPath: string | null = null;
	if (typeof setting.subject === 'string') {
		subject = parse(setting.subject, `${where}.subject`, false);
	}
	if (typeof setting.content_path === 'string' && setting.content_path) {
		contentPath = path.resolve(workdir, setting.content_path);
		let source: string;
		try {
			source = await readFile(contentPath, 'utf8');
		} catch (error) {
			const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
			throw new MailTemplateError(`Invalid config for ${where}.content_path: cannot read ${contentPath} (${reason})`);
		}
		body = parse(source, path.relative(workdir, contentPath) || contentPath, true);
	}
	return { subject, body, contentPath };
}

function parse(source: string, name: string, html: boolean): GoTemplate {
	try {
		return parseGoTemplate(source, { name, html });
	} catch (error) {
		if (error instanceof TemplateParseError) throw new MailTemplateError(error.message);
		throw error;
	}
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * A plain-text rendering of an HTML mail body, for the mailbox's Text part: links keep
 * their address, block elements become line breaks.
 */
export function htmlToText(html: string): string {
	return html
		.replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, (_, _q, href: string, label: string) => {
			const text = label.replace(/<[^>]*>/g, '').trim();
			return text && text !== href ? `${text}: ${href}` : href;
		})
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/?(p|div|h[1-6]|tr|table|li|ul|ol|blockquote|section|header|footer)\b[^>]*>/gi, '\n')
		.replace(/<[^>]*>/g, '')
		.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
			if (name[0] === '#') {
				const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
				return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
			}
			return ENTITIES[name.toLowerCase()] ?? whole;
		})
		.split('\n')
		.map((line) => line.replace(/[ \t]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}
