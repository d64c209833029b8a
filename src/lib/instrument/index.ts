/**
 * The questionnaire as typed, versioned data, and the few helpers the answering screens
 * need (the main pass in order, the prediction pass, "minutes left"). A round stores
 * `INSTRUMENT_VERSION`; `instrumentFor(version)` gives back the wording it was answered in.
 */
import { responseLabels } from './labels.ts';
import { patternItems } from './pattern.ts';
import { scalePrompts } from './prompts.ts';
import { reflectionPrompts } from './reflections.ts';
import { scales } from './scales.ts';
import { situations } from './situations.ts';
import type { Instrument, MainPassItem, ScaleKey, ScalePrompt } from './types.ts';

export * from './types.ts';
export { responseLabels, passTexts } from './labels.ts';
export { reflectionPerspectives } from './reflections.ts';
export { balanceTexts, danceTexts, fillTemplate, notEnoughAnswersText, readingTemplates, stanceTexts } from './results-text.ts';

/** The version of the wording below. Change it whenever a prompt's meaning changes. */
export const INSTRUMENT_VERSION = 'samenspel-2026.1';

/** The current questionnaire. */
export const instrument: Instrument = {
	version: INSTRUMENT_VERSION,
	scales,
	situations,
	prompts: scalePrompts,
	patternItems,
	reflections: reflectionPrompts,
	responseLabels,
	predictionSeconds: 7
};

/** Every version still readable, by version string. */
export const instruments: Readonly<Record<string, Instrument>> = { [INSTRUMENT_VERSION]: instrument };

/** The questionnaire a round was answered with, or undefined for a version this build does not know. */
export function instrumentFor(version: string): Instrument | undefined {
	return Object.hasOwn(instruments, version) ? instruments[version] : undefined;
}

/** The main pass in the order it is asked: the scale prompts, then "who does what". */
export function mainPass(inst: Instrument = instrument): readonly MainPassItem[] {
	return [...inst.prompts, ...inst.patternItems];
}

/** The prompts the partner may guess in the prediction pass (PUR, WDR, GIV, REC), in order. */
export function predictionPass(inst: Instrument = instrument): readonly ScalePrompt[] {
	return inst.prompts.filter((p) => p.predictable);
}

/** The scale prompts of one scale, in order. */
export function promptsOfScale(scale: ScaleKey, inst: Instrument = instrument): readonly ScalePrompt[] {
	return inst.prompts.filter((p) => p.scale === scale);
}

/** A main-pass item by id, or undefined. */
export function mainPassItem(id: string, inst: Instrument = instrument): MainPassItem | undefined {
	return mainPass(inst).find((item) => item.id === id);
}

/**
 * Estimated seconds still needed: the main-pass items not yet answered, plus (when
 * `withPredictions`) the guesses not yet given. Ids that are not in this version count
 * for nothing.
 */
export function secondsLeft(
	answered: ReadonlySet<string>,
	options: { predicted?: ReadonlySet<string>; withPredictions?: boolean } = {},
	inst: Instrument = instrument
): number {
	let seconds = 0;
	for (const item of mainPass(inst)) if (!answered.has(item.id)) seconds += item.seconds;
	if (options.withPredictions) {
		const predicted = options.predicted ?? new Set<string>();
		for (const p of predictionPass(inst)) if (!predicted.has(p.id)) seconds += inst.predictionSeconds;
	}
	return seconds;
}

/** `secondsLeft` as whole minutes for display, rounded up (a last few seconds show as 1). */
export function minutesLeft(...args: Parameters<typeof secondsLeft>): number {
	return Math.ceil(secondsLeft(...args) / 60);
}
