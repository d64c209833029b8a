import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALE_KEYS, instrument, mainPass, predictionPass, type ScaleKey } from '../instrument/index.ts';
import { scaleScore, scoreCouple, type Collision, type CoupleResult, type PartnerKey, type PatternView } from './index.ts';

const RUNS = { numRuns: 200 };

const answer = fc.integer({ min: 1, max: 7 });
/** An answer set over the main pass, each item left out now and then. */
const scatteredSet = fc.record(Object.fromEntries(mainPass().map((item) => [item.id, fc.option(answer, { nil: null, freq: 6 })])));
/**
 * A person who leans: a level per scale, every prompt answered near it (keying applied),
 * so clear pursuers, withdrawers and both dances turn up often, not only by chance.
 */
const items = mainPass();
const leaningSet = fc
	.tuple(
		fc.record(Object.fromEntries(SCALE_KEYS.map((k) => [k, answer])) as Record<ScaleKey, fc.Arbitrary<number>>),
		fc.array(fc.integer({ min: -1, max: 1 }), { minLength: items.length, maxLength: items.length }),
		fc.array(fc.boolean(), { minLength: items.length, maxLength: items.length })
	)
	.map(([levels, jitter, skipped]) =>
		Object.fromEntries(
			items.map((item, i) => {
				if (skipped[i] && i % 3 === 0) return [item.id, null];
				const level = Math.min(7, Math.max(1, (item.kind === 'scale' ? levels[item.scale] : 4) + jitter[i]));
				return [item.id, item.kind === 'scale' && item.keying === 'reverse' ? 8 - level : level];
			})
		)
	);
const answerSet = fc.oneof(scatteredSet, leaningSet);
/** Guesses on the predictable prompts, often left out. */
const guessSet = fc.record(Object.fromEntries(predictionPass().map((p) => [p.id, fc.option(answer, { nil: null, freq: 3 })])));
const partner = fc.record({ answers: answerSet, predictions: guessSet });
const coupleAnswers = fc.record({ a: partner, b: partner });
/** Every item answered. */
const fullAnswerSet = fc.record(Object.fromEntries(mainPass().map((item) => [item.id, answer])));

const within = (value: number | null, min: number, max: number) => value === null || (value >= min && value <= max);

const other = (p: PartnerKey): PartnerKey => (p === 'a' ? 'b' : 'a');
const negate = (x: number | null) => (x === null ? null : 0 - x);
const swapView = (v: PatternView): PatternView => ({ ...v, aSees: v.bSees, bSees: v.aSees });

/** What the result should be with the partners' places swapped. */
function mirrored(r: CoupleResult): CoupleResult {
	return {
		instrumentVersion: r.instrumentVersion,
		a: r.b,
		b: r.a,
		dance: { ...r.dance, towardPartner: r.dance.towardPartner === null ? null : other(r.dance.towardPartner) },
		situations: r.situations.map((s) => ({ situation: s.situation, a: s.b, b: s.a, aTowardBAway: s.bTowardAAway, bTowardAAway: s.aTowardBAway })),
		collisions: r.collisions.map((c) => ({ ...c, towardPartner: other(c.towardPartner), awayPartner: other(c.awayPartner) })),
		giving: {
			aToB: { ...r.giving.bToA, giver: 'a', receiver: 'b' },
			bToA: { ...r.giving.aToB, giver: 'b', receiver: 'a' }
		},
		perception: {
			aReadsB: { ...r.perception.bReadsA, reader: 'a', read: 'b' },
			bReadsA: { ...r.perception.aReadsB, reader: 'b', read: 'a' },
			overall: r.perception.overall
		},
		pattern: {
			aReachesBRetreats: swapView(r.pattern.bReachesARetreats),
			bReachesARetreats: swapView(r.pattern.aReachesBRetreats),
			fairness: { ...r.pattern.fairness, aSees: negate(r.pattern.fairness.bSees), bSees: negate(r.pattern.fairness.aSees) }
		}
	};
}

/** Collisions in a fixed order (situation, then direction), to compare lists whose ties may order differently. */
const situationOrder = new Map(instrument.situations.map((s, i) => [s.key, i]));
const canonical = (list: readonly Collision[]) =>
	[...list].sort((x, y) => situationOrder.get(x.situation)! - situationOrder.get(y.situation)! || x.towardPartner.localeCompare(y.towardPartner));

