/** One partner's figures: scale scores, stance, intensity and balance. */
import { SCALE_KEYS, instrument as currentInstrument, type Instrument, type ScaleKey } from '../instrument/index.ts';
import { answerOf, keyed, toPercent } from './answers.ts';
import type { AnswerSet, BalanceKind, PartnerProfile, ScaleScore, StanceKind } from './types.ts';

/** Stance beyond ±20 counts as leaning one way (product.md). */
export const STANCE_THRESHOLD = 20;

/** Balance beyond ±20 counts as feeling shortchanged or indebted (our choice, matching the stance's threshold). */
export const BALANCE_THRESHOLD = 20;

/**
 * A scale's score, 0–100: the mean of its answered prompts, reverse-keyed ones flipped
 * (8 − x), mapped from 1…7 to 0…100.
 *
 * Missing answers: unanswered prompts are left out of the mean, not counted as neutral.
 * When fewer than half of the scale's prompts are answered, the score is null: too
 * little to say anything. Exactly half is enough (2 of 4); with 9 prompts 5 are needed.
 */
export function scaleScore(answers: AnswerSet, scale: ScaleKey, inst: Instrument = currentInstrument): ScaleScore {
	const prompts = inst.prompts.filter((p) => p.scale === scale);
	let sum = 0;
	let answered = 0;
	for (const p of prompts) {
		const value = answerOf(answers, p.id);
		if (value === null) continue;
		sum += keyed(value, p.keying);
		answered += 1;
	}
	const enough = answered > 0 && answered * 2 >= prompts.length;
	return { scale, score: enough ? toPercent(sum / answered) : null, answered, total: prompts.length };
}

/** Every scale's score for one partner. */
export function scaleScores(answers: AnswerSet, inst: Instrument = currentInstrument): Record<ScaleKey, ScaleScore> {
	return Object.fromEntries(SCALE_KEYS.map((key) => [key, scaleScore(answers, key, inst)])) as Record<ScaleKey, ScaleScore>;
}

/** PUR − WDR, −100…100, or null when either is unknown. */
export function stance(pur: number | null, wdr: number | null): number | null {
	return pur === null || wdr === null ? null : pur - wdr;
}

/** Above +20: moves toward ("pursue"); below −20: moves away ("withdraw"); otherwise mixed. Exactly ±20 is mixed. */
export function stanceKind(value: number | null): StanceKind | null {
	if (value === null) return null;
	if (value > STANCE_THRESHOLD) return 'pursue';
	if (value < -STANCE_THRESHOLD) return 'withdraw';
	return 'mixed';
}

/** max(PUR, WDR), 0–100: how strongly a partner moves under strain, whichever way. Null when either is unknown. */
export function intensity(pur: number | null, wdr: number | null): number | null {
	return pur === null || wdr === null ? null : Math.max(pur, wdr);
}

/** GIV − REC, −100…100, or null when either is unknown. */
export function balance(giv: number | null, rec: number | null): number | null {
	return giv === null || rec === null ? null : giv - rec;
}

/** Above +20: feels shortchanged; below −20: feels indebted; otherwise even. */
export function balanceKind(value: number | null): BalanceKind | null {
	if (value === null) return null;
	if (value > BALANCE_THRESHOLD) return 'shortchanged';
	if (value < -BALANCE_THRESHOLD) return 'indebted';
	return 'even';
}

/** All of one partner's figures from their answers. */
export function partnerProfile(answers: AnswerSet, inst: Instrument = currentInstrument): PartnerProfile {
	const scales = scaleScores(answers, inst);
	const st = stance(scales.PUR.score, scales.WDR.score);
	const bal = balance(scales.GIV.score, scales.REC.score);
	return {
		scales,
		stance: st,
		stanceKind: stanceKind(st),
		intensity: intensity(scales.PUR.score, scales.WDR.score),
		balance: bal,
		balanceKind: balanceKind(bal)
	};
}
