/**
 * The shared view of a revealed round, for three couples made in setup with the demo
 * answers of the scoring module (a clear pursuer with a clear withdrawer, two pursuers,
 * a balanced couple). It shows the dance type and the first-ranked collision the
 * scoring module gives, places the dots on the right sides of the map, saves notes,
 * the discussed mark, the cycle and agreements, prints on A4, passes axe-core, and is
 * a 404 for a stranger and an ex-partner. Screenshots of each section at 390 and 1280
 * px, and the printed pages as PNGs, go to test-results/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { danceTexts, instrument, type Locale } from '../../src/lib/instrument/index.ts';
import { scoreCouple, type CoupleResult } from '../../src/lib/scoring/index.ts';
import { demoCouples, type DemoCoupleKey } from '../../src/lib/scoring/fixtures.ts';
import { expectAccessible, screenshotDir } from './support.ts';
import { linkPartners, revealRound, signInAt, signUpPerson, type E2EPerson } from './shared-support.ts';

type Messages = Record<string, string>;
const messages = (locale: Locale): Messages => JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../messages/${locale}.json`), 'utf8'));
const labels = (t: Messages) => ({ email: t.field_email, password: t.field_password, submit: t.sign_in_submit });

interface Couple {
	key: DemoCoupleKey;
	locale: Locale;
	a: E2EPerson;
	b: E2EPerson;
	roundId: string;
	result: CoupleResult;
}

const plan: { key: DemoCoupleKey; locale: Locale; names: [string, string] }[] = [
	{ key: 'pursueWithdraw', locale: 'nl', names: ['Anna', 'Ben'] },
	{ key: 'twoPursuers', locale: 'en', names: ['Alex', 'Sam'] },
	{ key: 'balanced', locale: 'nl', names: ['Noor', 'Daan'] }
];

const couples: Couple[] = [];
let stranger: E2EPerson;
let earlierRound = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
	for (const { key, locale, names } of plan) {
		const a = await signUpPerson(names[0], locale);
		const b = await signUpPerson(names[1], locale);
		await linkPartners(a, b);
		// The first couple has an earlier round too, so "over time" has something to show.
		if (key === 'pursueWithdraw') earlierRound = await revealRound(a, b, demoCouples.balanced);
		const roundId = await revealRound(a, b, demoCouples[key]);
		couples.push({ key, locale, a, b, roundId, result: scoreCouple(demoCouples[key], instrument) });
	}
	stranger = await signUpPerson('Vreemde', 'nl');
});

async function openAs(browser: Browser, person: E2EPerson, couple: Couple, width = 1280): Promise<Page> {
	const context = await browser.newContext({ locale: couple.locale === 'nl' ? 'nl-NL' : 'en-GB', viewport: { width, height: 900 } });
	const page = await context.newPage();
	await signInAt(page, person, `/shared/${couple.roundId}`, labels(messages(couple.locale)));
	// Hydrated before anyone types: hydration sets each note field to its stored value, so a
	// note filled in before it would be wiped (seen once on a loaded machine: an empty save).
	await page.waitForLoadState('networkidle');
	return page;
}

async function captureSections(page: Page, name: string) {
	for (const width of [390, 1280]) {
		await page.setViewportSize({ width, height: 900 });
		for (const section of await page.locator('[data-section]').all()) {
			const id = await section.getAttribute('data-section');
			await section.screenshot({ path: path.join(screenshotDir, `shared-${name}-${id}-${width}.png`) });
		}
	}
	await page.setViewportSize({ width: 1280, height: 900 });
}

for (const [index, { key, locale }] of plan.entries()) {
	test(`the shared view shows the scoring module's figures: ${key} (${locale})`, async ({ browser }) => {
		test.setTimeout(180_000);
		const couple = couples[index];
		const t = messages(locale);
		const page = await openAs(browser, couple.a, couple);
		await expect(page.locator('html')).toHaveAttribute('lang', locale);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.shared_title);

		// The dance type and its name, as the scoring module gives them.
		const dance = page.getByTestId('dance');
		await expect(dance).toHaveAttribute('data-dance-type', couple.result.dance.type!);
		await expect(dance.getByRole('heading', { level: 3 })).toHaveText(danceTexts[couple.result.dance.type!].title[locale]);

		// The collisions, ranked as the scoring module ranks them.
		const cards = page.locator('article.collision');
		await expect(cards).toHaveCount(couple.result.collisions.length);
		if (couple.result.collisions.length > 0) {
			await expect(cards.first()).toHaveAttribute('data-situation', couple.result.collisions[0].situation);
			const order = await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-situation')));
			expect(order).toEqual(couple.result.collisions.map((c) => c.situation));
		} else {
			await expect(page.getByText(t.shared_collide_none)).toBeVisible();
		}
		const sameWay = instrument.situations.length - couple.result.collisions.length;
		if (sameWay > 0) await expect(page.getByTestId('same-way').locator('li')).toHaveCount(sameWay);

		// The dots: toward (positive stance) left of the vertical axis, away right of it;
		// giving more than receiving above the horizontal axis.
		for (const partner of ['a', 'b'] as const) {
			const dot = page.locator(`[data-testid="dance-map"] [data-partner="${partner}"]`);
			const shape = dot.locator('circle, rect').first();
			const box = (await shape.boundingBox())!;
			const svg = (await page.getByTestId('dance-map').boundingBox())!;
			const centreX = box.x + box.width / 2 - svg.x;
			const centreY = box.y + box.height / 2 - svg.y;
			const stance = couple.result[partner].stance!;
			const balance = couple.result[partner].balance!;
			await expect(dot).toHaveAttribute('data-stance', String(Math.round(stance)));
			if (Math.abs(stance) >= 1) expect(Math.sign(svg.width / 2 - centreX), `${partner}'s dot on the side of stance ${stance}`).toBe(Math.sign(stance));
			if (Math.abs(balance) >= 1) expect(Math.sign(svg.height / 2 - centreY), `${partner}'s dot on the side of balance ${balance}`).toBe(Math.sign(balance));
		}
		// The same figures in the table.
		const rows = page.getByTestId('dance-table').locator('tbody tr');
		await expect(rows).toHaveCount(2);
		await expect(rows.first().locator('th')).toContainText(couple.a.name);

		// How well they read each other, as the scoring module computes it.
		await expect(page.getByTestId('perception-overall')).toContainText(String(Math.round(couple.result.perception.overall!)));

		await page.waitForLoadState('networkidle');
		await expectAccessible(page, `shared view ${key}`);
		await captureSections(page, key);
		await page.context().close();
	});
}

test('notes, the discussed mark, the cycle and agreements are saved and seen by the partner', async ({ browser }) => {
	// Many round trips and two full sets of section screenshots on a shared 2-core machine.
	test.setTimeout(240_000);
	const couple = couples[0];
	const t = messages(couple.locale);
	const first = couple.result.collisions[0].situation;
	const a = await openAs(browser, couple.a, couple);

	const card = a.locator(`article[data-situation="${first}"]`);
	await card.getByLabel(t.shared_note_label).fill('Ik zoek je op, jij wilt eerst rust.');
	await card.getByRole('button', { name: t.shared_note_save }).click();
	await expect(card.getByRole('status')).toHaveText(t.shared_saved);
	await card.getByRole('button', { name: t.shared_discussed }).click();
	await expect(card.getByRole('button', { name: t.shared_discussed })).toHaveAttribute('aria-pressed', 'true');

	const cycle = a.getByTestId('cycle-a');
	await expect(cycle.locator('input').first()).not.toHaveValue('');
	await cycle.locator('input').last().fill('ga ik nog harder zoeken');
	await a.getByRole('button', { name: t.shared_cycle_save }).click();
	await expect(a.locator('#cycle').getByRole('status')).toHaveText(t.shared_saved);

	for (const body of ['Zeggen wanneer ik terugkom', 'Elke zondag even bijpraten']) {
		await a.getByLabel(t.shared_agree_new).fill(body);
		await a.getByRole('button', { name: t.shared_agree_add, exact: true }).click();
		await expect(a.getByTestId('agreements').getByText(body)).toBeVisible();
	}
	await a.getByRole('button', { name: t.shared_agree_up.replace('{body}', 'Elke zondag even bijpraten') }).click();
	await expect(a.getByTestId('agreements').locator('li').first()).toContainText('Elke zondag even bijpraten');
	await a.getByRole('button', { name: t.shared_agree_mark_done.replace('{body}', 'Zeggen wanneer ik terugkom') }).click();
	await expect(a.getByRole('button', { name: t.shared_agree_mark_open.replace('{body}', 'Zeggen wanneer ik terugkom') })).toHaveAttribute('aria-pressed', 'true');

	// The partner, on their own screen, sees all of it.
	const b = await openAs(browser, couple.b, couple, 390);
	const theirCard = b.locator(`article[data-situation="${first}"]`);
	await expect(theirCard.getByLabel(t.shared_note_label)).toHaveValue('Ik zoek je op, jij wilt eerst rust.');
	await expect(theirCard.getByRole('button', { name: t.shared_discussed })).toHaveAttribute('aria-pressed', 'true');
	await expect(b.getByTestId('cycle-a').locator('input').last()).toHaveValue('ga ik nog harder zoeken');
	await expect(b.getByTestId('agreements').locator('li')).toHaveCount(2);
	await expect(b.getByTestId('agreements').locator('li').first()).toContainText('Elke zondag even bijpraten');

	// Over time: this couple has two revealed rounds.
	await expect(b.getByTestId('over-time')).toBeVisible();
	await expect(b.getByTestId('over-time').locator('thead th')).toHaveCount(4);
	await b.waitForLoadState('networkidle');
	await expectAccessible(b, 'shared view with notes (phone)');
	await captureSections(b, 'filled-in');

	// `/shared` opens the newest revealed round; the earlier one stays reachable.
	await b.goto('/shared');
	await expect(b).toHaveURL(new RegExp(`/shared/${couple.roundId}$`));
	const earlier = await b.goto(`/shared/${earlierRound}`);
	expect(earlier?.status()).toBe(200);
	await a.context().close();
	await b.context().close();
});

test('a note and a cycle step typed before the page is hydrated are kept and saved', async ({ browser }) => {
	const couple = couples[2]; // the balanced couple: one collision, nothing saved by the test above
	const t = messages(couple.locale);
	const first = couple.result.collisions[0].situation;
	const page = await openAs(browser, couple.a, couple);
	// Hold the app's scripts back, as a slow phone would, and type into the server-rendered page.
	let release = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/_app/immutable/**', async (route) => {
		await held;
		await route.continue();
	});
	await page.goto(`/shared/${couple.roundId}`, { waitUntil: 'commit' });
	const note = page.locator(`article[data-situation="${first}"]`).getByLabel(t.shared_note_label);
	const step = page.getByTestId('cycle-b').locator('input').first();
	await note.fill('Typed before the scripts arrived');
	await step.fill('we both ask at once');
	release();
	await page.waitForLoadState('networkidle');
	await expect(note).toHaveValue('Typed before the scripts arrived');
	await expect(step).toHaveValue('we both ask at once');
	await page.getByRole('button', { name: t.shared_cycle_save }).click();
	await expect(page.locator('#cycle').getByRole('status')).toHaveText(t.shared_saved);
	await page.unroute('**/_app/immutable/**');
	await page.reload({ waitUntil: 'networkidle' });
	await expect(page.getByTestId('cycle-b').locator('input').first()).toHaveValue('we both ask at once');
	await page.context().close();
});

test('the whole view prints on A4 (Chromium PDF, pages as PNG)', async ({ browser }) => {
	const couple = couples[0];
	const page = await openAs(browser, couple.a, couple);
	await page.emulateMedia({ media: 'print' });
	await expect(page.getByRole('button', { name: messages(couple.locale).shared_print })).toBeHidden();
	await expect(page.locator('[data-testid="dance-map"]')).toBeVisible();
	const pdfPath = path.join(screenshotDir, '..', 'shared-view.pdf');
	const pdf = await page.pdf({ path: pdfPath, format: 'A4', printBackground: true, preferCSSPageSize: true });
	expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
	for (const file of readdirSync(screenshotDir).filter((f) => f.startsWith('shared-print-'))) rmSync(path.join(screenshotDir, file));
	execFileSync('pdftoppm', ['-png', '-r', '60', pdfPath, path.join(screenshotDir, 'shared-print')]);
	const pages = readdirSync(screenshotDir).filter((f) => f.startsWith('shared-print-'));
	expect(pages.length).toBeGreaterThanOrEqual(3);
	expect(pages.length).toBeLessThanOrEqual(12);
	await page.context().close();
});

test('a stranger and an ex-partner get a 404 page, not the couple’s view', async ({ browser }) => {
	const couple = couples[2];
	const t = messages('nl');
	const context = await browser.newContext({ locale: 'nl-NL' });
	const page = await context.newPage();
	await signInAt(page, stranger, '/space', labels(t));
	const response = await page.goto(`/shared/${couple.roundId}`);
	expect(response?.status()).toBe(404);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.error_not_found_title);
	await expect(page.getByText(couple.a.name)).toHaveCount(0);
	// `/shared` without a revealed round of one's own says there is nothing yet.
	await page.goto('/shared');
	await expect(page.getByText(t.shared_none_yet)).toBeVisible();
	await context.close();

	// The partner who leaves loses the view at once.
	const { error } = await couple.b.db.rpc('leave_couple');
	expect(error).toBeNull();
	const ex = await browser.newContext({ locale: 'nl-NL' });
	const exPage = await ex.newPage();
	await signInAt(exPage, couple.b, '/space', labels(t));
	const gone = await exPage.goto(`/shared/${couple.roundId}`);
	expect(gone?.status()).toBe(404);
	await expect(exPage.getByRole('heading', { level: 1 })).toHaveText(t.error_not_found_title);
	await ex.close();
});
