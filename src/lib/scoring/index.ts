/**
 * Scoring: every figure of product.md "scores" as pure functions, no I/O. Start from
 * `scoreCouple(answers, instrumentFor(round.instrument_version))` for one round and
 * `changeOverRounds(results)` for the trend; the smaller functions are exported for the
 * pages that show one figure. `figureExplanations` says each formula in plain words.
 */
export * from './types.ts';
export { NEUTRAL_ANSWER, answerOf, keyed, lean, toPercent } from './answers.ts';
export { BALANCE_THRESHOLD, STANCE_THRESHOLD, balance, balanceKind, intensity, partnerProfile, scaleScore, scaleScores, stance, stanceKind } from './partner.ts';
export { PATTERN_DIFFERENCE, collisionStrength, dance, patternComparison, rankedCollisions, scoreCouple, situationReadings, unreceivedGiving } from './couple.ts';
export { accuracy, perception, reading } from './perception.ts';
export { changeOverRounds, roundFigures, type FigureChange, type RoundFigures, type RoundsChange } from './rounds.ts';
export { figureExplanations, type FigureExplanation, type FigureKey } from './explanations.ts';
