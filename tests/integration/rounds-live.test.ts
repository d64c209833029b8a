import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';
import { linkCouple, signUp, type Person } from '../support/people.ts';

/** Joins `topic` as `person`; resolves with the status realtime-js reports (bounded). */
function join(person: Person, topic: string, onEvent?: (event: string, payload: Record<string, unknown>) => void) {
	void person.db.realtime.setAuth(person.accessToken);
	const channel = person.db.channel(topic, { config: { private: true } });
	if (onEvent) {
		channel.on('broadcast', { event: 'progress' }, ({ payload }) => onEvent('progress', payload));
		channel.on('broadcast', { event: 'revealed' }, ({ payload }) => onEvent('revealed', payload));
	}
	return new Promise<{ channel: RealtimeChannel; status: string; error?: string }>((resolve) => {
		const timer = setTimeout(() => resolve({ channel, status: 'NO_ANSWER' }), 8000);
		channel.subscribe((status, error) => {
			if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR') {
				clearTimeout(timer);
				resolve({ channel, status, error: error?.message });
			}
		});
	});
}

function waitFor<T>(events: T[], predicate: (e: T) => boolean, ms = 5000): Promise<T> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			const hit = events.find(predicate);
			if (hit) return resolve(hit);
			if (Date.now() - started > ms) return reject(new Error('event did not arrive in time'));
			setTimeout(tick, 20);
		};
		tick();
	});
}

describe('rounds: live progress and the reveal over the couple channel', () => {
	let runtime: LocalSupabase;
	let anna: Person;
	let bram: Person;
	let stranger: Person;
	let coupleId: string;
	const seenByBram: { event: string; payload: Record<string, unknown> }[] = [];
	const seenByAnna: { event: string; payload: Record<string, unknown> }[] = [];

	beforeAll(async () => {
		runtime = await startTestRuntime();
		[anna, bram, stranger] = await Promise.all([signUp(runtime, 'Anna'), signUp(runtime, 'Bram'), signUp(runtime, 'Stranger')]);
		coupleId = await linkCouple(anna, bram);
	});
	afterAll(async () => {
		for (const p of [anna, bram, stranger]) await p?.db.removeAllChannels();
		await runtime?.stop();
	});

	it('partners may join the couple topic; a stranger is refused', async () => {
		const b = await join(bram, `couple:${coupleId}`, (event, payload) => seenByBram.push({ event, payload }));
		const a = await join(anna, `couple:${coupleId}`, (event, payload) => seenByAnna.push({ event, payload }));
		expect(b.status).toBe('SUBSCRIBED');
		expect(a.status).toBe('SUBSCRIBED');
		const s = await join(stranger, `couple:${coupleId}`);
		expect(s.status).toBe('CHANNEL_ERROR');
		await stranger.db.removeAllChannels();
	});

	it('the partner sees the count move when an answer is saved, never its content', async () => {
		const { data: roundId } = await anna.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 40 });
		await anna.db.rpc('save_answers', {
			round_id: roundId,
			answers: [{ kind: 'answer', promptId: 'PUR-1', value: 7, answeredAt: new Date().toISOString() }]
		});
		const progress = await waitFor(seenByBram, (e) => e.event === 'progress' && e.payload.answered === 1);
		expect(progress.payload).toMatchObject({ userId: anna.id, roundId, answered: 1, total: 40, submittedAt: null });
		expect(JSON.stringify(progress.payload)).not.toContain('PUR-1');
	});

	it('both screens hear "revealed" when the second partner submits', async () => {
		const { data: roundId } = await bram.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 40 });
		await anna.db.rpc('submit_round', { round_id: roundId });
		await bram.db.rpc('submit_round', { round_id: roundId });
		const forAnna = await waitFor(seenByAnna, (e) => e.event === 'revealed');
		const forBram = await waitFor(seenByBram, (e) => e.event === 'revealed');
		expect(forAnna.payload).toMatchObject({ roundId });
		expect(forBram.payload).toMatchObject({ roundId });
	});
});
