/**
 * The offline answer queue against a real runtime: answers given while the API is away
 * (the runtime stopped) wait in the queue and arrive once it is back (restarted on the
 * same ports and data folder), none lost, none doubled, the newest answer per prompt
 * winning; a late replay of an older batch changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startLocalSupabase, type LocalSupabase, type StartOptions } from '../../supabase/local/index.ts';
import { AnswerQueue, memoryStorage, type PendingAnswer, type SaveStatus } from '../../src/lib/answering/answer-queue.ts';
import { linkCouple, signUp, type Person } from '../support/people.ts';
import { repoRoot } from '../support/runtime.ts';

describe('the offline answer queue with the API away and back', () => {
	let dir: string;
	let options: StartOptions;
	let runtime: LocalSupabase | null = null;
	let anna: Person;
	let roundId: string;
	const statuses: SaveStatus[] = [];
	let queue: AnswerQueue;
	const sentBatches: PendingAnswer[][] = [];

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'answer-queue-'));
		options = {
			workdir: repoRoot,
			port: await freePort(),
			dbPort: await freePort(),
			mailboxPort: await freePort(),
			dataDir: path.join(dir, 'db'),
			databaseUrl: '',
			seed: false
		};
		runtime = await startLocalSupabase(options);
		const bram = await signUp(runtime, 'Bram');
		anna = await signUp(runtime, 'Anna');
		await linkCouple(anna, bram);
		const { data, error } = await anna.db.rpc('start_round', { instrument_version: 'test-1', prompt_count: 60 });
		if (error) throw error;
		roundId = data as string;
		queue = new AnswerQueue({
			storage: memoryStorage(),
			retryDelays: [100, 200, 400],
			onChange: (status) => statuses.push(status),
			send: async (batch) => {
				const { error: saveError } = await anna.db.rpc('save_answers', { round_id: roundId, answers: batch });
				if (saveError) throw new Error(saveError.message);
				sentBatches.push(batch);
			}
		});
	}, 120_000);

	afterAll(async () => {
		queue?.destroy();
		await runtime?.stop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	const stamp = (offsetMs: number) => new Date(Date.parse('2026-11-24T12:00:00Z') + offsetMs).toISOString();
	const stored = async () => {
		const { data, error } = await anna.db.from('answers').select('prompt_id, value').eq('round_id', roundId).eq('kind', 'answer').order('prompt_id');
		if (error) throw error;
		return Object.fromEntries(data.map((row) => [row.prompt_id, row.value]));
	};

	it('saves at once while the API is there', async () => {
		for (let i = 0; i < 5; i += 1) queue.enqueue({ kind: 'answer', promptId: `p${i}`, value: 4, answeredAt: stamp(i) });
		await queue.drained();
		expect(queue.status).toBe('saved');
		expect(Object.keys(await stored())).toHaveLength(5);
	});

	it('keeps answers given while the API is away and sends them, once each, when it returns', { timeout: 120_000 }, async () => {
		await runtime!.stop();
		runtime = null;
		// Offline: twenty new answers, one prompt answered twice, one earlier answer cleared.
		for (let i = 5; i < 25; i += 1) queue.enqueue({ kind: 'answer', promptId: `p${i}`, value: (i % 7) + 1, answeredAt: stamp(1000 + i) });
		queue.enqueue({ kind: 'answer', promptId: 'p7', value: 1, answeredAt: stamp(5000) });
		queue.enqueue({ kind: 'answer', promptId: 'p0', value: null, answeredAt: stamp(5001) });
		await expect.poll(() => queue.status, { timeout: 10_000 }).toBe('offline');
		expect(queue.pendingCount).toBe(21);

		runtime = await startLocalSupabase(options);
		await queue.drained();
		expect(queue.status).toBe('saved');
		expect(queue.pendingCount).toBe(0);

		const expected: Record<string, number> = {};
		for (let i = 1; i < 5; i += 1) expected[`p${i}`] = 4;
		for (let i = 5; i < 25; i += 1) expected[`p${i}`] = (i % 7) + 1;
		expected.p7 = 1;
		expect(await stored()).toEqual(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))));
		const { data: progress } = await anna.db.from('round_participants').select('answered_count').eq('round_id', roundId).eq('user_id', anna.id).single();
		expect(progress?.answered_count).toBe(24);
		expect(statuses).toContain('offline');
	});

	it('ignores an older batch arriving late (a retry after a newer answer)', async () => {
		const before = await stored();
		const late = sentBatches.flat().filter((a) => a.promptId === 'p7' || a.promptId === 'p3').map((a) => ({ ...a, value: 6, answeredAt: stamp(-1) }));
		const { error } = await anna.db.rpc('save_answers', { round_id: roundId, answers: late });
		expect(error).toBeNull();
		expect(await stored()).toEqual(before);
	});
});
