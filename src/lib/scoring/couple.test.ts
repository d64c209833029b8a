import { describe, expect, it } from 'vitest';
import { instrument, predictionPass, promptsOfScale } from '../instrument/index.ts';
import { demoCouples } from './fixtures.ts';
import {
	changeOverRounds,
	collisionStrength,
	dance,
	figureExplanations,
	patternComparison,
	rankedCollisions,
	roundFigures,
	scoreCouple,
	situationReadings,
	type AnswerSet
} from './index.ts';
import { answersCountingAs, textbookPursuer, textbookWithdrawer, uniformAnswers, without } from './test-helpers.ts';

const couple = (a: AnswerSet, b: AnswerSet, predictions: { a?: AnswerSet; b?: AnswerSet } = {}) =>
	scoreCouple({ a: { answers: a, predictions: predictions.a }, b: { answers: b, predictions: predictions.b } });

const situationKeys = instrument.situations.map((s) => s.key);

describe('the edge cases of product.md', () => {
	it('all-neutral answers: every scale 50, stances 0 and mixed, no dance, no collisions, views alike', () => {
		const r = couple(uniformAnswers(4), uniformAnswers(4));
		for (const profile of [r.a, r.b]) {
			for (const s of Object.values(profile.scales)) expect(s.score, s.scale).toBe(50);
			expect(profile.stance).toBe(0);
			expect(profile.stanceKind).toBe('mixed');
			expect(profile.intensity).toBe(50);
			expect(profile.balance).toBe(0);
			expect(profile.balanceKind).toBe('even');
		}
		expect(r.dance).toEqual({ type: 'none', strength: 0, towardPartner: null });
		expect(r.collisions).toEqual([]);
		for (const s of r.situations) {
			expect(s.aTowardBAway).toBe(0);
			expect(s.bTowardAAway).toBe(0);
		}
		expect(r.giving.aToB).toEqual({ giver: 'a', receiver: 'b', given: 50, received: 50, gap: 0, unreceived: 0 });
		expect(r.pattern.fairness).toEqual({ aSees: 0, bSees: 0, difference: 0, seenDifferently: false });
		expect(r.perception.overall).toBeNull();
	});

	it('a textbook pursuer with a textbook withdrawer: pursue–withdraw at full strength, a collision in every situation, one way only', () => {
		const r = couple(textbookPursuer(), textbookWithdrawer());
		expect(r.a.stance).toBe(100);
		expect(r.b.stance).toBe(-100);
		expect(r.dance).toEqual({ type: 'pursue-withdraw', strength: 100, towardPartner: 'a' });
		expect(r.collisions.map((c) => c.situation)).toEqual(situationKeys);
		for (const c of r.collisions) {
			expect(c).toMatchObject({ towardPartner: 'a', awayPartner: 'b', towardAnswer: 7, awayAnswer: 7, strength: 100 });
		}
		for (const s of r.situations) expect(s.bTowardAAway).toBe(0);
		// The other way round, B is the one moving toward.
		const swapped = couple(textbookWithdrawer(), textbookPursuer());
		expect(swapped.dance).toEqual({ type: 'pursue-withdraw', strength: 100, towardPartner: 'b' });
		expect(swapped.collisions.every((c) => c.towardPartner === 'b')).toBe(true);
	});

	it('two pursuers: pursue–pursue, and no collisions because neither moves away', () => {
		const r = couple(textbookPursuer(), answersCountingAs({ PUR: 6, WDR: 2 }));
		expect(r.dance.type).toBe('pursue-pursue');
		// The weaker pursuer: PUR 83⅓ − WDR 16⅔ = 66⅔.
		expect(r.dance.strength).toBeCloseTo(200 / 3, 10);
		expect(r.dance.towardPartner).toBeNull();
		expect(r.collisions).toEqual([]);
	});

	it('two withdrawers: withdraw–withdraw, the quiet dance, with no collisions either', () => {
		const r = couple(textbookWithdrawer(), answersCountingAs({ PUR: 3, WDR: 6 }));
		expect(r.dance.type).toBe('withdraw-withdraw');
		expect(r.dance.strength).toBeCloseTo(50, 10);
		expect(r.collisions).toEqual([]);
	});

	it('one clear pursuer with a partner in the middle: no dance, yet collisions where the partner does lean away', () => {
		const middle = { ...uniformAnswers(4), 'wdr.decision': 6 };
		const r = couple(textbookPursuer(), middle);
		expect(r.dance.type).toBe('none');
		expect(r.collisions).toEqual([
			{ situation: 'decision', towardPartner: 'a', awayPartner: 'b', towardAnswer: 7, awayAnswer: 6, strength: (2 / 3) * 100 }
		]);
	});

	it('missing answers: a dance needs both stances; a collision needs both answers', () => {
		const purIds = promptsOfScale('PUR').map((p) => p.id);
		const r = couple(textbookPursuer(), without(textbookWithdrawer(), purIds.slice(0, 6)));
		expect(r.b.scales.PUR.score).toBeNull();
		expect(r.dance).toEqual({ type: null, strength: 0, towardPartner: null });
		// B's away answers are all there, so A's toward moves still collide everywhere.
		expect(r.collisions).toHaveLength(situationKeys.length);

		const noAway = couple(textbookPursuer(), without(textbookWithdrawer(), ['wdr.after-conflict']));
		const afterConflict = noAway.situations.find((s) => s.situation === 'after-conflict')!;
		expect(afterConflict.b).toEqual({ toward: 1, away: null });
		expect(afterConflict.aTowardBAway).toBeNull();
		expect(noAway.collisions.map((c) => c.situation)).not.toContain('after-conflict');
		expect(noAway.collisions).toHaveLength(situationKeys.length - 1);

		const empty = couple({}, {});
		expect(empty.a.stance).toBeNull();
		expect(empty.dance.type).toBeNull();
		expect(empty.collisions).toEqual([]);
		expect(empty.giving.aToB.gap).toBeNull();
		expect(empty.pattern.aReachesBRetreats).toEqual({ aSees: null, bSees: null, difference: null, seenDifferently: false });
	});

	it('reversed prompts: a pursuer answering the reversed PUR prompt in the reverse direction still scores 100', () => {
		const answers = textbookPursuer();
		expect(answers['pur.wait-calmly']).toBe(1);
		expect(answers['wdr.stay-with-it']).toBe(7);
		expect(couple(answers, uniformAnswers(4)).a.scales.PUR.score).toBe(100);
		// Agreeing with "you can calmly wait" pulls PUR down, not up.
		const calm = couple({ ...answers, 'pur.wait-calmly': 7 }, uniformAnswers(4)).a.scales.PUR.score!;
		expect(calm).toBeLessThan(100);
		expect(calm).toBeCloseTo(((((7 * 8 + 1) / 9) - 1) / 6) * 100, 10);
	});
});

