/**
 * The offline-tolerant answer queue. Every answer is saved at once; when the network or
 * the API is away, answers wait here (persisted, so a reload keeps them) and are sent
 * when it returns. Per prompt only the newest answer is kept, and each carries the time
 * it was given, so the server can ignore an older answer arriving late: none lost, none
 * doubled, none overwritten by an older one.
 */

export type AnswerKind = 'answer' | 'prediction';

export interface PendingAnswer {
	kind: AnswerKind;
	promptId: string;
	/** 1–7, or null when the person cleared it. */
	value: number | null;
	/** When the person gave it (ISO 8601, client clock). */
	answeredAt: string;
}

export type SaveStatus = 'saved' | 'saving' | 'offline';

/** Where pending answers survive a reload (localStorage in the browser). */
export interface QueueStorage {
	load(): PendingAnswer[];
	save(items: PendingAnswer[]): void;
}

export interface AnswerQueueOptions {
	/** Sends a batch; resolves when the server stored it, rejects when it could not. */
	send(batch: PendingAnswer[]): Promise<void>;
	storage?: QueueStorage;
	/** Called whenever the status or the pending count changes. */
	onChange?(status: SaveStatus, pending: number): void;
	/** Waits between retries, in ms; the last one repeats. Default 500, 1 000, 2 000, 5 000. */
	retryDelays?: number[];
	/** Largest batch sent at once. Default 50. */
	batchSize?: number;
	/** Timer functions (tests pass their own). */
	setTimer?: (fn: () => void, ms: number) => unknown;
	clearTimer?: (handle: unknown) => void;
}

const keyOf = (a: Pick<PendingAnswer, 'kind' | 'promptId'>) => `${a.kind}:${a.promptId}`;

/** A storage that keeps nothing across reloads (server-side rendering, tests). */
export function memoryStorage(initial: PendingAnswer[] = []): QueueStorage {
	let items = [...initial];
	return { load: () => [...items], save: (next) => void (items = [...next]) };
}

/** localStorage under one key per round and person; invalid content is dropped. */
export function localStorageFor(key: string): QueueStorage {
	return {
		load() {
			try {
				const parsed = JSON.parse(globalThis.localStorage?.getItem(key) ?? '[]');
				return Array.isArray(parsed) ? parsed.filter(isPendingAnswer) : [];
			} catch {
				return [];
			}
		},
		save(items) {
			try {
				if (items.length === 0) globalThis.localStorage?.removeItem(key);
				else globalThis.localStorage?.setItem(key, JSON.stringify(items));
			} catch {
				/* storage full or blocked: the in-memory queue still holds them */
			}
		}
	};
}

export function isPendingAnswer(x: unknown): x is PendingAnswer {
	if (!x || typeof x !== 'object') return false;
	const a = x as Record<string, unknown>;
	return (
		(a.kind === 'answer' || a.kind === 'prediction') &&
		typeof a.promptId === 'string' &&
		(a.value === null || (typeof a.value === 'number' && Number.isInteger(a.value) && a.value >= 1 && a.value <= 7)) &&
		typeof a.answeredAt === 'string' &&
		!Number.isNaN(Date.parse(a.answeredAt))
	);
}

export class AnswerQueue {
	#pending = new Map<string, PendingAnswer>();
	#inFlight = new Map<string, PendingAnswer>();
	#status: SaveStatus = 'saved';
	#attempt = 0;
	#timer: unknown = null;
	#flushing: Promise<void> | null = null;
	#destroyed = false;
	readonly #options: Required<Omit<AnswerQueueOptions, 'storage' | 'onChange'>> & Pick<AnswerQueueOptions, 'storage' | 'onChange'>;

	constructor(options: AnswerQueueOptions) {
		this.#options = {
			retryDelays: [500, 1000, 2000, 5000],
			batchSize: 50,
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
			...options
		};
		for (const item of options.storage?.load() ?? []) this.#pending.set(keyOf(item), item);
		if (this.#pending.size > 0) this.#schedule(0);
	}

	get status(): SaveStatus {
		return this.#status;
	}

	/** Answers not yet confirmed by the server (waiting or being sent). */
	get pendingCount(): number {
		const keys = new Set([...this.#pending.keys(), ...this.#inFlight.keys()]);
		return keys.size;
	}

	/** Queues an answer (replacing an unsent one for the same prompt) and sends soon. */
	enqueue(answer: PendingAnswer): void {
		if (this.#destroyed) return;
		if (!isPendingAnswer(answer)) throw new TypeError('Not a valid answer');
		const key = keyOf(answer);
		const existing = this.#pending.get(key) ?? this.#inFlight.get(key);
		if (existing && Date.parse(existing.answeredAt) > Date.parse(answer.answeredAt)) return;
		this.#pending.set(key, answer);
		this.#persist();
		if (this.#status !== 'offline') this.#setStatus('saving');
		else this.#notify();
		this.#schedule(0);
	}

	/** Sends what is waiting now (also called when the browser says it is online again). */
	flush(): Promise<void> {
		if (this.#timer !== null) {
			this.#options.clearTimer(this.#timer);
			this.#timer = null;
		}
		if (!this.#flushing) {
			this.#flushing = this.#run().finally(() => {
				this.#flushing = null;
			});
		}
		return this.#flushing;
	}

	/** Resolves once nothing is pending (or the queue is destroyed). */
	async drained(): Promise<void> {
		while (!this.#destroyed && this.pendingCount > 0) {
			await (this.#flushing ?? this.flush());
			if (this.pendingCount > 0) await new Promise((r) => setTimeout(r, 50));
		}
	}

	destroy(): void {
		this.#destroyed = true;
		if (this.#timer !== null) this.#options.clearTimer(this.#timer);
		this.#timer = null;
	}

	async #run(): Promise<void> {
		while (!this.#destroyed && this.#pending.size > 0) {
			const batch = [...this.#pending.values()].slice(0, this.#options.batchSize);
			for (const item of batch) {
				this.#pending.delete(keyOf(item));
				this.#inFlight.set(keyOf(item), item);
			}
			if (this.#status !== 'offline') this.#setStatus('saving');
			try {
				await this.#options.send(batch);
				for (const item of batch) this.#inFlight.delete(keyOf(item));
				this.#attempt = 0;
				this.#persist();
			} catch {
				// Put the batch back unless a newer answer for the same prompt came meanwhile.
				for (const item of batch) {
					const key = keyOf(item);
					this.#inFlight.delete(key);
					const waiting = this.#pending.get(key);
					if (!waiting || Date.parse(waiting.answeredAt) < Date.parse(item.answeredAt)) this.#pending.set(key, item);
				}
				this.#persist();
				this.#setStatus('offline');
				const delays = this.#options.retryDelays;
				this.#schedule(delays[Math.min(this.#attempt, delays.length - 1)]);
				this.#attempt += 1;
				return;
			}
		}
		if (!this.#destroyed && this.pendingCount === 0) this.#setStatus('saved');
	}

	#schedule(ms: number) {
		if (this.#destroyed || this.#timer !== null) return;
		this.#timer = this.#options.setTimer(() => {
			this.#timer = null;
			void this.flush();
		}, ms);
	}

	#persist() {
		this.#options.storage?.save([...new Map([...this.#inFlight, ...this.#pending]).values()]);
	}

	#setStatus(status: SaveStatus) {
		this.#status = status;
		this.#notify();
	}

	#notify() {
		this.#options.onChange?.(this.#status, this.pendingCount);
	}
}
