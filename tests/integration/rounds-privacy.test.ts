import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';
import { linkCouple, signUp, type Person } from '../support/people.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s)).toISOString();
const ans = (promptId: string, value: number | null, second = 0, kind = 'answer') => ({ kind, promptId, value, answeredAt: at(second) });

/** Raw PostgREST read, as a script would do it without supabase-js. */
async function rawRead(runtime: LocalSupabase, person: Person, path: string) {
	const response = await fetch(`${runtime.url}/rest/v1/${path}`, {
		headers: { apikey: runtime.publishableKey, authorization: `Bearer ${person.accessToken}` }
	});
	return { status: response.status, body: await response.json() };
}

describe('rounds: answers stay private until both partners submitted', () => {
	let runtime: LocalSupabase;
	let anna: Person;
	let bram: Person;
	let stranger: Person;
	let coupleId: string;
	let roundId: string;

	beforeAll(async () => {
		runtime = await startTestRuntime();
		[anna, bram, stranger] = await Promise.all([signUp(runtime, 'Anna'), signUp(runtime, 'Bram'), signUp(runtime, 'Stranger')]);
		coupleId = await linkCouple(anna, bram);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('both partners start the same open round', async () => {
		const a = await anna.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 3 });
		const b = await bram.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 3 });
		expect(a.error).toBeNull();
		expect(b.data).toBe(a.data);
		roundId = a.data;
	});

	it('a stranger cannot start a round, nor see the couple\'s rounds or progress', async () => {
		const started = await stranger.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 3 });
		expect(started.error?.message).toBe('not_in_couple');
		expect((await stranger.db.from('rounds').select('id')).data).toEqual([]);
		expect((await stranger.db.from('round_participants').select('*')).data).toEqual([]);
	});

	it('saves answers, and the author reads them back', async () => {
		const { data, error } = await anna.db.rpc('save_answers', {
			round_id: roundId,
			answers: [ans('PUR-1', 6), ans('WDR-1', 2), ans('PUR-1', 5, 0, 'prediction')]
		});
		expect(error).toBeNull();
		expect(data).toBe(2);
		const own = await anna.db.from('answers').select('prompt_id, kind, value').order('prompt_id');
		expect(own.data).toEqual([
			{ prompt_id: 'PUR-1', kind: 'answer', value: 6 },
			{ prompt_id: 'PUR-1', kind: 'prediction', value: 5 },
			{ prompt_id: 'WDR-1', kind: 'answer', value: 2 }
		]);
	});

	it('the partner sees the progress count but not one answer before the reveal (supabase-js and raw REST)', async () => {
		const progress = await bram.db.from('round_participants').select('user_id, answered_count, predicted_count, submitted_at').eq('user_id', anna.id);
		expect(progress.data).toEqual([{ user_id: anna.id, answered_count: 2, predicted_count: 1, submitted_at: null }]);
		expect((await bram.db.from('answers').select('*').eq('user_id', anna.id)).data).toEqual([]);
		const raw = await rawRead(runtime, bram, `answers?user_id=eq.${anna.id}&select=*`);
		expect(raw).toEqual({ status: 200, body: [] });
		const viaFilterGames = await rawRead(runtime, bram, `answers?or=(user_id.eq.${anna.id},value.gte.1)&select=value`);
		expect(viaFilterGames.body).toEqual([]);
	});

	it('the private functions behind the API cannot be called over REST', async () => {
		const response = await fetch(`${runtime.url}/rest/v1/rpc/can_read_partner_content`, {
			method: 'POST',
			headers: { apikey: runtime.publishableKey, authorization: `Bearer ${bram.accessToken}`, 'content-type': 'application/json' },
			body: JSON.stringify({ p_round_id: roundId, p_author: anna.id })
		});
		expect(response.status).toBe(404);
	});

	it('an older answer arriving late never overwrites a newer one, and a retried batch is not doubled', async () => {
		await anna.db.rpc('save_answers', { round_id: roundId, answers: [ans('GIV-1', 7, 30)] });
		await anna.db.rpc('save_answers', { round_id: roundId, answers: [ans('GIV-1', 1, 10)] });
		await anna.db.rpc('save_answers', { round_id: roundId, answers: [ans('GIV-1', 7, 30)] });
		const rows = await anna.db.from('answers').select('value').eq('prompt_id', 'GIV-1').eq('kind', 'answer');
		expect(rows.data).toEqual([{ value: 7 }]);
	});

	it('a bad batch is refused whole: nothing of it is written', async () => {
		const { error } = await anna.db.rpc('save_answers', { round_id: roundId, answers: [ans('ABF-1', 4), ans('ABF-2', 9)] });
		expect(error?.message).toBe('invalid_answers');
		const rows = await anna.db.from('answers').select('prompt_id').like('prompt_id', 'ABF-%');
		expect(rows.data).toEqual([]);
	});

	it('the partner cannot write into someone else\'s answers', async () => {
		// Bram saves into the round: only his own rows are touched, whatever he sends.
		await bram.db.rpc('save_answers', { round_id: roundId, answers: [ans('PUR-1', 1)] });
		const annas = await anna.db.from('answers').select('value').eq('prompt_id', 'PUR-1').eq('kind', 'answer');
		expect(annas.data).toEqual([{ value: 6 }]);
		const direct = await bram.db.from('answers').insert({ round_id: roundId, user_id: anna.id, kind: 'answer', prompt_id: 'X', value: 1, answered_at: at(0) });
		expect(direct.error?.code).toBe('42501');
	});

	it('after submitting, answers can no longer change (the database refuses it)', async () => {
		const { data } = await anna.db.rpc('submit_round', { round_id: roundId });
		expect(data).toBe('submitted');
		const late = await anna.db.rpc('save_answers', { round_id: roundId, answers: [ans('PUR-1', 1, 59)] });
		expect(late.error?.message).toBe('round_submitted');
		const again = await anna.db.rpc('submit_round', { round_id: roundId });
		expect(again.error?.message).toBe('round_submitted');
		// Still hidden from Bram: he has not submitted.
		expect((await bram.db.from('answers').select('*').eq('user_id', anna.id)).data).toEqual([]);
	});

	it('when the second partner submits, the round is revealed and each reads the other\'s answers', async () => {
		const { data } = await bram.db.rpc('submit_round', { round_id: roundId });
		expect(data).toBe('revealed');
		const round = await anna.db.from('rounds').select('revealed_at').eq('id', roundId).single();
		expect(round.data?.revealed_at).not.toBeNull();
		const annasForBram = await bram.db.from('answers').select('prompt_id, value').eq('user_id', anna.id).eq('kind', 'answer').order('prompt_id');
		expect(annasForBram.data).toEqual([
			{ prompt_id: 'GIV-1', value: 7 },
			{ prompt_id: 'PUR-1', value: 6 },
			{ prompt_id: 'WDR-1', value: 2 }
		]);
		const raw = await rawRead(runtime, bram, `answers?user_id=eq.${anna.id}&kind=eq.prediction&select=value`);
		expect(raw.body).toEqual([{ value: 5 }]);
		// …and still nothing for the stranger.
		expect((await stranger.db.from('answers').select('*')).data).toEqual([]);
	});

	it('private reflections stay with their author unless shared', async () => {
		const next = await anna.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 3 });
		expect(next.data).not.toBe(roundId);
		await bram.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 3 });
		await anna.db.rpc('save_reflection', { round_id: next.data, prompt_id: 'REF-1', body: 'alleen voor mij', shared: false });
		await anna.db.rpc('save_reflection', { round_id: next.data, prompt_id: 'REF-2', body: 'dit mag je lezen', shared: true });
		await anna.db.rpc('submit_round', { round_id: next.data });
		await bram.db.rpc('submit_round', { round_id: next.data });
		const forBram = await bram.db.from('reflections').select('prompt_id, body').eq('user_id', anna.id);
		expect(forBram.data).toEqual([{ prompt_id: 'REF-2', body: 'dit mag je lezen' }]);
		const forAnna = await anna.db.from('reflections').select('prompt_id').order('prompt_id');
		expect(forAnna.data).toEqual([{ prompt_id: 'REF-1' }, { prompt_id: 'REF-2' }]);
	});

	it('leaving the couple ends the other\'s access to the leaver\'s answers at once', async () => {
		expect((await anna.db.from('answers').select('value').eq('user_id', bram.id)).data?.length).toBeGreaterThan(0);
		const { error } = await bram.db.rpc('leave_couple');
		expect(error).toBeNull();
		expect((await anna.db.from('answers').select('value').eq('user_id', bram.id)).data).toEqual([]);
		expect((await bram.db.from('answers').select('value').eq('user_id', anna.id)).data).toEqual([]);
		expect((await bram.db.from('rounds').select('id')).data).toEqual([]);
		expect(coupleId).toBeTruthy();
	});
});
