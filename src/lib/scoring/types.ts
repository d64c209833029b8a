/**
 * What the scoring functions take and give back. Every figure is a plain number (or
 * null when too few answers were given to say anything), unrounded: the UI rounds for
 * display. Partners are called `a` and `b`; which is which is the caller's choice, and
 * swapping them mirrors every result.
 */
import type { BalanceKind, DanceType, ScaleKey, SituationKey, StanceKind } from '../instrument/index.ts';

export type { BalanceKind, DanceType, ScaleKey, SituationKey, StanceKind };

/** Which partner. */
export type PartnerKey = 'a' | 'b';

/**
 * Answers keyed by prompt id, each 1–7 as stored. A missing prompt, `null` or
 * `undefined` means "not answered". Anything else that is not a whole number 1–7 is
 * refused with a RangeError: the database never stores such a value, so seeing one
 * means a bug upstream, not a person's answer. Ids the instrument does not know are
 * ignored.
 */
export type AnswerSet = Readonly<Record<string, number | null | undefined>>;

/** One partner's part of a round: their own answers, and their guesses of the other's answers. */
export interface PartnerAnswers {
	readonly answers: AnswerSet;
	/** Guesses of the *other* partner's answers on the PUR, WDR, GIV and REC prompts. */
	readonly predictions?: AnswerSet;
}

/** Both partners' parts of one round. */
export interface CoupleAnswers {
	readonly a: PartnerAnswers;
	readonly b: PartnerAnswers;
}

/** A scale score: 0–100, or null when fewer than half of the scale's prompts were answered. */
export interface ScaleScore {
	readonly scale: ScaleKey;
	readonly score: number | null;
	/** How many of the scale's prompts were answered. */
	readonly answered: number;
	/** How many prompts the scale has in this instrument version. */
	readonly total: number;
}

/** One partner's figures. */
export interface PartnerProfile {
	readonly scales: Readonly<Record<ScaleKey, ScaleScore>>;
	/** PUR − WDR, −100…100; positive leans toward. Null when either is null. */
	readonly stance: number | null;
	readonly stanceKind: StanceKind | null;
	/** max(PUR, WDR), 0–100: how strongly this partner moves at all under strain. */
	readonly intensity: number | null;
	/** GIV − REC, −100…100; positive feels shortchanged, negative feels indebted. */
	readonly balance: number | null;
	readonly balanceKind: BalanceKind | null;
}

/** The couple's dance: its type (null when a stance is unknown), how clear it is, and who moves toward. */
export interface Dance {
	readonly type: DanceType | null;
	/** 0–100: how clearly both partners lean their way; 0 for "none" and for unknown. */
	readonly strength: number;
	/** In a pursue–withdraw dance, the partner who moves toward; null otherwise. */
	readonly towardPartner: PartnerKey | null;
}

/** A partner's two answers in one situation (1–7, or null when not answered). */
export interface SituationMoves {
	readonly toward: number | null;
	readonly away: number | null;
}

/** Both partners' answers in one situation, side by side, with the collision strength both ways. */
export interface SituationReading {
	readonly situation: SituationKey;
	readonly a: SituationMoves;
	readonly b: SituationMoves;
	/** A moves toward while B moves away: 0–100, or null when either answer is missing. */
	readonly aTowardBAway: number | null;
	/** B moves toward while A moves away: 0–100, or null when either answer is missing. */
	readonly bTowardAAway: number | null;
}

/** One collision: in this situation one partner moves toward while the other moves away. */
export interface Collision {
	readonly situation: SituationKey;
	readonly towardPartner: PartnerKey;
	readonly awayPartner: PartnerKey;
	/** The toward partner's answer to the situation's toward prompt, 1–7. */
	readonly towardAnswer: number;
	/** The away partner's answer to the situation's away prompt, 1–7. */
	readonly awayAnswer: number;
	/** 0–100, always above 0 in the ranked list. */
	readonly strength: number;
}

/** Giving that may not land: what one partner feels they give against what the other feels they receive. */
export interface UnreceivedGiving {
	readonly giver: PartnerKey;
	readonly receiver: PartnerKey;
	/** The giver's GIV score. */
	readonly given: number | null;
	/** The receiver's REC score. */
	readonly received: number | null;
	/** given − received, −100…100. */
	readonly gap: number | null;
	/** max(0, gap): how much giving seems not to arrive, 0–100. */
	readonly unreceived: number | null;
}

/** One guess against the real answer. */
export interface PromptPerception {
	readonly promptId: string;
	readonly scale: ScaleKey;
	readonly predicted: number;
	readonly actual: number;
	/** predicted − actual, −6…6: positive means the reader expected more agreement. */
	readonly difference: number;
	/** |difference|, 0–6. */
	readonly gap: number;
}

/** A guessed scale score against the real one. */
export interface ScalePerception {
	readonly predicted: number | null;
	readonly actual: number | null;
	/** predicted − actual, −100…100. */
	readonly difference: number | null;
}

/** How well one partner read the other. */
export interface Reading {
	readonly reader: PartnerKey;
	readonly read: PartnerKey;
	/** Every prompt with both a guess and an answer, in instrument order. */
	readonly prompts: readonly PromptPerception[];
	/** 0–100: 100 − mean gap / 6 × 100; null when there is nothing to compare. */
	readonly accuracy: number | null;
	readonly scales: Readonly<Record<'PUR' | 'WDR' | 'GIV' | 'REC', ScalePerception>>;
}

/** Predictions against answers, both ways. */
export interface Perception {
	readonly aReadsB: Reading;
	readonly bReadsA: Reading;
	/** "How well you read each other", 0–100, over every compared prompt of both; null when none. */
	readonly overall: number | null;
}

/** One pattern as each partner sees it. */
export interface PatternView {
	/** A's answer; for fairness on the shared axis −3…+3 (positive: A gets the better deal). */
	readonly aSees: number | null;
	/** B's answer, on the same axis as A's. */
	readonly bSees: number | null;
	/** |aSees − bSees|, or null when either is missing. */
	readonly difference: number | null;
	/** True when the two views lie 2 or more points apart: worth a conversation. */
	readonly seenDifferently: boolean;
}

/** "Who does what", as each sees it. */
export interface PatternComparison {
	/** How often A reaches out and B pulls back (1 never … 7 almost always). */
	readonly aReachesBRetreats: PatternView;
	/** How often B reaches out and A pulls back. */
	readonly bReachesARetreats: PatternView;
	/** Who gets the better deal, −3…+3, positive: A. */
	readonly fairness: PatternView;
}

/** Every figure of one round. */
export interface CoupleResult {
	readonly instrumentVersion: string;
	readonly a: PartnerProfile;
	readonly b: PartnerProfile;
	readonly dance: Dance;
	/** Every situation in instrument order, both partners side by side. */
	readonly situations: readonly SituationReading[];
	/** The collisions with a strength above 0, strongest first. */
	readonly collisions: readonly Collision[];
	readonly giving: { readonly aToB: UnreceivedGiving; readonly bToA: UnreceivedGiving };
	readonly perception: Perception;
	readonly pattern: PatternComparison;
}
