import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from './config.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeProject, type TempProject } from '../../tests/support/project.ts';

let project: TempProject | null = null;
afterEach(async () => {
	await project?.remove();
	project = null;
	delete process.env.SB_TEST_SITE;
});

describe('config.toml', () => {
	it('falls back to the Supabase CLI defaults when there is no config.toml', async () => {
		project = await makeProject({});
		const config = await loadConfig(project.dir);
		expect(config.api).toMatchObject({ port: 54321, maxRows: 1000, schemas: ['public', 'graphql_public'] });
		expect(config.db.port).toBe(54322);
		expect(config.inbucket.port).toBe(54324);
		expect(config.auth).toMatchObject({ jwtExpiry: 3600, enableSignup: true, minimumPasswordLength: 6, enableRefreshTokenRotation: true });
		expect(config.auth.email.enableConfirmations).toBe(false);
		expect(config.unhonoured).toEqual([]);
	});

	it('reads the honoured settings, substitutes env(NAME), and lists what it does not honour', async () => {
		process.env.SB_TEST_SITE = 'https://couples.example';
		project = await makeProject({
			config: [
				'[api]', 'port = 6001', 'schemas = ["public", "api"]', 'max_rows = 50',
				'[db]', 'port = 6002',
				'[studio]', 'port = 54323',
				'[auth]', 'site_url = "env(SB_TEST_SITE)"', 'enable_signup = false', 'minimum_password_length = 10',
				'jwt_expiry = 600', 'enable_anonymous_sign_ins = true', 'additional_redirect_urls = ["http://a.test/**"]',
				'[auth.email]', 'enable_confirmations = true',
				'[auth.rate_limit]', 'sign_in_sign_ups = 7',
				'[auth.sms]', 'enable_signup = true'
			].join('\n')
		});
		const config = await loadConfig(project.dir);
		expect(config.api).toMatchObject({ port: 6001, schemas: ['public', 'api'], maxRows: 50 });
		expect(config.db.port).toBe(6002);
		expect(config.auth).toMatchObject({
			siteUrl: 'https://couples.example',
			enableSignup: false,
			minimumPasswordLength: 10,
			jwtExpiry: 600,
			enableAnonymousSignIns: true,
			additionalRedirectUrls: ['http://a.test/**']
		});
		expect(config.auth.email.enableConfirmations).toBe(true);
		expect(config.auth.rateLimit.signInSignUps).toBe(7);
		expect(config.unhonoured.sort()).toEqual(['auth.sms.enable_signup', 'studio.port']);
	});

	it('refuses a config.toml that is not valid TOML, naming the file', async () => {
		project = await makeProject({ config: '[api\nport = ' });
		const error = await loadConfig(project.dir).catch((e) => e);
		expect(error).toBeInstanceOf(ConfigError);
		expect(error.message).toContain('config.toml');
	});

	it('refuses a port that is not a number', async () => {
		project = await makeProject({ config: '[api]\nport = "many"' });
		await expect(loadConfig(project.dir)).rejects.toThrow('api.port must be a number');
	});

	it('reads [auth.email.template.*]: subject and content_path relative to the project root', async () => {
		project = await makeProject({
			config: [
				'[auth.email.template.recovery]', `subject = '{{ if eq .Data.language "en" }}Reset{{ else }}Herstel{{ end }}'`,
				'content_path = "./supabase/templates/recovery.html"',
				'[auth.email.template.magic_link]', 'subject = "Link"',
				'[auth.email.template.password_changed]', 'subject = "x"'
			].join('\n')
		});
		await mkdir(path.join(project.dir, 'supabase', 'templates'));
		await writeFile(path.join(project.dir, 'supabase', 'templates', 'recovery.html'), '<a href="{{ .ConfirmationURL }}">{{ .Email }}</a>');
		const config = await loadConfig(project.dir);
		const { recovery, magic_link } = config.auth.email.templates;
		expect(recovery?.contentPath).toBe(path.join(project.dir, 'supabase', 'templates', 'recovery.html'));
		expect(recovery?.subject?.render({ Data: { language: 'en' } })).toBe('Reset');
		expect(recovery?.body?.render({ ConfirmationURL: 'http://x/?a=1&b=2', Email: '<b>' })).toBe('<a href="http://x/?a=1&amp;b=2">&lt;b&gt;</a>');
		expect(magic_link?.body).toBeNull();
		expect(config.unhonoured).toEqual(['auth.email.template.password_changed.subject']);
	});

	it('refuses a template whose content file is missing, naming the file', async () => {
		project = await makeProject({ config: '[auth.email.template.recovery]\ncontent_path = "./supabase/templates/nope.html"' });
		const error = await loadConfig(project.dir).catch((e) => e);
		expect(error).toBeInstanceOf(ConfigError);
		expect(error.message).toContain('auth.email.template.recovery.content_path');
		expect(error.message).toContain(path.join(project.dir, 'supabase', 'templates', 'nope.html'));
	});

	it('refuses a template that does not parse, naming the file, line and column', async () => {
		project = await makeProject({ config: '[auth.email.template.invite]\ncontent_path = "invite.html"' });
		await writeFile(path.join(project.dir, 'invite.html'), '<p>\n{{ if .Email }}open');
		await expect(loadConfig(project.dir)).rejects.toThrow(/invite\.html:2:1: unexpected EOF/);
	});
});
