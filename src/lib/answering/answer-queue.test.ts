import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnswerQueue, memoryStorage, type PendingAnswer } from './answer-queue.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const answer = (promptId: string, value: number, second = 0): PendingAnswer => ({ kind: 'answer', promptId, value, answeredAt: at(second) });

/** A pretend server: stores the newest answer per prompt, can be switched off. */
function server() {
	const stored = new Map<string, PendingAnswer>();
	let up = true;
	let calls = 0;
	return {
		stored,
		get calls() {
			return calls;
		},
		setUp(value: boolean) {
			up = value;
		},
		async send(batch: PendingAnswer[]) {
			calls += 1;
			await new Promise((r) => setTimeout(r, 1));
			if (!up) throw new Error('network down');
			for (const a of batch) {
				const key = `${a.kind}:${a.promptId}`;
				const old = stored.get(key);
				if (!old || old.answeredAt <= a.answeredAt) stored.set(key, a);
			}
		}
	};
}

describe('AnswerQueue', () => {
	it('sends an answer at once and reports saving, then saved', async () => {
		const api = server();
		const seen: string[] = [];
		const queue = new AnswerQueue({ send: api.send, onChange: (s) => seen.push(s) });
		queue.enqueue(answer('PUR-1', 6));
		expect(queue.status).toBe('saving');
		await queue.drained();
		expect(queue.status).toBe('saved');
		expect(api.stored.get('answer:PUR-1')?.value).toBe(6);
		expect(seen).toContain('saving');
		expect(seen.at(-1)).toBe('saved');
	});

	it('keeps answers while offline and delivers them when the connection returns', async () => {
		const api = server();
		api.setUp(false);
		const queue = new AnswerQueue({ send: api.send, retryDelays: [5] });
		queue.enqueue(answer('PUR-1', 2, 1));
		queue.enqueue(answer('WDR-1', 5, 2));
		await new Promise((r) => setTimeout(r, 30));
		expect(queue.status).toBe('offline');
		expect(queue.pendingCount).toBe(2);
		expect(api.stored.size).toBe(0);
		api.setUp(true);
		await queue.drained();
		expect(queue.status).toBe('saved');
		expect([...api.stored.values()].map((a) => [a.promptId, a.value]).sort()).toEqual([
			['PUR-1', 2],
			['WDR-1', 5]
		]);
		queue.destroy();
	});

	it('survives a reload: pending answers come back from storage and are sent', async () => {
		const storage = memoryStorage();
		const down = server();
		down.setUp(false);
		const first = new AnswerQueue({ send: down.send, storage, retryDelays: [10_000] });
		first.enqueue(answer('GIV-1', 7));
		await new Promise((r) => setTimeout(r, 20));
		first.destroy();
		expect(storage.load()).toHaveLength(1);

		const api = server();
		const second = new AnswerQueue({ send: api.send, storage });
		await second.drained();
		expect(api.stored.get('answer:GIV-1')?.value).toBe(7);
		expect(storage.load()).toHaveLength(0);
	});

	it('keeps only the newest answer per prompt and never lets an older one win', async () => {
		const api = server();
		api.setUp(false);
		const queue = new AnswerQueue({ send: api.send, retryDelays: [5] });
		queue.enqueue(answer('PUR-2', 3, 10));
		queue.enqueue(answer('PUR-2', 6, 20));
		queue.enqueue(answer('PUR-2', 1, 5)); // older than what is queued: ignored
		expect(queue.pendingCount).toBe(1);
		api.setUp(true);
		await queue.drained();
		expect(api.stored.get('answer:PUR-2')?.value).toBe(6);
		queue.destroy();
	});

	it('refuses a value outside 1–7', () => {
		const queue = new AnswerQueue({ send: async () => {} });
		expect(() => queue.enqueue(answer('PUR-1', 9))).toThrow(TypeError);
		queue.destroy();
	});

	it('whatever the order of answers and outages, the server ends with the newest answer per prompt', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.record({ prompt: fc.constantFrom('A', 'B', 'C'), value: fc.integer({ min: 1, max: 7 }), second: fc.integer({ min: 0, max: 50 }), down: fc.boolean() }), {
					minLength: 1,
					maxLength: 12
				}),
				async (steps) => {
					const api = server();
					const queue = new AnswerQueue({ send: api.send, retryDelays: [1] });
					const newest = new Map<string, { value: number; second: number }>();
					for (const step of steps) {
						api.setUp(!step.down);
						queue.enqueue(answer(step.prompt, step.value, step.second));
						const best = newest.get(step.prompt);
						if (!best || step.second >= best.second) newest.set(step.prompt, step);
						await new Promise((r) => setTimeout(r, 2));
					}
					api.setUp(true);
					await queue.drained();
					queue.destroy();
					for (const [prompt, best] of newest) {
						expect(api.stored.get(`answer:${prompt}`)?.answeredAt).toBe(at(best.second));
					}
					expect(api.stored.size).toBe(newest.size);
				}
			),
			{ numRuns: 40 }
		);
	});
});
