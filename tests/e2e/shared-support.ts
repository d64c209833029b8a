/**
 * Couples with revealed rounds for the shared-view tests, made through supabase-js
 * against the e2e runtime exactly as the app does it: sign up two people, link them,
 * start a round, save the demo answers of `src/lib/scoring/fixtures.ts` with the
 * `save_answers` RPC, submit both.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Page } from '@playwright/test';
import { INSTRUMENT_VERSION, mainPass } from '../../src/lib/instrument/index.ts';
import type { CoupleAnswers, PartnerAnswers } from '../../src/lib/scoring/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from '../../supabase/local/keys.ts';
import { uniqueEmail } from './support.ts';

export const PASSWORD = 'a calm long password';

export interface E2EPerson {
	id: string;
	email: string;
	name: string;
	db: SupabaseClient;
}

function apiClient(): SupabaseClient {
	return createClient(`http://127.0.0.1:${process.env.E2E_API_PORT}`, DEFAULT_PUBLISHABLE_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
}

export async function signUpPerson(name: string, language: 'nl' | 'en'): Promise<E2EPerson> {
	const db = apiClient();
	const email = uniqueEmail(name.toLowerCase());
	const { data, error } = await db.auth.signUp({ email, password: PASSWORD, options: { data: { display_name: name, language } } });
	if (error || !data.user || !data.session) throw new Error(`sign-up of ${name}: ${error?.message ?? 'no session'}`);
	return { id: data.user.id, email, name, db };
}

export async function linkPartners(a: E2EPerson, b: E2EPerson): Promise<string> {
	const { data: coupleId, error } = await a.db.rpc('create_couple');
	if (error) throw new Error(`create_couple: ${error.message}`);
	const { data: invite, error: inviteError } = await a.db.rpc('issue_couple_invite', { couple_id: coupleId });
	if (inviteError) throw new Error(`issue_couple_invite: ${inviteError.message}`);
	const token = (Array.isArray(invite) ? invite[0] : invite).token as string;
	const { error: acceptError } = await b.db.rpc('accept_couple_invite', { token });
	if (acceptError) throw new Error(`accept_couple_invite: ${acceptError.message}`);
	return coupleId as string;
}

function payload(part: PartnerAnswers) {
	const answeredAt = new Date().toISOString();
	const rows = (kind: 'answer' | 'prediction', set: PartnerAnswers['answers'] | undefined) =>
		Object.entries(set ?? {}).map(([promptId, value]) => ({ kind, promptId, value, answeredAt }));
	return [...rows('answer', part.answers), ...rows('prediction', part.predictions)];
}

/** Both partners answer one round with `answers` (a's part for `a`) and submit it; returns the round id once revealed. */
export async function revealRound(a: E2EPerson, b: E2EPerson, answers: CoupleAnswers): Promise<string> {
	const { data: roundId, error } = await a.db.rpc('start_round', { instrument_version: INSTRUMENT_VERSION, prompt_count: mainPass().length });
	if (error) throw new Error(`start_round: ${error.message}`);
	const joined = await b.db.rpc('start_round', { instrument_version: INSTRUMENT_VERSION, prompt_count: mainPass().length });
	if (joined.error || joined.data !== roundId) throw new Error(`start_round (b): ${joined.error?.message ?? 'another round'}`);
	for (const [person, part] of [[a, answers.a], [b, answers.b]] as const) {
		const saved = await person.db.rpc('save_answers', { round_id: roundId, answers: payload(part) });
		if (saved.error) throw new Error(`save_answers: ${saved.error.message}`);
	}
	await a.db.rpc('submit_round', { round_id: roundId });
	const { data: state, error: submitError } = await b.db.rpc('submit_round', { round_id: roundId });
	if (submitError || state !== 'revealed') throw new Error(`submit_round: ${submitError?.message ?? state}`);
	return roundId as string;
}

/** Signs in through the app's own sign-in page and lands on `path`. */
export async function signInAt(page: Page, person: E2EPerson, path: string, labels: { email: string; password: string; submit: string }): Promise<void> {
	// Wait for the page to settle (hydrated) so the click submits the form it enhances.
	await page.goto(`/sign-in?redirectTo=${encodeURIComponent(path)}`, { waitUntil: 'networkidle' });
	await page.getByLabel(labels.email).fill(person.email);
	await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: labels.submit }).click();
	await page.waitForURL((url) => url.pathname === path, { timeout: 60_000 });
}
