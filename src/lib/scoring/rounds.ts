/**
 * Change over rounds: the same figures per round, side by side, and how much each moved.
 * The caller keeps the partners in the same places across rounds (the same person is
 * `a` in every round). Rounds answered with different instrument versions compare by
 * scale and situation key; a figure a version does not have is null in that round.
 */
import { SCALE_KEYS } from '../instrument/index.ts';
import type { CoupleResult, DanceType, PartnerKey } from './types.ts';

/** One round's numeric figures, flat, by a stable name such as `a.scale.PUR` or `collision.after-conflict.a-toward`. */
export type RoundFigures = Record<string, number | null>;

/** One figure across rounds. */
export interface FigureChange {
	readonly figure: string;
	/** The value per round, oldest first; null where it could not be computed. */
	readonly values: readonly (number | null)[];
	/** values[i + 1] − values[i]; null where either is null. One fewer than values. */
	readonly deltas: readonly (number | null)[];
	/** Last minus first round; null when either is null or there is only one round. */
	readonly change: number | null;
}

/** The trend over a couple's rounds. */
export interface RoundsChange {
	readonly rounds: number;
	/** The dance type per round, oldest first. */
	readonly danceTypes: readonly (DanceType | null)[];
	readonly figures: readonly FigureChange[];
}

/** The numeric figures of one round under stable names. */
export function roundFigures(result: CoupleResult): RoundFigures {
	const figures: RoundFigures = {};
	for (const partner of ['a', 'b'] as const satisfies readonly PartnerKey[]) {
		const profile = result[partner];
		for (const key of SCALE_KEYS) figures[`${partner}.scale.${key}`] = profile.scales[key].score;
		figures[`${partner}.stance`] = profile.stance;
		figures[`${partner}.intensity`] = profile.intensity;
		figures[`${partner}.balance`] = profile.balance;
	}
	figures['dance.strength'] = result.dance.type === null ? null : result.dance.strength;
	for (const s of result.situations) {
		figures[`collision.${s.situation}.a-toward`] = s.aTowardBAway;
		figures[`collision.${s.situation}.b-toward`] = s.bTowardAAway;
	}
	figures['giving.a-to-b.gap'] = result.giving.aToB.gap;
	figures['giving.b-to-a.gap'] = result.giving.bToA.gap;
	figures['perception.a-reads-b'] = result.perception.aReadsB.accuracy;
	figures['perception.b-reads-a'] = result.perception.bReadsA.accuracy;
	figures['perception.overall'] = result.perception.overall;
	figures['pattern.a-reaches.difference'] = result.pattern.aReachesBRetreats.difference;
	figures['pattern.b-reaches.difference'] = result.pattern.bReachesARetreats.difference;
	figures['pattern.fairness.difference'] = result.pattern.fairness.difference;
	return figures;
}

const minus = (later: number | null, earlier: number | null) => (later === null || earlier === null ? null : later - earlier);

/** Every figure across the given rounds (oldest first), with the change from round to round and overall. */
export function changeOverRounds(results: readonly CoupleResult[]): RoundsChange {
	const perRound = results.map(roundFigures);
	const names: string[] = [];
	const known = new Set<string>();
	for (const figures of perRound) {
		for (const name of Object.keys(figures)) {
			if (!known.has(name)) {
				known.add(name);
				names.push(name);
			}
		}
	}
	const figures = names.map((figure): FigureChange => {
		const values = perRound.map((r) => (Object.hasOwn(r, figure) ? r[figure] : null));
		const deltas = values.slice(1).map((v, i) => minus(v, values[i]));
		return { figure, values, deltas, change: values.length > 1 ? minus(values[values.length - 1], values[0]) : null };
	});
	return { rounds: results.length, danceTypes: results.map((r) => r.dance.type), figures };
}