describe('dance', () => {
	it('needs both partners beyond ±20; exactly 20 is not beyond', () => {
		expect(dance(21, -21).type).toBe('pursue-withdraw');
		expect(dance(20, -60).type).toBe('none');
		expect(dance(60, 60).strength).toBe(60);
		expect(dance(30, 90)).toEqual({ type: 'pursue-pursue', strength: 30, towardPartner: null });
		expect(dance(-90, 45)).toEqual({ type: 'pursue-withdraw', strength: 45, towardPartner: 'b' });
		expect(dance(null, 45).type).toBeNull();
	});
});

describe('collisions', () => {
	it('strength is the smaller lean of the toward and the away answer, 0 unless both agree', () => {
		expect(collisionStrength(7, 7)).toBe(100);
		expect(collisionStrength(7, 5)).toBeCloseTo(100 / 3, 10);
		expect(collisionStrength(6, 7)).toBeCloseTo(200 / 3, 10);
		expect(collisionStrength(7, 4)).toBe(0);
		expect(collisionStrength(1, 7)).toBe(0);
		expect(collisionStrength(null, 7)).toBeNull();
	});

	it('are ranked strongest first; ties go to the harder combined lean, then instrument order, then A moving toward', () => {
		const a = { ...uniformAnswers(4), 'pur.more-together': 5, 'pur.after-closeness': 7, 'pur.vulnerable': 6, 'wdr.vulnerable': 6 };
		const b = { ...uniformAnswers(4), 'wdr.more-together': 5, 'wdr.after-closeness': 5, 'wdr.vulnerable': 6, 'pur.vulnerable': 6 };
		const ranked = rankedCollisions(situationReadings(a, b));
		expect(ranked.map((c) => `${c.situation}/${c.towardPartner}`)).toEqual([
			// 66⅔ both ways in the same situation: A moving toward first.
			'vulnerable/a',
			'vulnerable/b',
			// Both 33⅓; after-closeness leans harder (7 + 5) than more-together (5 + 5), though it comes later.
			'after-closeness/a',
			'more-together/a'
		]);
		expect(ranked.map((c) => Math.round(c.strength))).toEqual([67, 67, 33, 33]);
	});
});

