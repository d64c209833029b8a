/** Reading answers: validation, keying and the rescalings every figure shares. */
import type { Keying } from '../instrument/index.ts';
import type { AnswerSet } from './types.ts';

/** The middle of the 1–7 scale: neither agree nor disagree. */
export const NEUTRAL_ANSWER = 4;

/**
 * The answer to one prompt, 1–7, or null when not answered.
 * @throws RangeError when the stored value is not a whole number from 1 to 7.
 */
export function answerOf(answers: AnswerSet, promptId: string): number | null {
	if (!Object.hasOwn(answers, promptId)) return null;
	const value = answers[promptId];
	if (value === null || value === undefined) return null;
	if (!Number.isInteger(value) || value < 1 || value > 7) {
		throw new RangeError(`Answer to ${promptId} must be a whole number from 1 to 7, got ${String(value)}`);
	}
	return value;
}

/** An answer as it counts for its scale: reverse-keyed answers are flipped (8 − x), so 7 counts as 1. */
export function keyed(value: number, keying: Keying): number {
	return keying === 'reverse' ? 8 - value : value;
}

/** A mean on the 1–7 scale mapped to 0–100: 1 → 0, 4 → 50, 7 → 100. */
export function toPercent(mean: number): number {
	return ((mean - 1) / 6) * 100;
}

/**
 * How far a (keyed) answer leans toward agreement, 0–100: 4 or lower → 0, 5 → 33⅓,
 * 6 → 66⅔, 7 → 100. Disagreeing and not knowing both count as not leaning.
 */
export function lean(value: number): number {
	return Math.max(0, ((value - NEUTRAL_ANSWER) / 3) * 100);
}