describe('scoring invariants', () => {
	it('keeps every figure in its range, and the collisions ranked', () => {
		fc.assert(
			fc.property(coupleAnswers, (input) => {
				const r = scoreCouple(input);
				for (const p of [r.a, r.b]) {
					for (const s of Object.values(p.scales)) expect(within(s.score, 0, 100)).toBe(true);
					expect(within(p.stance, -100, 100)).toBe(true);
					expect(within(p.intensity, 0, 100)).toBe(true);
					expect(within(p.balance, -100, 100)).toBe(true);
				}
				expect(within(r.dance.strength, 0, 100)).toBe(true);
				if (r.dance.type === 'none' || r.dance.type === null) expect(r.dance.strength).toBe(0);
				for (const s of r.situations) {
					expect(within(s.aTowardBAway, 0, 100) && within(s.bTowardAAway, 0, 100)).toBe(true);
				}
				r.collisions.forEach((c, i) => {
					expect(c.strength > 0 && c.strength <= 100).toBe(true);
					if (i > 0) expect(c.strength).toBeLessThanOrEqual(r.collisions[i - 1].strength);
				});
				for (const g of [r.giving.aToB, r.giving.bToA]) {
					expect(within(g.gap, -100, 100) && within(g.unreceived, 0, 100)).toBe(true);
				}
				for (const v of [r.perception.aReadsB.accuracy, r.perception.bReadsA.accuracy, r.perception.overall]) {
					expect(within(v, 0, 100)).toBe(true);
				}
				for (const v of [r.pattern.aReachesBRetreats, r.pattern.bReachesARetreats, r.pattern.fairness]) {
					expect(within(v.difference, 0, 6)).toBe(true);
				}
			}),
			RUNS
		);
	});

	it('mirrors the result when the partners swap places: collisions change direction, the dance stays', () => {
		fc.assert(
			fc.property(coupleAnswers, (input) => {
				const r = scoreCouple(input);
				const swapped = scoreCouple({ a: input.b, b: input.a });
				const expected = mirrored(r);
				expect(swapped.dance).toEqual(expected.dance);
				expect(swapped.dance.type).toBe(r.dance.type);
				expect(canonical(swapped.collisions)).toEqual(canonical(expected.collisions));
				expect({ ...swapped, collisions: [] }).toEqual({ ...expected, collisions: [] });
			}),
			RUNS
		);
	});

	it('raising an answer raises its scale on a normal prompt and lowers it on a reverse-keyed one', () => {
		const prompt = fc.constantFrom(...instrument.prompts);
		fc.assert(
			fc.property(fullAnswerSet, prompt, fc.integer({ min: 1, max: 6 }), (answers, p, from) => {
				const before = scaleScore({ ...answers, [p.id]: from }, p.scale).score!;
				const after = scaleScore({ ...answers, [p.id]: from + 1 }, p.scale).score!;
				if (p.keying === 'reverse') expect(after).toBeLessThan(before);
				else expect(after).toBeGreaterThan(before);
			}),
			RUNS
		);
	});

	it('finds a collision exactly where one partner agrees with moving toward and the other with moving away', () => {
		fc.assert(
			fc.property(coupleAnswers, (input) => {
				const r = scoreCouple(input);
				for (const s of r.situations) {
					const leans = (toward: number | null, away: number | null) => toward !== null && away !== null && toward > 4 && away > 4;
					expect(s.aTowardBAway !== null && s.aTowardBAway > 0).toBe(leans(s.a.toward, s.b.away));
					expect(s.bTowardAAway !== null && s.bTowardAAway > 0).toBe(leans(s.b.toward, s.a.away));
					const listed = r.collisions.filter((c) => c.situation === s.situation).map((c) => c.towardPartner);
					expect(listed.includes('a')).toBe(leans(s.a.toward, s.b.away));
					expect(listed.includes('b')).toBe(leans(s.b.toward, s.a.away));
				}
			}),
			RUNS
		);
	});

	it('names the dance after both partners\' stances', () => {
		fc.assert(
			fc.property(coupleAnswers, (input) => {
				const r = scoreCouple(input);
				const kinds = [r.a.stanceKind, r.b.stanceKind].sort().join('+');
				const expected =
					r.a.stanceKind === null || r.b.stanceKind === null
						? null
						: kinds === 'pursue+withdraw'
							? 'pursue-withdraw'
							: kinds === 'pursue+pursue'
								? 'pursue-pursue'
								: kinds === 'withdraw+withdraw'
									? 'withdraw-withdraw'
									: 'none';
				expect(r.dance.type).toBe(expected);
				if (r.dance.type === 'pursue-withdraw') expect(r[r.dance.towardPartner!].stanceKind).toBe('pursue');
			}),
			RUNS
		);
	});
});