describe('unreceived giving', () => {
	it('sets what one partner gives against what the other receives, both ways', () => {
		const a = answersCountingAs({ GIV: 7, REC: 2 });
		const b = answersCountingAs({ GIV: 3, REC: 4 });
		const r = couple(a, b);
		expect(r.giving.aToB).toEqual({ giver: 'a', receiver: 'b', given: 100, received: 50, gap: 50, unreceived: 50 });
		expect(r.giving.bToA.given).toBeCloseTo(100 / 3, 10);
		expect(r.giving.bToA.received).toBeCloseTo(100 / 6, 10);
		expect(r.giving.bToA.gap).toBeCloseTo(100 / 6, 10);
		// B receives more than A feels A gives: nothing unreceived, a negative gap.
		const generous = couple(answersCountingAs({ GIV: 4 }), answersCountingAs({ REC: 7 }));
		expect(generous.giving.aToB.gap).toBe(-50);
		expect(generous.giving.aToB.unreceived).toBe(0);
	});
});

describe('perception gaps', () => {
	it('compares each guess with the real answer, per prompt and overall', () => {
		const a = uniformAnswers(4);
		const b = textbookWithdrawer();
		// A guesses B exactly on every predictable prompt; B guesses A off by 3 everywhere.
		const aGuesses = Object.fromEntries(predictionPass().map((p) => [p.id, b[p.id]]));
		const bGuesses = Object.fromEntries(predictionPass().map((p) => [p.id, 7]));
		const r = couple(a, b, { a: aGuesses, b: bGuesses });
		expect(r.perception.aReadsB.accuracy).toBe(100);
		expect(r.perception.aReadsB.prompts).toHaveLength(predictionPass().length);
		expect(r.perception.aReadsB.scales.WDR).toEqual({ predicted: 100, actual: 100, difference: 0 });
		expect(r.perception.bReadsA.accuracy).toBe(50);
		expect(r.perception.bReadsA.prompts[0]).toMatchObject({ predicted: 7, actual: 4, difference: 3, gap: 3 });
		expect(r.perception.overall).toBe(75);
		// Guessing 7 everywhere counts reversed prompts reversed too: the guessed PUR score sits between.
		expect(r.perception.bReadsA.scales.PUR.predicted).toBeLessThan(100);
		expect(r.perception.bReadsA.scales.PUR.actual).toBe(50);
	});

	it('counts only prompts with both a guess and an answer, and ignores guesses on prompts that take none', () => {
		const r = couple(without(uniformAnswers(4), ['pur.after-conflict']), uniformAnswers(4), {
			b: { 'pur.after-conflict': 7, 'wdr.after-conflict': 1, 'abf.leave': 1 }
		});
		expect(r.perception.bReadsA.prompts.map((p) => p.promptId)).toEqual(['wdr.after-conflict']);
		expect(r.perception.bReadsA.accuracy).toBe(50);
		expect(r.perception.aReadsB.accuracy).toBeNull();
		expect(r.perception.overall).toBe(50);
		expect(r.perception.bReadsA.scales.WDR.predicted).toBeNull();
	});
});

describe('who does what, as each sees it', () => {
	it('lines up the same event from both sides and flags views two or more points apart', () => {
		const a = { 'who.you-reach': 6, 'who.partner-reaches': 2, 'who.fairness': 2 };
		const b = { 'who.you-reach': 5, 'who.partner-reaches': 3, 'who.fairness': 2 };
		const r = patternComparison(a, b);
		// A says A reaches often (6); B says that happens sometimes (3).
		expect(r.aReachesBRetreats).toEqual({ aSees: 6, bSees: 3, difference: 3, seenDifferently: true });
		expect(r.bReachesARetreats).toEqual({ aSees: 2, bSees: 5, difference: 3, seenDifferently: true });
		// Each says the other gets the better deal (−2 from each side): on A's axis −2 against +2.
		expect(r.fairness).toEqual({ aSees: -2, bSees: 2, difference: 4, seenDifferently: true });
		const agree = patternComparison({ 'who.fairness': 6 }, { 'who.fairness': 2 });
		expect(agree.fairness).toEqual({ aSees: 2, bSees: 2, difference: 0, seenDifferently: false });
		expect(patternComparison({ 'who.you-reach': 4 }, { 'who.partner-reaches': 5 }).aReachesBRetreats.seenDifferently).toBe(false);
	});
});

