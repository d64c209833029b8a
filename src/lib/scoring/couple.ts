/** The couple's figures: dance type, collisions per situation, unreceived giving, "who does what". */
import { instrument as currentInstrument, type Instrument, type PatternKey, type SituationKey } from '../instrument/index.ts';
import { NEUTRAL_ANSWER, answerOf, keyed, lean } from './answers.ts';
import { STANCE_THRESHOLD, partnerProfile } from './partner.ts';
import { perception } from './perception.ts';
import type {
	AnswerSet,
	Collision,
	CoupleAnswers,
	CoupleResult,
	Dance,
	PartnerKey,
	PartnerProfile,
	PatternComparison,
	PatternView,
	SituationMoves,
	SituationReading,
	UnreceivedGiving
} from './types.ts';

/** Two views of "who does what" this far apart (in answer points) are "seen differently". */
export const PATTERN_DIFFERENCE = 2;

/**
 * The couple's dance from both stances (PUR − WDR):
 * - pursue–withdraw: one above +20 and the other below −20;
 * - pursue–pursue: both above +20; withdraw–withdraw: both below −20;
 * - none: anything else (at least one partner between −20 and +20);
 * - type null when either stance is unknown.
 * Strength = the smaller of the two |stances| (0–100): a dance is only as clear as its
 * less clear partner. 0 for none and unknown. Symmetric in the partners.
 */
export function dance(stanceA: number | null, stanceB: number | null): Dance {
	if (stanceA === null || stanceB === null) return { type: null, strength: 0, towardPartner: null };
	const t = STANCE_THRESHOLD;
	const strength = Math.min(Math.abs(stanceA), Math.abs(stanceB));
	if (stanceA > t && stanceB < -t) return { type: 'pursue-withdraw', strength, towardPartner: 'a' };
	if (stanceB > t && stanceA < -t) return { type: 'pursue-withdraw', strength, towardPartner: 'b' };
	if (stanceA > t && stanceB > t) return { type: 'pursue-pursue', strength, towardPartner: null };
	if (stanceA < -t && stanceB < -t) return { type: 'withdraw-withdraw', strength, towardPartner: null };
	return { type: 'none', strength: 0, towardPartner: null };
}

/**
 * How strongly one partner moving toward collides with the other moving away in a
 * situation: the smaller of the two answers' lean, each rescaled so that 4 (neutral)
 * or lower is 0 and 7 is 100. Zero unless both lean their way; null when either answer
 * is missing.
 */
export function collisionStrength(towardAnswer: number | null, awayAnswer: number | null): number | null {
	if (towardAnswer === null || awayAnswer === null) return null;
	return Math.min(lean(towardAnswer), lean(awayAnswer));
}

function movesIn(answers: AnswerSet, situation: SituationKey, inst: Instrument): SituationMoves {
	const toward = inst.prompts.find((p) => p.situation === situation && p.scale === 'PUR');
	const away = inst.prompts.find((p) => p.situation === situation && p.scale === 'WDR');
	const read = (p: typeof toward) => {
		if (!p) return null;
		const value = answerOf(answers, p.id);
		// Keyed, so that "leaning toward" always means a high number.
		return value === null ? null : keyed(value, p.keying);
	};
	return { toward: read(toward), away: read(away) };
}

/** Every situation in instrument order, both partners' moves side by side, with both collision strengths. */
export function situationReadings(a: AnswerSet, b: AnswerSet, inst: Instrument = currentInstrument): SituationReading[] {
	return inst.situations.map(({ key }) => {
		const movesA = movesIn(a, key, inst);
		const movesB = movesIn(b, key, inst);
		return {
			situation: key,
			a: movesA,
			b: movesB,
			aTowardBAway: collisionStrength(movesA.toward, movesB.away),
			bTowardAAway: collisionStrength(movesB.toward, movesA.away)
		};
	});
}

/**
 * The collisions, strongest first; only those with a strength above 0. Ties are broken
 * by the two leans together (the collision where both lean harder comes first), then by
 * the situation's order in the instrument, then A moving toward before B.
 */
