import { describe, expect, it } from 'vitest';
import { instrument, promptsOfScale } from '../instrument/index.ts';
import { answerOf, balance, balanceKind, intensity, lean, partnerProfile, scaleScore, stance, stanceKind } from './index.ts';
import { answersCountingAs, textbookPursuer, uniformAnswers, without } from './test-helpers.ts';

describe('scale scores', () => {
	it('maps the mean of 1–7 onto 0–100: all 1 → 0, all 4 → 50, all 7 → 100 on a scale without reversed prompts', () => {
		expect(promptsOfScale('FLIP').every((p) => p.keying === 'normal')).toBe(true);
		expect(scaleScore(uniformAnswers(1), 'FLIP').score).toBe(0);
		expect(scaleScore(uniformAnswers(4), 'FLIP').score).toBe(50);
		expect(scaleScore(uniformAnswers(7), 'FLIP').score).toBe(100);
		// 3, 4, 5 → mean 4 → 50; 5, 6, 7 → mean 6 → 83⅓.
		expect(scaleScore({ 'flip.stop-reaching': 3, 'flip.both-urges': 4, 'flip.swap': 5 }, 'FLIP').score).toBe(50);
		expect(scaleScore({ 'flip.stop-reaching': 5, 'flip.both-urges': 6, 'flip.swap': 7 }, 'FLIP').score).toBeCloseTo(83.333, 3);
	});

	it('flips reverse-keyed prompts (8 − x): agreeing with every ABF statement is not the same as fearing being left', () => {
		const reversed = promptsOfScale('ABF').filter((p) => p.keying === 'reverse');
		expect(reversed.length).toBe(1);
		const n = promptsOfScale('ABF').length;
		// All 7: four count as 7, the reversed one as 1 → mean (7(n−1) + 1) / n.
		expect(scaleScore(uniformAnswers(7), 'ABF').score).toBeCloseTo((((7 * (n - 1) + 1) / n - 1) / 6) * 100, 10);
		// Strong agreement with "you trust your partner stays" alone scores no fear at all.
		expect(scaleScore({ 'abf.trust-stays': 7, 'abf.leave': 1, 'abf.enough': 1 }, 'ABF').score).toBe(0);
		expect(scaleScore({ 'abf.trust-stays': 1, 'abf.leave': 7, 'abf.enough': 7 }, 'ABF').score).toBe(100);
	});

	it('leaves unanswered prompts out of the mean instead of counting them as neutral', () => {
		const answers = without(uniformAnswers(7), ['flip.swap']);
		expect(scaleScore(answers, 'FLIP')).toEqual({ scale: 'FLIP', score: 100, answered: 2, total: 3 });
		expect(scaleScore({ ...uniformAnswers(7), 'flip.swap': null }, 'FLIP').score).toBe(100);
		expect(scaleScore({ ...uniformAnswers(7), 'flip.swap': undefined }, 'FLIP').answered).toBe(2);
	});

	it('gives no score when fewer than half of the prompts are answered; exactly half is enough', () => {
		const ids = promptsOfScale('GIV').map((p) => p.id);
		expect(ids.length).toBe(5);
		const all = uniformAnswers(6);
		// 3 of 5 answered: scored; 2 of 5 (fewer than half): null.
		expect(scaleScore(without(all, ids.slice(0, 2)), 'GIV').score).not.toBeNull();
		expect(scaleScore(without(all, ids.slice(0, 3)), 'GIV')).toEqual({ scale: 'GIV', score: null, answered: 2, total: 5 });
		// SEEN has 4: 2 of 4 is exactly half.
		const seen = promptsOfScale('SEEN').map((p) => p.id);
		expect(seen.length).toBe(4);
		expect(scaleScore(without(all, seen.slice(0, 2)), 'SEEN').answered).toBe(2);
		expect(scaleScore(without(all, seen.slice(0, 2)), 'SEEN').score).not.toBeNull();
		expect(scaleScore(without(all, seen.slice(0, 3)), 'SEEN').score).toBeNull();
		expect(scaleScore({}, 'SEEN')).toEqual({ scale: 'SEEN', score: null, answered: 0, total: 4 });
	});

	it('ignores ids the instrument does not know and refuses values no answer can have', () => {
		expect(scaleScore({ ...uniformAnswers(4), 'flip.unknown': 7 }, 'FLIP').score).toBe(50);
		for (const bad of [0, 8, 3.5, Number.NaN, -1]) {
			expect(() => scaleScore({ ...uniformAnswers(4), 'flip.swap': bad }, 'FLIP')).toThrow(RangeError);
		}
		expect(answerOf({ toString: 7 } as Record<string, number>, 'toString')).toBe(7);
		expect(answerOf({}, 'toString')).toBeNull();
	});

	it('scores with the instrument it is given, so an old round keeps its own prompts', () => {
		const older = { ...instrument, version: 'older', prompts: instrument.prompts.filter((p) => p.id !== 'flip.swap') };
		const answers = { ...uniformAnswers(7), 'flip.swap': 1 };
		expect(scaleScore(answers, 'FLIP', older)).toEqual({ scale: 'FLIP', score: 100, answered: 2, total: 2 });
		expect(scaleScore(answers, 'FLIP').score).toBe(((5 - 1) / 6) * 100);
	});
});

