/**
 * One person's answering session in a round, as runes state: their answers and guesses
 * (seeded from the server, then from anything still waiting in this browser's queue),
 * where they are in the questionnaire, and the save state of the offline-tolerant queue.
 * Created in an effect on the answer page and destroyed in its cleanup.
 */
import { mainPass, predictionPass, secondsLeft, type Instrument, type MainPassItem, type ScalePrompt } from '#lib/instrument/index.ts';
import { AnswerQueue, localStorageFor, type AnswerKind, type PendingAnswer, type SaveStatus } from './answer-queue.ts';

/** A place in the questionnaire: a prompt of one of the two passes, the reflections, or the review before submit. */
export type Step =
	| { pass: 'main'; item: MainPassItem; index: number }
	| { pass: 'prediction'; item: ScalePrompt; index: number }
	| { pass: 'reflections' }
	| { pass: 'review' };

export interface AnswerSessionOptions {
	instrument: Instrument;
	roundId: string;
	userId: string;
	/** What the server has stored for this person. */
	stored: { answers: Record<string, number>; predictions: Record<string, number> };
	/** Sends a batch to the server (`save_answers`); rejects when it could not. */
	send(batch: PendingAnswer[]): Promise<void>;
}

/** The queue's localStorage key for one person's round. */
export const queueKey = (roundId: string, userId: string) => `samenspel:answers:${roundId}:${userId}`;

export class AnswerSession {
	answers = $state<Record<string, number>>({});
	predictions = $state<Record<string, number>>({});
	status = $state<SaveStatus>('saved');
	pending = $state(0);
	/** Index into `steps`. */
	position = $state(0);

	readonly instrument: Instrument;
	readonly main: readonly MainPassItem[];
	readonly guesses: readonly ScalePrompt[];
	readonly steps: readonly Step[];
	#queue: AnswerQueue;

	constructor(options: AnswerSessionOptions) {
		this.instrument = options.instrument;
		this.main = mainPass(options.instrument);
		this.guesses = predictionPass(options.instrument);
		this.steps = [
			...this.main.map((item, index): Step => ({ pass: 'main', item, index })),
			...this.guesses.map((item, index): Step => ({ pass: 'prediction', item, index })),
			{ pass: 'reflections' },
			{ pass: 'review' }
		];
		const answers = { ...options.stored.answers };
		const predictions = { ...options.stored.predictions };
		const storage = localStorageFor(queueKey(options.roundId, options.userId));
		// Answers still waiting in this browser are newer than what the server has.
		for (const item of storage.load()) this.#apply(item, answers, predictions);
		this.answers = answers;
		this.predictions = predictions;
		this.#queue = new AnswerQueue({
			send: options.send,
			storage,
			onChange: (status, pending) => {
				this.status = status;
				this.pending = pending;
			}
		});
		this.status = this.#queue.status;
		this.pending = this.#queue.pendingCount;
		this.position = this.#resumePosition();
	}

	get step(): Step {
		return this.steps[this.position];
	}

	/** Main-pass items answered. */
	get answeredCount(): number {
		return this.main.filter((item) => this.answers[item.id] !== undefined).length;
	}

	get predictedCount(): number {
		return this.guesses.filter((item) => this.predictions[item.id] !== undefined).length;
	}

	/** Main-pass items not answered yet, in order. */
	get missing(): MainPassItem[] {
		return this.main.filter((item) => this.answers[item.id] === undefined);
	}

	/** Share of answers and guesses given, 0–1. */
	get fraction(): number {
		return (this.answeredCount + this.predictedCount) / (this.main.length + this.guesses.length);
	}

	get minutesLeft(): number {
		// Throwaway sets for one calculation, not state: nothing observes them.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const answered = new Set(Object.keys(this.answers));
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const predicted = new Set(Object.keys(this.predictions));
		return Math.ceil(secondsLeft(answered, { predicted, withPredictions: true }, this.instrument) / 60);
	}

	/** The value given on the current step's prompt, or undefined. */
	valueOf(kind: AnswerKind, promptId: string): number | undefined {
		return (kind === 'prediction' ? this.predictions : this.answers)[promptId];
	}

	/** Records an answer (or clears it with null) and saves it at once through the queue. */
	choose(kind: AnswerKind, promptId: string, value: number | null): void {
		// A timestamp for the server's newest-wins rule, not reactive state.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const item: PendingAnswer = { kind, promptId, value, answeredAt: new Date().toISOString() };
		const answers = { ...this.answers };
		const predictions = { ...this.predictions };
		this.#apply(item, answers, predictions);
		this.answers = answers;
		this.predictions = predictions;
		this.#queue.enqueue(item);
	}

	next(): void {
		this.position = Math.min(this.position + 1, this.steps.length - 1);
	}

	back(): void {
		this.position = Math.max(this.position - 1, 0);
	}

	/** Goes to a prompt by id (main pass first), or to 'review' / 'reflections'. */
	goTo(target: string): boolean {
		const index = this.steps.findIndex((s) => (s.pass === 'main' || s.pass === 'prediction' ? s.item.id === target : s.pass === target));
		if (index < 0) return false;
		this.position = index;
		return true;
	}

	/** Sends what waits now (the browser came back online). */
	flush(): Promise<void> {
		return this.#queue.flush();
	}

	/** Resolves when every answer reached the server, or rejects after `ms`. */
	drained(ms = 10_000): Promise<void> {
		return Promise.race([
			this.#queue.drained(),
			new Promise<void>((_, reject) => setTimeout(() => reject(new Error('offline')), ms))
		]);
	}

	destroy(): void {
		this.#queue.destroy();
	}

	/** Where to pick up: the first unanswered main prompt, else the first open guess, else the review. */
	#resumePosition(): number {
		const firstOpen = this.steps.findIndex(
			(s) => (s.pass === 'main' && this.answers[s.item.id] === undefined) || (s.pass === 'prediction' && this.predictions[s.item.id] === undefined)
		);
		return firstOpen >= 0 ? firstOpen : this.steps.length - 1;
	}

	#apply(item: PendingAnswer, answers: Record<string, number>, predictions: Record<string, number>) {
		const target = item.kind === 'prediction' ? predictions : answers;
		if (item.value === null) delete target[item.promptId];
		else target[item.promptId] = item.value;
	}
}
