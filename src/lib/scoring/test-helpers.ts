/** Answer sets built from intentions ("everything on PUR strongly agreed"), for the scoring tests. */
import { instrument, mainPass, type ScaleKey } from '../instrument/index.ts';
import type { AnswerSet } from './types.ts';

/** Every main-pass item answered with the same raw value. */
export function uniformAnswers(value: number): Record<string, number> {
	return Object.fromEntries(mainPass().map((item) => [item.id, value]));
}

/**
 * Every scale prompt answered so that it *counts* as `levels[scale]` (reverse-keyed ones
 * get 8 − level as their raw answer); scales not named count as `rest`. Pattern items
 * get `rest` too.
 */
export function answersCountingAs(levels: Partial<Record<ScaleKey, number>>, rest = 4): Record<string, number> {
	const answers: Record<string, number> = uniformAnswers(rest);
	for (const p of instrument.prompts) {
		const level = levels[p.scale] ?? rest;
		answers[p.id] = p.keying === 'reverse' ? 8 - level : level;
	}
	return answers;
}

/** Under strain: always toward, never away. */
export const textbookPursuer = (): Record<string, number> => answersCountingAs({ PUR: 7, WDR: 1 });

/** Under strain: always away, never toward. */
export const textbookWithdrawer = (): Record<string, number> => answersCountingAs({ PUR: 1, WDR: 7 });

/** The answers with some prompts left out. */
export function without(answers: AnswerSet, ids: readonly string[]): AnswerSet {
	const copy: Record<string, number | null | undefined> = { ...answers };
	for (const id of ids) delete copy[id];
	return copy;
}
