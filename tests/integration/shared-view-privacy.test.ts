import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';
import { linkCouple, signUp, type Person } from '../support/people.ts';

async function revealedRound(a: Person, b: Person): Promise<string> {
	const { data: roundId } = await a.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 2 });
	await b.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 2 });
	await a.db.rpc('submit_round', { round_id: roundId });
	const { data } = await b.db.rpc('submit_round', { round_id: roundId });
	if (data !== 'revealed') throw new Error('round not revealed');
	return roundId;
}

async function raw(runtime: LocalSupabase, person: Person, path: string, init: RequestInit = {}) {
	const response = await fetch(`${runtime.url}/rest/v1/${path}`, {
		...init,
		headers: { apikey: runtime.publishableKey, authorization: `Bearer ${person.accessToken}`, 'content-type': 'application/json', prefer: 'return=representation', ...(init.headers ?? {}) }
	});
	return { status: response.status, body: await response.json().catch(() => null) };
}

describe('shared view: notes, cycle and agreements belong to the couple alone', () => {
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
		roundId = await revealedRound(anna, bram);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('a note on an open round is refused: there is nothing to discuss before the reveal', async () => {
		const { data: open } = await anna.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 2 });
		const { error } = await anna.db.from('collision_notes').insert({ round_id: open, situation_id: 'after-conflict', body: 'te vroeg' });
		expect(error?.code).toBe('42501');
	});

	it('both partners write and read the note and the "we discussed this" mark; the author is stamped by the database', async () => {
		const insert = await anna.db.from('collision_notes').insert({ round_id: roundId, situation_id: 'after-conflict', body: 'Ik zoek je op, jij wilt rust.' }).select('updated_by').single();
		expect(insert.error).toBeNull();
		expect(insert.data?.updated_by).toBe(anna.id);
		const update = await bram.db
			.from('collision_notes')
			.update({ discussed_at: new Date().toISOString() })
			.eq('round_id', roundId)
			.eq('situation_id', 'after-conflict')
			.select('body, updated_by, discussed_at')
			.single();
		expect(update.data?.body).toBe('Ik zoek je op, jij wilt rust.');
		expect(update.data?.updated_by).toBe(bram.id);
		expect(update.data?.discussed_at).not.toBeNull();
	});

	it('both write the cycle and the agreements', async () => {
		const cycle = await anna.db.from('cycles').insert({ round_id: roundId, steps: { a: { trigger: 'stilte' } } });
		expect(cycle.error).toBeNull();
		const agreement = await bram.db.from('agreements').insert({ couple_id: coupleId, body: 'Zeggen wanneer ik terugkom', position: 1 }).select('id, created_by').single();
		expect(agreement.data?.created_by).toBe(bram.id);
		const tick = await anna.db.from('agreements').update({ done: true }).eq('id', agreement.data!.id).select('done').single();
		expect(tick.data?.done).toBe(true);
	});

	it('a stranger reads nothing and writes nothing, through supabase-js and raw REST', async () => {
		expect((await stranger.db.from('collision_notes').select('*')).data).toEqual([]);
		expect((await stranger.db.from('cycles').select('*')).data).toEqual([]);
		expect((await stranger.db.from('agreements').select('*')).data).toEqual([]);
		expect((await raw(runtime, stranger, `agreements?couple_id=eq.${coupleId}`)).body).toEqual([]);
		const write = await raw(runtime, stranger, 'agreements', { method: 'POST', body: JSON.stringify({ couple_id: coupleId, body: 'ingebroken' }) });
		expect(write.status).toBe(403);
		const note = await stranger.db.from('collision_notes').insert({ round_id: roundId, situation_id: 'x', body: 'ingebroken' });
		expect(note.error?.code).toBe('42501');
		const change = await raw(runtime, stranger, `collision_notes?round_id=eq.${roundId}`, { method: 'PATCH', body: JSON.stringify({ body: 'overschreven' }) });
		expect(change.body).toEqual([]);
		const gone = await raw(runtime, stranger, `agreements?couple_id=eq.${coupleId}`, { method: 'DELETE' });
		expect(gone.body).toEqual([]);
		expect((await anna.db.from('agreements').select('id')).data).toHaveLength(1);
	});

	it('a partner cannot forge who wrote a note', async () => {
		const forged = await anna.db.from('collision_notes').insert({ round_id: roundId, situation_id: 'decisions', body: 'x', updated_by: bram.id } as never);
		expect(forged.error?.code).toBe('42501');
	});

	it('an ex-partner loses access the moment they leave', async () => {
		expect((await bram.db.from('agreements').select('id')).data).toHaveLength(1);
		await bram.db.rpc('leave_couple');
		expect((await bram.db.from('agreements').select('*')).data).toEqual([]);
		expect((await bram.db.from('collision_notes').select('*')).data).toEqual([]);
		expect((await bram.db.from('cycles').select('*')).data).toEqual([]);
		expect((await raw(runtime, bram, `cycles?round_id=eq.${roundId}`)).body).toEqual([]);
		const write = await bram.db.from('agreements').insert({ couple_id: coupleId, body: 'nog even' });
		expect(write.error?.code).toBe('42501');
		// Anna keeps what the couple wrote.
		expect((await anna.db.from('collision_notes').select('situation_id')).data).toEqual([{ situation_id: 'after-conflict' }]);
	});
});
