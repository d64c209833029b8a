/**
 * The shapes of the questionnaire. Plain data, no behaviour: the instrument is written
 * once per version and a round stores the version it used, so the wording can change
 * later without making old rounds unreadable.
 */

/** The languages every text a person reads comes in: Dutch first, English second. */
export type Locale = 'nl' | 'en';

/** One text in both languages. */
export interface Localized {
	readonly nl: string;
	readonly en: string;
}

/** The nine scales of product.md "the instrument". */
export type ScaleKey = 'PUR' | 'WDR' | 'ABF' | 'ENF' | 'GIV' | 'REC' | 'SEEN' | 'ASK' | 'FLIP';

/** Every scale, in the order results list them. */
export const SCALE_KEYS: readonly ScaleKey[] = ['PUR', 'WDR', 'ABF', 'ENF', 'GIV', 'REC', 'SEEN', 'ASK', 'FLIP'];

/** The scales a partner may predict the other's answers on. */
export const PREDICTABLE_SCALES: readonly ScaleKey[] = ['PUR', 'WDR', 'GIV', 'REC'];

/** The moments under strain that the closeness prompts are grouped by. */
export type SituationKey =
	| 'after-conflict'
	| 'more-together'
	| 'partner-away'
	| 'unappreciated'
	| 'outside-stress'
	| 'vulnerable'
	| 'decision'
	| 'after-closeness';

/**
 * How an answer counts towards its scale. `reverse`: agreeing means *less* of what the
 * scale captures, so the answer is flipped (8 − x) before it is averaged. Reverse-keyed
 * prompts keep a scale from rewarding people who simply agree with everything.
 */
export type Keying = 'normal' | 'reverse';

/** Which answer choices a prompt offers; each has seven labelled points. */
export type ResponseFormat = 'agreement' | 'frequency' | 'fairness';

/** A scale: what it captures and how many prompts it needs at least. */
export interface ScaleInfo {
	readonly key: ScaleKey;
	readonly name: Localized;
	/** One sentence: what a high score means. */
	readonly description: Localized;
	/** The least number of prompts the scale must have (product.md). */
	readonly minPrompts: number;
}

/** A situation of the closeness prompts, with its reflection questions for the shared view. */
export interface Situation {
	readonly key: SituationKey;
	/** A short heading: "After an argument". */
	readonly label: Localized;
	/** One or two open questions for the couple to talk about when they collide here. */
	readonly reflectionQuestions: readonly Localized[];
}

/** A statement answered on the 1–7 agreement scale that counts towards one scale. */
export interface ScalePrompt {
	readonly kind: 'scale';
	/** Stable forever within a version; answers are stored under it. */
	readonly id: string;
	readonly scale: ScaleKey;
	readonly keying: Keying;
	/** Set on the PUR and WDR prompts written for one situation; null elsewhere. */
	readonly situation: SituationKey | null;
	readonly text: Localized;
	/** Whether the partner may guess the answer in the prediction pass. */
	readonly predictable: boolean;
	readonly response: 'agreement';
	/** Estimated seconds to read and answer, for "minutes left". */
	readonly seconds: number;
}

/**
 * The couple-level "who does what" items: how often each direction of the
 * reach-and-retreat pattern happens, and who gets the better deal overall.
 * `you-reach`: "you reach out and your partner pulls back"; `partner-reaches`: the
 * reverse; `fairness`: answered 1–7, read as −3…+3 (answer − 4), positive meaning
 * "I get the better deal", 0 even.
 */
export type PatternKey = 'you-reach' | 'partner-reaches' | 'fairness';

export interface PatternItem {
	readonly kind: 'pattern';
	readonly id: string;
	readonly pattern: PatternKey;
	readonly text: Localized;
	readonly response: 'frequency' | 'fairness';
	readonly seconds: number;
}

/** The two perspectives of the private reflection module (seed 002). */
export type ReflectionPerspective = 'i-doubt' | 'partner-doubts';

/** What a reflection prompt is about. */
export type ReflectionTheme = 'appreciation' | 'freedom' | 'comparison' | 'old-pain' | 'models-of-love' | 'origins';

/** A free-text question of the optional private module; its answer is the author's alone unless shared. */
export interface ReflectionPrompt {
	readonly kind: 'reflection';
	readonly id: string;
	readonly perspective: ReflectionPerspective;
	readonly theme: ReflectionTheme;
	readonly text: Localized;
	readonly seconds: number;
}

/** Any item of the main pass, in the order it is asked. */
export type MainPassItem = ScalePrompt | PatternItem;

/** One version of the questionnaire, complete. */
export interface Instrument {
	/** Stored on every round (at most 40 characters). */
	readonly version: string;
	readonly scales: readonly ScaleInfo[];
	readonly situations: readonly Situation[];
	/** The scale prompts, in the order they are asked. */
	readonly prompts: readonly ScalePrompt[];
	/** Asked after the scale prompts, before the prediction pass. */
	readonly patternItems: readonly PatternItem[];
	readonly reflections: readonly ReflectionPrompt[];
	/** The seven labels per answer format, index 0 for answer 1. */
	readonly responseLabels: Readonly<Record<ResponseFormat, readonly Localized[]>>;
	/** Estimated seconds for one guess in the prediction pass. */
	readonly predictionSeconds: number;
}

/**
 * Where a partner stands between moving toward and moving away (scoring: stance above
 * +20, below −20, or in between). Internal keys only: the texts never put a label on a
 * person ("you tend to move toward", not "pursuer").
 */
export type StanceKind = 'pursue' | 'withdraw' | 'mixed';

/** How giving and receiving feel to a partner (scoring: balance above +20, below −20, or in between). */
export type BalanceKind = 'shortchanged' | 'indebted' | 'even';

/** The couple's typical dance under strain, or none clear. */
export type DanceType = 'pursue-withdraw' | 'pursue-pursue' | 'withdraw-withdraw' | 'none';

/** A result text: a short warm heading and a few sentences. */
export interface ResultText {
	readonly title: Localized;
	readonly body: Localized;
}
