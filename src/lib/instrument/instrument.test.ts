import { describe, expect, it } from 'vitest';
import {
	INSTRUMENT_VERSION,
	PREDICTABLE_SCALES,
	SCALE_KEYS,
	balanceTexts,
	danceTexts,
	fillTemplate,
	instrument,
	instrumentFor,
	mainPass,
	mainPassItem,
	minutesLeft,
	notEnoughAnswersText,
	passTexts,
	predictionPass,
	promptsOfScale,
	readingTemplates,
	reflectionPerspectives,
	secondsLeft,
	stanceTexts,
	type Localized
} from './index.ts';

/**
 * The ids answers are stored under. Pinned here so that renaming, dropping or
 * reordering a prompt fails this test: changing them means a new instrument version.
 */
const PINNED_MAIN_PASS_IDS = [
	'pur.after-conflict', 'wdr.after-conflict', 'wdr.more-together', 'pur.more-together',
	'pur.partner-away', 'wdr.partner-away', 'wdr.unappreciated', 'pur.unappreciated',
	'pur.outside-stress', 'wdr.outside-stress', 'wdr.vulnerable', 'pur.vulnerable',
	'pur.decision', 'wdr.decision', 'wdr.after-closeness', 'pur.after-closeness',
	'pur.wait-calmly', 'wdr.stay-with-it',
	'abf.leave', 'enf.lose-self', 'abf.enough', 'enf.pinned-down', 'abf.small-rejection', 'enf.door-ajar',
	'abf.trust-stays', 'enf.doubt-safer', 'abf.distance', 'enf.close-and-free',
	'giv.time-attention', 'rec.attention', 'seen.notices', 'ask.more', 'giv.please', 'rec.matter',
	'seen.valued', 'ask.missing', 'giv.think-ahead', 'rec.count-on', 'seen.unnoticed', 'ask.weight',
	'giv.leave-to-partner', 'rec.miss-warmth', 'seen.thanks', 'ask.content', 'giv.make-room', 'rec.effort',
	'flip.stop-reaching', 'flip.both-urges', 'flip.swap',
	'who.you-reach', 'who.partner-reaches', 'who.fairness'
];

const PINNED_REVERSE_KEYED = [
	'pur.wait-calmly', 'wdr.stay-with-it', 'abf.trust-stays', 'enf.close-and-free',
	'seen.unnoticed', 'giv.leave-to-partner', 'rec.miss-warmth', 'ask.content'
];

const PINNED_SITUATIONS = [
	'after-conflict', 'more-together', 'partner-away', 'unappreciated',
	'outside-stress', 'vulnerable', 'decision', 'after-closeness'
];

/** Every text a person reads from the instrument, with where it comes from. */
function allTexts(): Array<{ where: string; text: Localized }> {
	const texts: Array<{ where: string; text: Localized }> = [];
	for (const item of mainPass()) texts.push({ where: item.id, text: item.text });
	for (const r of instrument.reflections) texts.push({ where: r.id, text: r.text });
	for (const s of instrument.situations) {
		texts.push({ where: `situation ${s.key}`, text: s.label });
		s.reflectionQuestions.forEach((q, i) => texts.push({ where: `situation ${s.key} question ${i}`, text: q }));
	}
	for (const s of instrument.scales) {
		texts.push({ where: `scale ${s.key} name`, text: s.name });
		texts.push({ where: `scale ${s.key} description`, text: s.description });
	}
	for (const [format, labels] of Object.entries(instrument.responseLabels)) {
		labels.forEach((l, i) => texts.push({ where: `${format} label ${i + 1}`, text: l }));
	}
	for (const [key, t] of Object.entries(passTexts)) texts.push({ where: `pass ${key}`, text: t });
	for (const [key, p] of Object.entries(reflectionPerspectives)) {
		texts.push({ where: `perspective ${key} title`, text: p.title });
		texts.push({ where: `perspective ${key} intro`, text: p.intro });
	}
	for (const [key, t] of Object.entries(danceTexts)) {
		texts.push({ where: `dance ${key} title`, text: t.title }, { where: `dance ${key} body`, text: t.body });
		t.steps.forEach((s, i) => texts.push({ where: `dance ${key} step ${i}`, text: s }));
	}
	for (const [key, t] of Object.entries(stanceTexts)) {
		texts.push({ where: `stance ${key} title`, text: t.title }, { where: `stance ${key} body`, text: t.body });
		texts.push({ where: `stance ${key} label`, text: t.label });
		t.steps.forEach((s, i) => texts.push({ where: `stance ${key} step ${i}`, text: s }));
	}
	for (const [key, t] of Object.entries(balanceTexts)) {
		texts.push({ where: `balance ${key} title`, text: t.title }, { where: `balance ${key} body`, text: t.body });
	}
	for (const [key, t] of Object.entries(readingTemplates)) texts.push({ where: `template ${key}`, text: t });
	texts.push({ where: 'not enough title', text: notEnoughAnswersText.title }, { where: 'not enough body', text: notEnoughAnswersText.body });
	return texts;
}