describe('change over rounds', () => {
	it('gives every figure per round with the deltas between rounds and from first to last', () => {
		const first = couple(textbookPursuer(), textbookWithdrawer());
		const second = couple(answersCountingAs({ PUR: 5, WDR: 4 }), answersCountingAs({ PUR: 3, WDR: 5 }));
		const third = couple({}, answersCountingAs({ PUR: 4, WDR: 4 }));
		const change = changeOverRounds([first, second, third]);
		expect(change.rounds).toBe(3);
		expect(change.danceTypes).toEqual(['pursue-withdraw', 'none', null]);
		const stanceA = change.figures.find((f) => f.figure === 'a.stance')!;
		expect(stanceA.values[0]).toBe(100);
		expect(stanceA.values[1]).toBeCloseTo(100 / 6, 10);
		expect(stanceA.values[2]).toBeNull();
		expect(stanceA.deltas[0]).toBeCloseTo(100 / 6 - 100, 10);
		expect(stanceA.deltas[1]).toBeNull();
		expect(stanceA.change).toBeNull();
		const stanceB = change.figures.find((f) => f.figure === 'b.stance')!;
		expect(stanceB.change).toBe(100);
		const collision = change.figures.find((f) => f.figure === 'collision.after-conflict.a-toward')!;
		expect(collision.values[0]).toBe(100);
		expect(collision.values[1]).toBeCloseTo(100 / 3, 10);
		expect(collision.values[2]).toBeNull();
		expect(changeOverRounds([first]).figures.every((f) => f.deltas.length === 0 && f.change === null)).toBe(true);
		expect(Object.keys(roundFigures(first))).toEqual(change.figures.map((f) => f.figure));
	});
});

describe('the demo couples', () => {
	it('score as their names say', () => {
		const pw = scoreCouple(demoCouples.pursueWithdraw);
		expect(pw.dance.type).toBe('pursue-withdraw');
		expect(pw.dance.towardPartner).toBe('a');
		expect(pw.collisions.length).toBeGreaterThan(3);
		expect(pw.collisions.every((c) => c.towardPartner === 'a')).toBe(true);
		expect(scoreCouple(demoCouples.twoPursuers).dance.type).toBe('pursue-pursue');
		const balanced = scoreCouple(demoCouples.balanced);
		expect(balanced.dance.type).toBe('none');
		expect([balanced.a.balanceKind, balanced.b.balanceKind]).toEqual(['even', 'even']);
	});

	it('answer every main-pass item and guess every predictable prompt, with valid values', () => {
		const ids = [...instrument.prompts.map((p) => p.id), ...instrument.patternItems.map((i) => i.id)].sort();
		for (const [name, c] of Object.entries(demoCouples)) {
			for (const partner of [c.a, c.b]) {
				expect(Object.keys(partner.answers).sort(), name).toEqual(ids);
				expect(Object.keys(partner.predictions ?? {}).sort(), name).toEqual(predictionPass().map((p) => p.id).sort());
				for (const v of [...Object.values(partner.answers), ...Object.values(partner.predictions ?? {})]) {
					expect(Number.isInteger(v) && v! >= 1 && v! <= 7, name).toBe(true);
				}
			}
		}
	});
});

describe('how we calculate this', () => {
	it('explains every figure in Dutch and English', () => {
		for (const [key, e] of Object.entries(figureExplanations)) {
			for (const t of [e.title, e.body]) {
				expect(t.nl.length, key).toBeGreaterThan(5);
				expect(t.en.length, key).toBeGreaterThan(5);
				expect(t.nl, key).not.toBe(t.en);
			}
		}
		expect(Object.keys(figureExplanations)).toEqual(
			expect.arrayContaining(['scale', 'missing', 'stance', 'intensity', 'balance', 'dance', 'collision', 'unreceived-giving', 'perception', 'who-does-what', 'change'])
		);
	});
});
