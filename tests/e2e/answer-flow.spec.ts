/**
 * The questionnaire end to end: Anna (Dutch) and Ben (English) in two browsers. Anna
 * answers the whole questionnaire with the keyboard only (digits and Enter, through the
 * main pass and the guesses), while Ben's screen follows her progress live; Ben's
 * answers go in fast through the same `save_answers` RPC the app uses. Before both have
 * submitted neither can read the other's answers; when Ben submits, both screens move
 * to the results without a reload, and the figures shown are the scoring module's for
 * the answers given. Every new page is scanned with axe-core and photographed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { instrument, mainPass, predictionPass, SCALE_KEYS } from '../../src/lib/instrument/index.ts';
import { demoCouples } from '../../src/lib/scoring/fixtures.ts';
import { scoreCouple, type PartnerAnswers } from '../../src/lib/scoring/index.ts';
import { linkPartners, signInAt, signUpPerson, type E2EPerson } from './shared-support.ts';
import { visit } from './support.ts';

type Messages = Record<string, string>;
const messages = (locale: string): Messages => JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../messages/${locale}.json`), 'utf8'));
const nl = messages('nl');
const en = messages('en');
const labels = (t: Messages) => ({ email: t.field_email, password: t.field_password, submit: t.sign_in_submit });
const answersOf = (part: PartnerAnswers) => part.answers as Record<string, number>;
const annaValue = (id: string) => answersOf(annaAnswers)[id];
const { a: annaAnswers, b: benAnswers } = demoCouples.pursueWithdraw;

/** What the partner's progress line says on `page` (data attributes, language-free). */
const partnerAnswered = (page: Page) => page.getByTestId('partner-progress').getAttribute('data-answered').then(Number);

async function readAnswersOf(reader: E2EPerson, author: E2EPerson, roundId: string) {
	const { data, error } = await reader.db.from('answers').select('prompt_id, value').eq('round_id', roundId).eq('user_id', author.id).eq('kind', 'answer');
	expect(error).toBeNull();
	return data ?? [];
}