describe('the instrument', () => {
	it('has a version that fits the rounds table (1–40 characters) and is registered under it', () => {
		expect(INSTRUMENT_VERSION.length).toBeGreaterThan(0);
		expect(INSTRUMENT_VERSION.length).toBeLessThanOrEqual(40);
		expect(instrumentFor(INSTRUMENT_VERSION)).toBe(instrument);
		expect(instrumentFor('no-such-version')).toBeUndefined();
		expect(instrumentFor('toString')).toBeUndefined();
	});

	it('keeps its main-pass ids stable, in order', () => {
		expect(mainPass().map((item) => item.id)).toEqual(PINNED_MAIN_PASS_IDS);
	});

	it('has unique ids that the answers table accepts', () => {
		const ids = [...mainPass().map((i) => i.id), ...instrument.reflections.map((r) => r.id)];
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_.-]{1,40}$/);
	});

	it('gives every text in both languages, never empty', () => {
		const texts = allTexts();
		expect(texts.length).toBeGreaterThan(100);
		for (const { where, text } of texts) {
			expect(text.nl.trim(), where).not.toBe('');
			expect(text.en.trim(), where).not.toBe('');
			expect(text.nl, `${where}: Dutch and English differ`).not.toBe(text.en);
		}
	});

	it('never repeats a text', () => {
		for (const locale of ['nl', 'en'] as const) {
			const seen = new Map<string, string>();
			for (const { where, text } of allTexts()) {
				const key = text[locale].toLowerCase();
				expect(seen.get(key), `${where} repeats ${seen.get(key)} (${locale})`).toBeUndefined();
				seen.set(key, where);
			}
		}
	});

	it('gives every scale prompt a known scale and keying, and speaks to the reader ("je" / "you")', () => {
		for (const p of instrument.prompts) {
			expect(SCALE_KEYS, p.id).toContain(p.scale);
			expect(['normal', 'reverse'], p.id).toContain(p.keying);
			expect(p.id.startsWith(`${p.scale.toLowerCase()}.`), `${p.id} is named after its scale`).toBe(true);
			expect(p.text.nl, p.id).toMatch(/\b(je|jij|jou|jouw|jezelf|jullie)\b/i);
			expect(p.text.en, p.id).toMatch(/\b(you|your|yourself)\b/i);
		}
	});

	it('marks the reverse-keyed prompts, and only those', () => {
		expect(instrument.prompts.filter((p) => p.keying === 'reverse').map((p) => p.id)).toEqual(PINNED_REVERSE_KEYED);
	});

	it('meets the least number of prompts per scale from product.md', () => {
		const required = { PUR: 7, WDR: 7, ABF: 4, ENF: 4, GIV: 4, REC: 4, SEEN: 3, ASK: 3, FLIP: 3 };
		expect(instrument.scales.map((s) => s.key)).toEqual(SCALE_KEYS);
		for (const scale of instrument.scales) {
			expect(scale.minPrompts, scale.key).toBe(required[scale.key]);
			expect(promptsOfScale(scale.key).length, scale.key).toBeGreaterThanOrEqual(scale.minPrompts);
		}
	});

	it('has at least the seven situations of product.md, each with exactly one toward and one away prompt', () => {
		expect(instrument.situations.map((s) => s.key)).toEqual(PINNED_SITUATIONS);
		for (const s of instrument.situations) {
			const own = instrument.prompts.filter((p) => p.situation === s.key);
			expect(own.filter((p) => p.scale === 'PUR').length, s.key).toBe(1);
			expect(own.filter((p) => p.scale === 'WDR').length, s.key).toBe(1);
			expect(own.length, s.key).toBe(2);
			// Collisions read these answers as they are: a reversed one would invert the reading.
			for (const p of own) expect(p.keying, p.id).toBe('normal');
			expect(s.reflectionQuestions.length, s.key).toBeGreaterThanOrEqual(1);
			expect(s.reflectionQuestions.length, s.key).toBeLessThanOrEqual(2);
		}
		const keys = new Set(instrument.situations.map((s) => s.key));
		for (const p of instrument.prompts) {
			if (p.situation !== null) expect(keys.has(p.situation), p.id).toBe(true);
			if (p.situation !== null) expect(['PUR', 'WDR'], p.id).toContain(p.scale);
		}
	});

	it('allows predictions on every PUR, WDR, GIV and REC prompt and on nothing else', () => {
		for (const p of instrument.prompts) expect(p.predictable, p.id).toBe(PREDICTABLE_SCALES.includes(p.scale));
		expect(predictionPass().map((p) => p.scale).sort()).toEqual(
			instrument.prompts.filter((p) => ['PUR', 'WDR', 'GIV', 'REC'].includes(p.scale)).map((p) => p.scale).sort()
		);
	});

	it('has the couple-level "who does what" items: both directions and the fairness item', () => {
		expect(instrument.patternItems.map((i) => [i.pattern, i.response])).toEqual([
			['you-reach', 'frequency'],
			['partner-reaches', 'frequency'],
			['fairness', 'fairness']
		]);
	});

	it('offers seven labelled answer choices per format, agreement running from "helemaal niet mee eens" to "helemaal mee eens"', () => {
		for (const labels of Object.values(instrument.responseLabels)) expect(labels).toHaveLength(7);
		expect(instrument.responseLabels.agreement[0].nl).toBe('Helemaal niet mee eens');
		expect(instrument.responseLabels.agreement[6].nl).toBe('Helemaal mee eens');
		expect(instrument.responseLabels.fairness[3].en).toBe('Even');
	});

	it('has the private reflection module: every theme from both perspectives', () => {
		const themes = ['appreciation', 'freedom', 'comparison', 'old-pain', 'models-of-love', 'origins'];
		for (const perspective of ['i-doubt', 'partner-doubts'] as const) {
			const own = instrument.reflections.filter((r) => r.perspective === perspective);
			expect(own.map((r) => r.theme).sort(), perspective).toEqual([...themes].sort());
		}
		for (const r of instrument.reflections) expect(r.id).toBe(`reflect.${r.perspective}.${r.theme}`);
	});

	it('gives two or three steps per stance and per dance', () => {
		for (const t of [...Object.values(stanceTexts), ...Object.values(danceTexts)]) {
			expect(t.steps.length).toBeGreaterThanOrEqual(2);
			expect(t.steps.length).toBeLessThanOrEqual(3);
		}
	});

	it('fills the reading templates with names, in both languages alike', () => {
		const names = { toward: 'Anna', away: 'Ben' };
		for (const locale of ['nl', 'en'] as const) {
			const filled = fillTemplate(readingTemplates.collision[locale], names);
			expect(filled).toContain('Anna');
			expect(filled).toContain('Ben');
			expect(filled).not.toMatch(/[{}]/);
		}
		expect(fillTemplate('{a} and {nobody}', { a: 'Anna', toString: 'x' })).toBe('Anna and {nobody}');
		expect(fillTemplate('{toString}', {})).toBe('{toString}');
	});

	it('estimates the minutes left from what is still unanswered', () => {
		const all = new Set(mainPass().map((i) => i.id));
		const total = secondsLeft(new Set());
		expect(total).toBe(mainPass().reduce((sum, i) => sum + i.seconds, 0));
		expect(secondsLeft(all)).toBe(0);
		expect(minutesLeft(all)).toBe(0);
		const oneLeft = new Set(all);
		oneLeft.delete('abf.leave');
		expect(secondsLeft(oneLeft)).toBe(mainPassItem('abf.leave')!.seconds);
		expect(minutesLeft(oneLeft)).toBe(1);
		expect(secondsLeft(all, { withPredictions: true })).toBe(predictionPass().length * instrument.predictionSeconds);
		expect(secondsLeft(new Set(['not-a-prompt']))).toBe(total);
		for (const item of mainPass()) expect(item.seconds, item.id).toBeGreaterThan(0);
	});
});
