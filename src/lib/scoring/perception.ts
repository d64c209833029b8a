/** Perception gaps: each partner's guesses against the other's real answers. */
import { instrument as currentInstrument, type Instrument } from '../instrument/index.ts';
import { answerOf } from './answers.ts';
import { scaleScore } from './partner.ts';
import type { AnswerSet, CoupleAnswers, PartnerKey, Perception, PromptPerception, Reading, ScalePerception } from './types.ts';

/** The largest possible distance between two answers on the 1–7 scale. */
const MAX_GAP = 6;

/** 0–100 from a list of gaps (0–6): 100 − mean gap / 6 × 100; null for an empty list. */
export function accuracy(gaps: readonly number[]): number | null {
	if (gaps.length === 0) return null;
	const mean = gaps.reduce((sum, g) => sum + g, 0) / gaps.length;
	return 100 - (mean / MAX_GAP) * 100;
}

/**
 * How well `reader` guessed `read`'s answers: per predictable prompt with both a guess
 * and an answer, the difference (guess − answer, raw answers, before keying: a guess is
 * about the statement as written); the accuracy over those prompts; and per predictable
 * scale the guessed scale score (computed from the guesses with the same rules as a real
 * score) against the real one.
 */
export function reading(
	reader: PartnerKey,
	guesses: AnswerSet,
	actualAnswers: AnswerSet,
	inst: Instrument = currentInstrument
): Reading {
	const prompts: PromptPerception[] = [];
	for (const p of inst.prompts) {
		if (!p.predictable) continue;
		const predicted = answerOf(guesses, p.id);
		const actual = answerOf(actualAnswers, p.id);
		if (predicted === null || actual === null) continue;
		prompts.push({ promptId: p.id, scale: p.scale, predicted, actual, difference: predicted - actual, gap: Math.abs(predicted - actual) });
	}
	// Only the predictable prompts count: a stray guess on another prompt is not a guess.
	const predictableGuesses = Object.fromEntries(inst.prompts.filter((p) => p.predictable).map((p) => [p.id, answerOf(guesses, p.id)]));
	const scale = (key: 'PUR' | 'WDR' | 'GIV' | 'REC'): ScalePerception => {
		const predicted = scaleScore(predictableGuesses, key, inst).score;
		const actual = scaleScore(actualAnswers, key, inst).score;
		return { predicted, actual, difference: predicted === null || actual === null ? null : predicted - actual };
	};
	return {
		reader,
		read: reader === 'a' ? 'b' : 'a',
		prompts,
		accuracy: accuracy(prompts.map((p) => p.gap)),
		scales: { PUR: scale('PUR'), WDR: scale('WDR'), GIV: scale('GIV'), REC: scale('REC') }
	};
}

/** Both readings, and "how well you read each other" over every compared prompt of both partners. */
export function perception(input: CoupleAnswers, inst: Instrument = currentInstrument): Perception {
	const aReadsB = reading('a', input.a.predictions ?? {}, input.b.answers, inst);
	const bReadsA = reading('b', input.b.predictions ?? {}, input.a.answers, inst);
	return {
		aReadsB,
		bReadsA,
		overall: accuracy([...aReadsB.prompts, ...bReadsA.prompts].map((p) => p.gap))
	};
}
