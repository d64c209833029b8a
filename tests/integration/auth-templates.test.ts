/**
 * The project's own Auth mails (`[auth.email.template.*]` in supabase/config.toml, bodies
 * in supabase/templates/): each person gets them in their own language, taken from
 * user_metadata.language, with links that work; what people type into their metadata is
 * escaped in the body; and a template file that is missing stops the runtime's start
 * with a message naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { ConfigError } from '../../supabase/local/config.ts';
import { makeProject } from '../support/project.ts';
import { startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { authClient, follow, fragment, lastMail } from './auth-support.ts';

const PASSWORD = 'a calm long password';
const BACK = 'http://localhost:5173/auth/confirm?next=/reset-password';

describe('auth: the project’s mail templates', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	/** Signs someone up with this metadata and asks for a password reset; the recovery mail. */
	async function recoveryMailFor(data: Record<string, unknown>) {
		const email = uniqueEmail('templates');
		const signedUp = await authClient(runtime).auth.signUp({ email, password: PASSWORD, options: { data } });
		expect(signedUp.error).toBeNull();
		expect((await authClient(runtime).auth.resetPasswordForEmail(email, { redirectTo: BACK })).error).toBeNull();
		return { email, mail: await lastMail(runtime, email) };
	}

	it('sends a Dutch person a Dutch recovery mail whose link signs them in', async () => {
		const { email, mail } = await recoveryMailFor({ display_name: 'Anna', language: 'nl' });
		expect(mail.Subject).toBe('Kies een nieuw wachtwoord voor Samenspel');
		expect(mail.HTML).toContain('<html lang="nl">');
		expect(mail.HTML).toContain('Hoi Anna,');
		expect(mail.Text).toContain('Kies een nieuw wachtwoord: http');
		expect(mail.Text).not.toMatch(/new password|Hi /);
		// The link is GoTrue's, HTML-escaped in the attribute and intact in the mailbox.
		expect(mail.HTML).toContain(`href="${runtime.url}/auth/v1/verify?token=`);
		expect(mail.HTML).toContain('&amp;type=recovery&amp;redirect_to=');
		expect(mail.Link).toMatch(new RegExp(`^${runtime.url}/auth/v1/verify\\?token=[0-9a-f]{56}&type=recovery&redirect_to=`));
		const { status, location } = await follow(mail.Link!);
		expect(status).toBe(303);
		expect(location.startsWith('http://localhost:5173/auth/confirm?next=/reset-password#access_token=')).toBe(true);
		expect(fragment(location).get('type')).toBe('recovery');
		const signedIn = authClient(runtime);
		const session = await signedIn.auth.setSession({ access_token: fragment(location).get('access_token')!, refresh_token: fragment(location).get('refresh_token')! });
		expect(session.data.user?.email).toBe(email);
	});

	it('sends an English person an English recovery mail', async () => {
		const { mail } = await recoveryMailFor({ display_name: 'Ben', language: 'en' });
		expect(mail.Subject).toBe('Choose a new password for Samenspel');
		expect(mail.HTML).toContain('<html lang="en">');
		expect(mail.HTML).toContain('Hi Ben,');
		expect(mail.Text).toContain('Choose a new password: http');
		expect(mail.Text).not.toMatch(/wachtwoord|Hoi /);
	});

	it('speaks Dutch when no language is known, and follows a language changed later', async () => {
		const { email, mail } = await recoveryMailFor({});
		expect(mail.Subject).toBe('Kies een nieuw wachtwoord voor Samenspel');
		expect(mail.HTML).toContain('Hoi,');

		const sb = authClient(runtime);
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		expect((await sb.auth.updateUser({ data: { language: 'en' } })).error).toBeNull();
		// Past `max_frequency` (1s in config.toml) before the next recovery mail.
		await new Promise((resolve) => setTimeout(resolve, 1100));
		expect((await authClient(runtime).auth.resetPasswordForEmail(email, { redirectTo: BACK })).error).toBeNull();
		const again = await lastMail(runtime, email, 2);
		expect(again.Subject).toBe('Choose a new password for Samenspel');
	});

	it('escapes HTML from user_metadata in the body, and leaves the subject alone', async () => {
		const { mail } = await recoveryMailFor({ display_name: '<img src=x onerror=alert(1)> & "Kim"', language: 'en' });
		expect(mail.HTML).toContain('Hi &lt;img src=x onerror=alert(1)&gt; &amp; &#34;Kim&#34;,');
		expect(mail.HTML).not.toContain('<img');
		expect(mail.Text).toContain('Hi <img src=x onerror=alert(1)> & "Kim",');
	});

	it('sends the other kinds in the person’s language too', async () => {
		const email = uniqueEmail('templates-magic');
		await authClient(runtime).auth.signUp({ email, password: PASSWORD, options: { data: { language: 'en' } } });
		expect((await authClient(runtime).auth.signInWithOtp({ email, options: { shouldCreateUser: false } })).error).toBeNull();
		const magic = await lastMail(runtime, email);
		expect(magic.Subject).toBe('Your link to sign in to Samenspel');
		expect(magic.Link).toContain('&type=magiclink&');

		const sb = authClient(runtime);
		expect((await sb.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		expect((await sb.auth.reauthenticate()).error).toBeNull();
		const code = await lastMail(runtime, email, 2);
		expect(code.Subject).toMatch(/^\d{6} is your confirmation code for Samenspel$/);
		expect(code.HTML).toContain(code.Subject.slice(0, 6));
	});
});

describe('auth: a mail template that cannot be read', () => {
	it('stops the start with a message naming the missing file', async () => {
		const project = await makeProject({
			config: ['[auth.email.template.recovery]', 'subject = "Herstel"', 'content_path = "./supabase/templates/recovery.html"'].join('\n')
		});
		try {
			const error = await startTestRuntime({ workdir: project.dir }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ConfigError);
			expect((error as Error).message).toContain('auth.email.template.recovery.content_path');
			expect((error as Error).message).toContain(path.join(project.dir, 'supabase', 'templates', 'recovery.html'));
		} finally {
			await project.remove();
		}
	});
});