describe('stance, intensity and balance', () => {
	it('stance is PUR − WDR with "pursue" above +20, "withdraw" below −20, mixed in between (±20 itself is mixed)', () => {
		expect(stance(80, 10)).toBe(70);
		expect(stance(null, 10)).toBeNull();
		expect(stance(10, null)).toBeNull();
		expect(stanceKind(20.0001)).toBe('pursue');
		expect(stanceKind(20)).toBe('mixed');
		expect(stanceKind(-20)).toBe('mixed');
		expect(stanceKind(-20.0001)).toBe('withdraw');
		expect(stanceKind(0)).toBe('mixed');
		expect(stanceKind(null)).toBeNull();
	});

	it('intensity is the larger of PUR and WDR: someone high on both moves strongly even with a mixed stance', () => {
		expect(intensity(90, 85)).toBe(90);
		expect(stanceKind(stance(90, 85))).toBe('mixed');
		expect(intensity(10, 30)).toBe(30);
		expect(intensity(null, 30)).toBeNull();
	});

	it('balance is GIV − REC: above +20 shortchanged, below −20 indebted, otherwise even', () => {
		expect(balance(90, 30)).toBe(60);
		expect(balanceKind(60)).toBe('shortchanged');
		expect(balanceKind(-21)).toBe('indebted');
		expect(balanceKind(20)).toBe('even');
		expect(balance(null, 30)).toBeNull();
		expect(balanceKind(null)).toBeNull();
	});

	it('a textbook pursuer scores PUR 100, WDR 0: stance +100, intensity 100', () => {
		const profile = partnerProfile(textbookPursuer());
		expect(profile.scales.PUR.score).toBe(100);
		expect(profile.scales.WDR.score).toBe(0);
		expect(profile.stance).toBe(100);
		expect(profile.stanceKind).toBe('pursue');
		expect(profile.intensity).toBe(100);
	});

	it('someone who gives everything and receives nothing feels shortchanged by the full 100', () => {
		const profile = partnerProfile(answersCountingAs({ GIV: 7, REC: 1 }));
		expect(profile.balance).toBe(100);
		expect(profile.balanceKind).toBe('shortchanged');
		expect(partnerProfile(answersCountingAs({ GIV: 1, REC: 7 })).balanceKind).toBe('indebted');
	});

	it('stance, intensity and balance stay empty when a scale they need has too few answers', () => {
		const purIds = promptsOfScale('PUR').map((p) => p.id);
		const profile = partnerProfile(without(textbookPursuer(), purIds));
		expect(profile.scales.PUR.score).toBeNull();
		expect(profile.stance).toBeNull();
		expect(profile.stanceKind).toBeNull();
		expect(profile.intensity).toBeNull();
		expect(profile.balance).toBe(0);
	});

	it('lean counts only agreement: 4 or lower is 0, 7 is 100', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map((v) => Math.round(lean(v)))).toEqual([0, 0, 0, 0, 33, 67, 100]);
	});
});