test('two partners answer, follow each other live and land on the results together', async ({ browser }) => {
	test.setTimeout(300_000);
	const anna = await signUpPerson('Anna', 'nl');
	const ben = await signUpPerson('Ben', 'en');
	await linkPartners(anna, ben);

	const annaContext = await browser.newContext({ locale: 'nl' });
	const benContext = await browser.newContext({ locale: 'en' });
	const annaPage = await annaContext.newPage();
	const benPage = await benContext.newPage();
	await signInAt(annaPage, anna, '/answer', labels(nl));
	await signInAt(benPage, ben, '/answer', labels(en));

	// Both see the intro; Ben sees Anna is online.
	await expect(annaPage.getByTestId('intro')).toBeVisible();
	await visit(annaPage, 'answer-intro');
	await expect(benPage.getByTestId('partner-online')).toHaveAttribute('data-online', 'yes');

	// Anna begins; from here on only the keyboard.
	await annaPage.getByRole('button', { name: nl.answer_begin }).focus();
	await annaPage.keyboard.press('Enter');
	await expect(annaPage.getByTestId('prompt')).toBeVisible();
	await expect(benPage.getByTestId('partner-progress')).toHaveAttribute('data-answered', '0');

	// Marks Ben's page: a reload would lose it.
	await benPage.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
	await annaPage.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

	const main = mainPass();
	const seenByBen: number[] = [];
	for (let i = 0; i < main.length; i += 1) {
		const prompt = annaPage.getByTestId('prompt');
		await expect(prompt).toHaveAttribute('data-prompt-id', main[i].id);
		if (i === 1) await visit(annaPage, 'answer-prompt');
		await annaPage.keyboard.press(String(annaValue(main[i].id)));
		await annaPage.keyboard.press('Enter');
		// Ben's screen follows along while Anna answers (checked on a few answers).
		if (i === 4 || i === 20) {
			await expect.poll(() => partnerAnswered(benPage)).toBe(i + 1);
			seenByBen.push(i + 1);
		}
	}
	expect(seenByBen).toEqual([5, 21]);
	await expect.poll(() => partnerAnswered(benPage)).toBe(main.length);

	// The guesses, still by keyboard.
	const guesses = predictionPass();
	for (let i = 0; i < guesses.length; i += 1) {
		await expect(annaPage.getByTestId('prompt')).toHaveAttribute('data-prompt-id', guesses[i].id);
		await expect(annaPage.getByTestId('prompt')).toHaveAttribute('data-pass', 'prediction');
		if (i === 0) await visit(annaPage, 'answer-guess');
		const guess = annaAnswers.predictions?.[guesses[i].id];
		await annaPage.keyboard.press(String(guess ?? 4));
		await annaPage.keyboard.press('Enter');
	}
	await expect(annaPage.getByTestId('reflections')).toBeVisible();
	await visit(annaPage, 'answer-reflections');
	await annaPage.getByRole('button', { name: nl.answer_to_review }).focus();
	await annaPage.keyboard.press('Enter');
	await expect(annaPage.getByTestId('review')).toBeVisible();
	await expect(annaPage.getByTestId('missing')).toHaveCount(0);
	await expect(annaPage.getByTestId('save-state')).toHaveAttribute('data-status', 'saved');
	await visit(annaPage, 'answer-review');

	// Ben answers fast through the same RPC, then opens the review on his screen.
	const { data: benRound, error: startError } = await ben.db.rpc('start_round', { instrument_version: instrument.version, prompt_count: main.length });
	expect(startError).toBeNull();
	const answeredAt = new Date().toISOString();
	const benItems = [
		...Object.entries(answersOf(benAnswers)).map(([promptId, value]) => ({ kind: 'answer', promptId, value, answeredAt })),
		...Object.entries(benAnswers.predictions ?? {}).map(([promptId, value]) => ({ kind: 'prediction', promptId, value, answeredAt }))
	];
	const saved = await ben.db.rpc('save_answers', { round_id: benRound, answers: benItems });
	expect(saved.error).toBeNull();
	await benPage.reload();
	await expect(benPage.getByTestId('review')).toBeVisible();
	await benPage.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

	// Anna submits by keyboard and waits; Ben sees she has submitted.
	await annaPage.getByTestId('submit').focus();
	await annaPage.keyboard.press('Enter');
	await expect(annaPage.getByTestId('waiting')).toBeVisible();
	await expect(benPage.getByTestId('partner-progress')).toHaveAttribute('data-submitted', 'yes');
	await visit(annaPage, 'answer-waiting');
	await annaPage.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

	// Before both submitted: neither reads the other's answers, only their own.
	expect(await readAnswersOf(ben, anna, benRound as string)).toEqual([]);
	expect(await readAnswersOf(anna, ben, benRound as string)).toEqual([]);
	expect((await readAnswersOf(anna, anna, benRound as string)).length).toBe(main.length);

	// Ben submits: both screens move to the results, without a reload.
	await benPage.getByTestId('submit').click();
	await Promise.all([annaPage.waitForURL(`**/results/${benRound}`), benPage.waitForURL(`**/results/${benRound}`)]);
	for (const page of [annaPage, benPage]) {
		await expect(page.getByTestId('dance')).toBeVisible();
		expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
	}
	expect((await readAnswersOf(ben, anna, benRound as string)).length).toBe(main.length);

	// The figures are the scoring module's, each viewer being partner a.
	const forAnna = scoreCouple({ a: annaAnswers, b: benAnswers });
	const forBen = scoreCouple({ a: benAnswers, b: annaAnswers });
	for (const [page, result] of [[annaPage, forAnna], [benPage, forBen]] as const) {
		await expect(page.getByTestId('dance')).toHaveAttribute('data-dance', result.dance.type ?? 'unknown');
		for (const who of ['a', 'b'] as const) {
			for (const key of SCALE_KEYS) {
				const score = result[who].scales[key].score;
				await expect(page.getByTestId(`figure-${who}-${key}`)).toHaveText(score === null ? '–' : String(Math.round(score)));
			}
			await expect(page.getByTestId(`figure-${who}-stance`)).toHaveText(String(Math.round(result[who].stance!)));
		}
		const top = result.collisions.slice(0, 3).map((c) => c.situation);
		await expect(page.getByTestId('collision')).toHaveCount(top.length);
		expect(await page.getByTestId('collision').evaluateAll((items) => items.map((li) => li.getAttribute('data-situation')))).toEqual(top);
	}
	await visit(annaPage, 'results');
	await visit(benPage, 'results-en');

	await annaPage.goto('/about');
	await visit(annaPage, 'about');
	await annaPage.goto('/how-we-calculate');
	await expect(annaPage.getByTestId('figure-explanation').first()).toBeVisible();
	await visit(annaPage, 'how-we-calculate');

	await annaContext.close();
	await benContext.close();
});