export function rankedCollisions(readings: readonly SituationReading[]): Collision[] {
	const found: Array<Collision & { order: number; combined: number }> = [];
	readings.forEach((r, order) => {
		const add = (towardPartner: PartnerKey, strength: number | null) => {
			const awayPartner: PartnerKey = towardPartner === 'a' ? 'b' : 'a';
			const towardAnswer = r[towardPartner].toward;
			const awayAnswer = r[awayPartner].away;
			if (strength === null || strength <= 0 || towardAnswer === null || awayAnswer === null) return;
			found.push({
				situation: r.situation,
				towardPartner,
				awayPartner,
				towardAnswer,
				awayAnswer,
				strength,
				order,
				combined: lean(towardAnswer) + lean(awayAnswer)
			});
		};
		add('a', r.aTowardBAway);
		add('b', r.bTowardAAway);
	});
	found.sort(
		(x, y) =>
			y.strength - x.strength ||
			y.combined - x.combined ||
			x.order - y.order ||
			(x.towardPartner === y.towardPartner ? 0 : x.towardPartner === 'a' ? -1 : 1)
	);
	return found.map(({ order: _order, combined: _combined, ...collision }) => collision);
}

/**
 * Unreceived giving from `giver` to `receiver`: the giver's GIV against the receiver's
 * REC ("I give a lot" against "I receive little"). gap = GIV − REC; unreceived = the
 * positive part of the gap.
 */
export function unreceivedGiving(giver: PartnerKey, giverProfile: PartnerProfile, receiverProfile: PartnerProfile): UnreceivedGiving {
	const given = giverProfile.scales.GIV.score;
	const received = receiverProfile.scales.REC.score;
	const gap = given === null || received === null ? null : given - received;
	return {
		giver,
		receiver: giver === 'a' ? 'b' : 'a',
		given,
		received,
		gap,
		unreceived: gap === null ? null : Math.max(0, gap)
	};
}

function patternAnswer(answers: AnswerSet, pattern: PatternKey, inst: Instrument): number | null {
	const item = inst.patternItems.find((i) => i.pattern === pattern);
	return item ? answerOf(answers, item.id) : null;
}

function view(aSees: number | null, bSees: number | null): PatternView {
	const difference = aSees === null || bSees === null ? null : Math.abs(aSees - bSees);
	return { aSees, bSees, difference, seenDifferently: difference !== null && difference >= PATTERN_DIFFERENCE };
}

/**
 * "Who does what", lined up: A's "you reach, your partner pulls back" against B's "your
 * partner reaches, you pull back" (the same event, A reaching), and the reverse. The
 * fairness item (answer − 4, positive "I get the better deal") is put on one axis,
 * positive meaning A gets the better deal, so B's answer is negated. Two views 2 or
 * more points apart are "seen differently".
 */
export function patternComparison(a: AnswerSet, b: AnswerSet, inst: Instrument = currentInstrument): PatternComparison {
	const fairA = patternAnswer(a, 'fairness', inst);
	const fairB = patternAnswer(b, 'fairness', inst);
	return {
		aReachesBRetreats: view(patternAnswer(a, 'you-reach', inst), patternAnswer(b, 'partner-reaches', inst)),
		bReachesARetreats: view(patternAnswer(a, 'partner-reaches', inst), patternAnswer(b, 'you-reach', inst)),
		fairness: view(fairA === null ? null : fairA - NEUTRAL_ANSWER, fairB === null ? null : NEUTRAL_ANSWER - fairB)
	};
}

/** Every figure of one round, for the instrument version the round was answered with. */
export function scoreCouple(input: CoupleAnswers, inst: Instrument = currentInstrument): CoupleResult {
	const a = partnerProfile(input.a.answers, inst);
	const b = partnerProfile(input.b.answers, inst);
	const situations = situationReadings(input.a.answers, input.b.answers, inst);
	return {
		instrumentVersion: inst.version,
		a,
		b,
		dance: dance(a.stance, b.stance),
		situations,
		collisions: rankedCollisions(situations),
		giving: { aToB: unreceivedGiving('a', a, b), bToA: unreceivedGiving('b', b, a) },
		perception: perception(input, inst),
		pattern: patternComparison(input.a.answers, input.b.answers, inst)
	};
}
