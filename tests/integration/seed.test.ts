import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { demoCouples } from '../../src/lib/scoring/fixtures.ts';
import { scoreCouple } from '../../src/lib/scoring/index.ts';
import { instrument } from '../../src/lib/instrument/index.ts';
import { demoRoundSql, SEED_MARKER, DEMO_ROUND_ID, ANNA, BEN } from '../../scripts/seed-answers.ts';
import { client, repoRoot, startTestRuntime } from '../support/runtime.ts';

describe('the demo seed', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startTestRuntime();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('seed.sql holds exactly what scripts/seed-answers.ts generates from the fixtures', () => {
		const seed = readFileSync(path.join(repoRoot, 'supabase', 'seed.sql'), 'utf8');
		expect(seed.slice(seed.indexOf(SEED_MARKER))).toBe(demoRoundSql());
	});

	it('the demo partners sign in and see a revealed round whose figures are the fixture\'s', async () => {
		const anna = client(runtime);
		const { error } = await anna.auth.signInWithPassword({ email: 'anna@samenspel.test', password: 'samenspel-demo' });
		expect(error).toBeNull();
		const round = await anna.from('rounds').select('id, revealed_at, instrument_version').single();
		expect(round.data?.id).toBe(DEMO_ROUND_ID);
		expect(round.data?.revealed_at).not.toBeNull();
		const { data: rows } = await anna.from('answers').select('user_id, kind, prompt_id, value').eq('round_id', DEMO_ROUND_ID);
		const pick = (user: string, kind: string) =>
			Object.fromEntries((rows ?? []).filter((r) => r.user_id === user && r.kind === kind).map((r) => [r.prompt_id, r.value]));
		const fromDb = scoreCouple({ a: { answers: pick(ANNA, 'answer'), predictions: pick(ANNA, 'prediction') }, b: { answers: pick(BEN, 'answer'), predictions: pick(BEN, 'prediction') } }, instrument);
		const expected = scoreCouple(demoCouples.pursueWithdraw, instrument);
		expect(fromDb).toEqual(expected);
		expect(fromDb.dance.type).toBe('pursue-withdraw');
	});
});
