import { describe, expect, it } from 'vitest';
import { instrument } from '#lib/instrument/index.ts';
import { scoreCouple } from '#lib/scoring/index.ts';
import { demoCouples, type DemoCoupleKey } from '#lib/scoring/fixtures.ts';
import { cycleMoves, fill } from './readings.ts';
import { buildSharedView, cyclePrefill, overTime } from './view-model.ts';

const info = { a: { name: 'Anna', isMe: true }, b: { name: 'Ben', isMe: false } };
const keys = Object.keys(demoCouples) as DemoCoupleKey[];

describe('the shared view model', () => {
	it.each(keys)('shows the dance and the collisions exactly as the scoring module ranks them (%s)', (key) => {
		const result = scoreCouple(demoCouples[key], instrument);
		const view = buildSharedView(result, info, instrument, 'nl');
		expect(view.danceType).toBe(result.dance.type);
		expect(view.collisions.map((c) => c.situation)).toEqual(result.collisions.map((c) => c.situation));
		// Every situation is either a collision or "where you move the same way", never both.
		expect([...view.collisions.map((c) => c.situation), ...view.sameWay.map((s) => s.situation)].sort()).toEqual(instrument.situations.map((s) => s.key).sort());
		expect(view.partners.a.stance).toBe(Math.round(result.a.stance!));
		expect(view.partners.b.balance).toBe(Math.round(result.b.balance!));
	});

	it('names the partner who reaches out in each collision reading and asks the situation’s questions', () => {
		const view = buildSharedView(scoreCouple(demoCouples.pursueWithdraw, instrument), info, instrument, 'en');
		const first = view.collisions[0];
		expect(first.towardName).toBe('Anna');
		expect(first.reading).toContain('Anna');
		expect(first.reading).toContain('Ben');
		expect(first.questions.length).toBeGreaterThan(0);
		expect(view.partners.a.reading.join(' ')).not.toMatch(/pursuer|withdrawer|diagnos/i);
	});

	it('prefills the cycle from the strongest collision: the one who reaches out says so, the other steps back', () => {
		const steps = cyclePrefill(scoreCouple(demoCouples.pursueWithdraw, instrument), 'nl');
		expect(steps.a.when).toBe(cycleMoves.toward.first.nl);
		expect(steps.b.when).toBe(cycleMoves.away.first.nl);
		expect(steps.a.feel).not.toBe(steps.b.feel);
	});

	it('calls giving that does not arrive an imbalance only when there is one', () => {
		const uneven = buildSharedView(scoreCouple(demoCouples.pursueWithdraw, instrument), info, instrument, 'en');
		const even = buildSharedView(scoreCouple(demoCouples.balanced, instrument), info, instrument, 'en');
		expect(uneven.givingReading).toMatch(/two sides of one imbalance/);
		expect(even.givingReading).not.toMatch(/imbalance/);
	});

	it('shows change over time only from the second revealed round on', () => {
		const round = (answers: (typeof demoCouples)[DemoCoupleKey], at: string) => ({ id: at, revealedAt: at, instrumentVersion: instrument.version, answers });
		expect(overTime([round(demoCouples.balanced, '2026-01-01')], { a: 'Anna', b: 'Ben' }, 'nl')).toBeNull();
		const trend = overTime([round(demoCouples.balanced, '2026-01-01'), round(demoCouples.pursueWithdraw, '2026-04-01')], { a: 'Anna', b: 'Ben' }, 'nl')!;
		expect(trend.dates).toHaveLength(2);
		const stanceA = trend.rows.find((r) => r.label.startsWith('Anna: naar'))!;
		const before = Math.round(scoreCouple(demoCouples.balanced, instrument).a.stance!);
		const after = Math.round(scoreCouple(demoCouples.pursueWithdraw, instrument).a.stance!);
		expect(stanceA.values).toEqual([before, after]);
		expect(stanceA.change).toBeCloseTo(after - before, 0);
	});

	it('fills named slots and leaves unknown ones alone', () => {
		expect(fill({ nl: '{a} en {x}', en: '{a} and {x}' }, 'en', { a: 'Anna' })).toBe('Anna and {x}');
	});
});
