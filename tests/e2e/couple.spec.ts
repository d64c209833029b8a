/**
 * Two partners link their accounts: A signs up, creates the space and copies the
 * invite link; B opens it in another browser, signs up from it, lands back on it and
 * accepts; both see each other's names. Once in Dutch, once in English. Every page
 * visited is scanned with axe-core and photographed at 390 and 1280 px.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { latestMail, uniqueEmail, visit } from './support.ts';

type Messages = Record<string, string>;
const messages = (locale: string): Messages =>
	JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../messages/${locale}.json`), 'utf8'));
const fill = (text: string, params: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, key: string) => params[key] ?? '');

const PASSWORD = 'a calm long password';

async function signUp(page: Page, t: Messages, name: string, email: string) {
	await page.getByLabel(t.field_display_name).fill(name);
	await page.getByLabel(t.field_email).fill(email);
	await page.getByLabel(t.field_password, { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: t.sign_up_submit }).click();
}

async function newPerson(browser: Browser, locale: string) {
	const context = await browser.newContext({ locale, permissions: ['clipboard-read', 'clipboard-write'] });
	return { context, page: await context.newPage() };
}

for (const [lang, browserLocale, names] of [
	['nl', 'nl-NL', ['Anna', 'Bram']],
	['en', 'en-GB', ['Alex', 'Sam']]
] as const) {
	test(`partners link their accounts (${lang})`, async ({ browser }) => {
		const t = messages(lang);
		const [nameA, nameB] = names;
		const a = await newPerson(browser, browserLocale);
		const b = await newPerson(browser, browserLocale);

		// A: the landing page speaks the browser's language on a first visit.
		await a.page.goto('/');
		await expect(a.page.locator('html')).toHaveAttribute('lang', lang);
		await expect(a.page.getByRole('heading', { level: 1 })).toHaveText(t.landing_title);
		await visit(a.page, `${lang}-landing`);

		await a.page.getByRole('link', { name: t.landing_cta_sign_up }).click();
		await expect(a.page).toHaveURL(/\/sign-up$/);
		await visit(a.page, `${lang}-sign-up`);

		// A too-short password: the error is next to the field, in this language, and the form refills.
		await a.page.getByLabel(t.field_display_name).fill(nameA);
		await a.page.getByLabel(t.field_email).fill(uniqueEmail(nameA.toLowerCase()));
		await a.page.getByLabel(t.field_password, { exact: true }).fill('kort');
		await a.page.getByLabel(t.field_password, { exact: true }).evaluate((input: HTMLInputElement) => input.removeAttribute('minlength'));
		await a.page.getByRole('button', { name: t.sign_up_submit }).click();
		await expect(a.page.locator('#field-password-error')).toHaveText(t.error_password_too_short);
		await expect(a.page.getByLabel(t.field_password, { exact: true })).toHaveAttribute('aria-invalid', 'true');
		await expect(a.page.getByLabel(t.field_display_name)).toHaveValue(nameA);
		await visit(a.page, `${lang}-sign-up-error`);

		await signUp(a.page, t, nameA, uniqueEmail(nameA.toLowerCase()));
		await expect(a.page).toHaveURL(/\/space$/);
		await visit(a.page, `${lang}-space-new`);

		await a.page.getByRole('button', { name: t.space_create }).click();
		const linkField = a.page.getByLabel(t.space_invite_link_label);
		await expect(linkField).toHaveValue(/\/invite\/[A-Za-z0-9_-]{43}$/);
		await expect(a.page.getByRole('img', { name: t.space_invite_qr_alt })).toBeVisible();
		await a.page.getByRole('button', { name: t.space_invite_copy }).click();
		await expect(a.page.getByText(t.space_invite_copied)).toBeVisible();
		const link = await a.page.evaluate(() => navigator.clipboard.readText());
		expect(link).toBe(await linkField.inputValue());
		await visit(a.page, `${lang}-space-invite`);

		// B opens the link: who invites them, then an account, then back to the link.
		await b.page.goto(link);
		await expect(b.page.locator('html')).toHaveAttribute('lang', lang);
		await expect(b.page.getByRole('heading', { level: 1 })).toHaveText(fill(t.invite_heading, { name: nameA }));
		await visit(b.page, `${lang}-invite`);
		await b.page.getByRole('link', { name: t.invite_sign_up }).click();
		await expect(b.page).toHaveURL(/\/sign-up\?redirectTo=/);
		await signUp(b.page, t, nameB, uniqueEmail(nameB.toLowerCase()));
		await expect(b.page).toHaveURL(new URL(link).pathname);
		await visit(b.page, `${lang}-invite-signed-in`);
		await b.page.getByRole('button', { name: t.invite_accept }).click();

		await expect(b.page).toHaveURL(/\/space\?joined=1$/);
		const membersB = b.page.getByRole('region', { name: t.space_members_title });
		await expect(membersB.getByText(nameA, { exact: true })).toBeVisible();
		await expect(membersB.getByText(nameB, { exact: true })).toBeVisible();
		await visit(b.page, `${lang}-space-joined`);

		await a.page.reload();
		const membersA = a.page.getByRole('region', { name: t.space_members_title });
		await expect(membersA.getByText(nameB, { exact: true })).toBeVisible();
		await expect(a.page.getByText(fill(t.notice_partner_joined, { name: nameB }))).toBeVisible();
		await visit(a.page, `${lang}-space-together`);

		await a.page.getByRole('link', { name: t.nav_account }).click();
		await expect(a.page.getByRole('heading', { level: 1 })).toHaveText(t.account_title);
		await visit(a.page, `${lang}-account`);

		if (lang === 'en') {
			// B leaves, through the confirmation dialog; A is told.
			await b.page.getByRole('link', { name: t.space_leave_button }).click();
			const dialog = b.page.getByRole('alertdialog');
			await expect(dialog).toBeVisible();
			await visit(b.page, `${lang}-leave-dialog`);
			await dialog.getByRole('button', { name: t.space_leave_confirm }).click();
			await expect(b.page).toHaveURL(/\/space\?left=1$/);
			await expect(b.page.getByRole('button', { name: t.space_create })).toBeVisible();
			await a.page.goto('/space');
			await expect(a.page.getByText(fill(t.notice_partner_left, { name: nameB }))).toBeVisible();
			await expect(a.page.getByRole('region', { name: t.space_members_title }).getByText(nameB, { exact: true })).toHaveCount(0);
		}

		await a.context.close();
		await b.context.close();
	});
}

test('a forgotten password: the mail lands in the mailbox and its link works', async ({ browser }) => {
	const t = messages('en');
	const { context, page } = await newPerson(browser, 'en-GB');
	const email = uniqueEmail('robin');

	await page.goto('/sign-up');
	await signUp(page, t, 'Robin', email);
	await expect(page).toHaveURL(/\/space$/);
	await page.getByRole('button', { name: t.nav_sign_out }).click();
	await expect(page).toHaveURL(/\/$/);

	// A signed-out visit to a protected page goes to sign-in, remembering where to return.
	await page.goto('/account');
	await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Faccount$/);
	await visit(page, 'en-sign-in');
	await page.getByRole('link', { name: t.sign_in_forgot }).click();
	await visit(page, 'en-forgot-password');
	await page.getByLabel(t.field_email).fill(email);
	await page.getByRole('button', { name: t.forgot_submit }).click();
	await expect(page.getByText(t.forgot_sent)).toBeVisible();

	const mail = await latestMail(email);
	// Robin signed up in English, so Auth's mail (supabase/templates) is in English too.
	expect(mail.Subject).toBe('Choose a new password for Samenspel');
	if (!mail.Link) throw new Error('the recovery mail has no link');
	await page.goto(mail.Link);
	await expect(page).toHaveURL(/\/reset-password$/);
	await visit(page, 'en-reset-password');
	await page.getByLabel(t.field_new_password).fill('a brand new password');
	await page.getByLabel(t.field_password_confirm).fill('a brand new password');
	await page.getByRole('button', { name: t.reset_submit }).click();
	await expect(page).toHaveURL(/\/account\?password=1$/);
	await expect(page.getByText(t.account_password_saved)).toBeVisible();

	await page.getByRole('button', { name: t.nav_sign_out }).click();
	await page.goto('/account');
	await page.getByLabel(t.field_email).fill(email);
	await page.getByLabel(t.field_password).fill('a brand new password');
	await page.getByRole('button', { name: t.sign_in_submit }).click();
	await expect(page).toHaveURL(/\/account$/);
	await context.close();
});

test("after sign-in the profile's language wins over the browser's", async ({ browser }) => {
	const nl = messages('nl');
	const en = messages('en');
	// A Dutch browser; Ben (from seed.sql) chose English in his profile.
	const { context, page } = await newPerson(browser, 'nl-NL');
	await page.goto('/sign-in');
	await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
	await page.getByLabel(nl.field_email).fill('ben@samenspel.test');
	await page.getByLabel(nl.field_password).fill('samenspel-demo');
	await page.getByRole('button', { name: nl.sign_in_submit }).click();
	await expect(page).toHaveURL(/\/space$/);
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.space_title);
	// The demo couple is already linked: both names on the page.
	const members = page.getByRole('region', { name: en.space_members_title });
	await expect(members.getByText('Anna', { exact: true })).toBeVisible();
	await expect(members.getByText('Ben', { exact: true })).toBeVisible();
	await context.close();
});

test('dark mode follows the system and stays readable', async ({ browser }) => {
	const context = await browser.newContext({ locale: 'nl-NL', colorScheme: 'dark' });
	const page = await context.newPage();
	for (const [url, name] of [
		['/', 'dark-landing'],
		['/sign-in', 'dark-sign-in']
	] as const) {
		await page.goto(url);
		const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
		expect(background).toBe('rgb(27, 24, 22)');
		await visit(page, name);
	}
	await context.close();
});

test('security headers are sent and cross-site form posts are refused', async ({ request, baseURL }) => {
	const page = await request.get('/sign-in');
	const headers = page.headers();
	expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
	expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
	// The Supabase origin the server runs with (fetch and Realtime), set when it started.
	const api = `http://127.0.0.1:${process.env.E2E_API_PORT}`;
	expect(headers['content-security-policy']).toContain(`connect-src 'self' ${api} ${api.replace(/^http/, 'ws')};`);
	expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
	expect(headers['x-content-type-options']).toBe('nosniff');

	const form = { email: 'anna@samenspel.test', password: 'samenspel-demo' };
	const forged = await request.post('/sign-in', { form, headers: { origin: 'https://evil.example' }, maxRedirects: 0 });
	expect(forged.status()).toBe(403);
	const own = await request.post('/sign-in', { form, headers: { origin: baseURL!, accept: 'text/html' }, maxRedirects: 0 });
	expect(own.status()).toBe(303);
	expect(own.headers()['location']).toBe('/space');
});

test('export my data, then delete the account with a confirmation step', async ({ browser }) => {
	const t = messages('nl');
	const { context, page } = await newPerson(browser, 'nl-NL');
	const email = uniqueEmail('kim');
	await page.goto('/sign-up');
	await signUp(page, t, 'Kim', email);
	await expect(page).toHaveURL(/\/space$/);
	await page.goto('/account');

	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: t.account_export_button }).click()]);
	const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
	expect(exported.account.email).toBe(email);
	expect(exported.profile.display_name).toBe('Kim');

	await page.getByRole('link', { name: t.account_delete_button }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toBeVisible();
	await visit(page, 'nl-delete-dialog');
	await dialog.getByLabel(fill(t.field_confirm_email, { email })).fill(email);
	await dialog.getByRole('button', { name: t.account_delete_confirm }).click();
	await expect(page).toHaveURL(/\/\?deleted=1$/);
	await expect(page.getByText(t.account_deleted_notice)).toBeVisible();

	await page.goto('/sign-in');
	await page.getByLabel(t.field_email).fill(email);
	await page.getByLabel(t.field_password).fill(PASSWORD);
	await page.getByRole('button', { name: t.sign_in_submit }).click();
	await expect(page.getByText(t.error_auth_invalid_credentials)).toBeVisible();
	await context.close();
});
