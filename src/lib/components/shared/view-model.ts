/**
 * The shared view's figures, ready to show: scored with the scoring module, rounded,
 * and with every text already in the reader's language. Built on the server, so the
 * browser gets plain data and never loads the instrument or the scoring code.
 */
import { danceTexts, fillTemplate, instrumentFor, readingTemplates, stanceTexts, type Instrument, type Locale, type ScaleKey, type SituationKey } from '#lib/instrument/index.ts';
import { changeOverRounds, scoreCouple, type CoupleAnswers, type CoupleResult, type PartnerKey } from '#lib/scoring/index.ts';
import {
	collisionReading,
	cycleFeel,
	cycleMoves,
	cycleYou,
	danceGapReading,
	fearReadings,
	fill,
	giveTakeEven,
	giveTakeReading,
	notADiagnosis,
	perceptionReadings,
	sameWayReading,
	stanceReadings
} from './readings.ts';

/** A fear scale counts as "clearly present" from this score (0–100) on. */
const FEAR_PRESENT = 55;
/** Unreceived giving below this (0–100) is not called an imbalance. */
const IMBALANCE = 15;

export interface PartnerView {
	key: PartnerKey;
	name: string;
	isMe: boolean;
	stance: number | null;
	balance: number | null;
	stanceLabel: string;
	reading: string[];
	fears: { ABF: number | null; ENF: number | null };
	give: number | null;
	receive: number | null;
	seen: number | null;
	neverEnough: number | null;
}

export interface CollisionView {
	situation: SituationKey;
	label: string;
	strength: number;
	towardName: string;
	awayName: string;
	towardPartner: PartnerKey;
	/** Both partners' answers in this situation, 1–7 as keyed (toward, away). */
	moves: Record<PartnerKey, { toward: number | null; away: number | null }>;
	reading: string;
	questions: string[];
}

export interface GivingView {
	giverName: string;
	receiverName: string;
	given: number | null;
	received: number | null;
	unreceived: number | null;
	/** A sentence when giving in this direction seems not to arrive; empty otherwise. */
	reading: string;
}

export interface PredictionRow {
	promptId: string;
	text: string;
	predicted: number;
	actual: number;
	gap: number;
}

export interface CycleSide {
	when: string;
	you: string;
	feel: string;
	then: string;
}
export type CycleSteps = Record<PartnerKey, CycleSide>;

export interface TrendRow {
	label: string;
	values: (number | null)[];
	change: number | null;
}

export interface SharedView {
	danceType: CoupleResult['dance']['type'];
	danceTitle: string;
	danceBody: string;
	danceStrength: number;
	gapReading: string;
	partners: Record<PartnerKey, PartnerView>;
	/** Distance between the two dots on the map (both axes −100…100), or null. */
	gap: number | null;
	collisions: CollisionView[];
	sameWay: { situation: SituationKey; label: string }[];
	sameWayReading: string;
	giving: Record<'aToB' | 'bToA', GivingView>;
	givingReading: string;
	perception: {
		overall: number | null;
		aReadsB: number | null;
		bReadsA: number | null;
		reading: string | null;
		rows: Record<'aReadsB' | 'bReadsA', PredictionRow[]>;
	};
	cyclePrefill: CycleSteps;
	responseLabels: string[];
}

export interface PartnerInfo {
	name: string;
	isMe: boolean;
}

const round = (n: number | null) => (n === null ? null : Math.round(n));
const other = (p: PartnerKey): PartnerKey => (p === 'a' ? 'b' : 'a');

function highestFear(result: CoupleResult, p: PartnerKey): 'ABF' | 'ENF' | null {
	const abf = result[p].scales.ABF.score;
	const enf = result[p].scales.ENF.score;
	if (abf === null && enf === null) return null;
	return (abf ?? -1) >= (enf ?? -1) ? 'ABF' : 'ENF';
}

function partnerView(result: CoupleResult, p: PartnerKey, info: PartnerInfo, locale: Locale): PartnerView {
	const profile = result[p];
	const score = (k: ScaleKey) => round(profile.scales[k].score);
	const kind = profile.stanceKind;
	const fear = highestFear(result, p);
	const fearScore = fear ? profile.scales[fear].score : null;
	const reading: string[] = [];
	if (kind) reading.push(fill(stanceReadings[kind], locale, { name: info.name }));
	reading.push(fill(fear && fearScore !== null && fearScore >= FEAR_PRESENT ? fearReadings[fear] : fearReadings.low, locale, {}));
	reading.push(fill(notADiagnosis, locale, { name: info.name }));
	return {
		key: p,
		name: info.name,
		isMe: info.isMe,
		stance: round(profile.stance),
		balance: round(profile.balance),
		stanceLabel: kind ? stanceTexts[kind].label[locale] : '',
		reading,
		fears: { ABF: score('ABF'), ENF: score('ENF') },
		give: score('GIV'),
		receive: score('REC'),
		seen: score('SEEN'),
		neverEnough: score('ASK')
	};
}

function predictionRows(result: CoupleResult, which: 'aReadsB' | 'bReadsA', inst: Instrument, locale: Locale): PredictionRow[] {
	return result.perception[which].prompts.map((row) => ({
		promptId: row.promptId,
		text: inst.prompts.find((p) => p.id === row.promptId)?.text[locale] ?? row.promptId,
		predicted: row.predicted,
		actual: row.actual,
		gap: row.gap
	}));
}

/** The cycle as each partner might say it, from the strongest collision and their highest fear. */
export function cyclePrefill(result: CoupleResult, locale: Locale): CycleSteps {
	const strongest = result.collisions[0];
	const moveOf = (p: PartnerKey): 'toward' | 'away' => {
		if (strongest) return strongest.towardPartner === p ? 'toward' : 'away';
		return (result[p].stance ?? 0) >= 0 ? 'toward' : 'away';
	};
	const side = (p: PartnerKey): CycleSide => {
		const mine = moveOf(p);
		const theirs = moveOf(other(p));
		const fear = highestFear(result, p) ?? (mine === 'toward' ? 'ABF' : 'ENF');
		return {
			when: cycleMoves[mine].first[locale],
			you: cycleYou[theirs][locale],
			feel: cycleFeel[fear][locale],
			then: cycleMoves[mine].more[locale]
		};
	};
	return { a: side('a'), b: side('b') };
}

export function buildSharedView(result: CoupleResult, info: Record<PartnerKey, PartnerInfo>, inst: Instrument, locale: Locale): SharedView {
	const situation = (key: SituationKey) => inst.situations.find((s) => s.key === key);
	const partners = { a: partnerView(result, 'a', info.a, locale), b: partnerView(result, 'b', info.b, locale) };
	const { a, b } = partners;
	const gap = a.stance === null || b.stance === null || a.balance === null || b.balance === null ? null : Math.round(Math.hypot(a.stance - b.stance, a.balance - b.balance));

	const collided = new Set(result.collisions.map((c) => c.situation));
	const collisions = result.collisions.map((c): CollisionView => {
		const s = result.situations.find((r) => r.situation === c.situation)!;
		return {
			situation: c.situation,
			label: situation(c.situation)?.label[locale] ?? c.situation,
			strength: Math.round(c.strength),
			towardName: info[c.towardPartner].name,
			awayName: info[c.awayPartner].name,
			towardPartner: c.towardPartner,
			moves: { a: { ...s.a }, b: { ...s.b } },
			reading: [
				fillTemplate(readingTemplates.collision[locale], { toward: info[c.towardPartner].name, away: info[c.awayPartner].name }),
				fill(collisionReading, locale, {})
			].join(' '),
			questions: (situation(c.situation)?.reflectionQuestions ?? []).map((q) => q[locale])
		};
	});
	const sameWay = result.situations.filter((s) => !collided.has(s.situation)).map((s) => ({ situation: s.situation, label: situation(s.situation)?.label[locale] ?? s.situation }));

	const giving = (g: CoupleResult['giving']['aToB']): GivingView => ({
		giverName: info[g.giver].name,
		receiverName: info[g.receiver].name,
		given: round(g.given),
		received: round(g.received),
		unreceived: round(g.unreceived),
		reading:
			(g.unreceived ?? 0) >= IMBALANCE
				? fillTemplate(readingTemplates.unreceivedGiving[locale], { giver: info[g.giver].name, receiver: info[g.receiver].name })
				: ''
	});
	const imbalance = Math.max(result.giving.aToB.unreceived ?? 0, result.giving.bToA.unreceived ?? 0) >= IMBALANCE;

	const overall = round(result.perception.overall);
	const perceptionKey = overall === null ? null : overall >= 80 ? 'close' : overall >= 60 ? 'some' : 'far';
	const dance = result.dance.type ? danceTexts[result.dance.type] : null;

	return {
		danceType: result.dance.type,
		danceTitle: dance?.title[locale] ?? '',
		danceBody: dance?.body[locale] ?? '',
		danceStrength: Math.round(result.dance.strength),
		gapReading: danceGapReading[locale],
		partners,
		gap,
		collisions,
		sameWay,
		sameWayReading: sameWayReading[locale],
		giving: { aToB: giving(result.giving.aToB), bToA: giving(result.giving.bToA) },
		givingReading: (imbalance ? giveTakeReading : giveTakeEven)[locale],
		perception: {
			overall,
			aReadsB: round(result.perception.aReadsB.accuracy),
			bReadsA: round(result.perception.bReadsA.accuracy),
			reading: perceptionKey ? perceptionReadings[perceptionKey][locale] : null,
			rows: { aReadsB: predictionRows(result, 'aReadsB', inst, locale), bReadsA: predictionRows(result, 'bReadsA', inst, locale) }
		},
		cyclePrefill: cyclePrefill(result, locale),
		responseLabels: inst.responseLabels.agreement.map((l) => l[locale])
	};
}

/** The figures worth following over rounds, each with a plain label. */
const trendFigures: readonly { figure: string; label: (names: Record<PartnerKey, string>) => Record<Locale, string> }[] = [
	{ figure: 'a.stance', label: (n) => ({ nl: `${n.a}: naar de ander toe ↔ afstand`, en: `${n.a}: toward ↔ away` }) },
	{ figure: 'b.stance', label: (n) => ({ nl: `${n.b}: naar de ander toe ↔ afstand`, en: `${n.b}: toward ↔ away` }) },
	{ figure: 'a.balance', label: (n) => ({ nl: `${n.a}: geven ↔ ontvangen`, en: `${n.a}: giving ↔ receiving` }) },
	{ figure: 'b.balance', label: (n) => ({ nl: `${n.b}: geven ↔ ontvangen`, en: `${n.b}: giving ↔ receiving` }) },
	{ figure: 'dance.strength', label: () => ({ nl: 'Hoe duidelijk de dans is', en: 'How clear the dance is' }) },
	{ figure: 'giving.a-to-b.gap', label: (n) => ({ nl: `Geven van ${n.a} dat niet aankomt`, en: `${n.a}'s giving that does not arrive` }) },
	{ figure: 'giving.b-to-a.gap', label: (n) => ({ nl: `Geven van ${n.b} dat niet aankomt`, en: `${n.b}'s giving that does not arrive` }) },
	{ figure: 'perception.overall', label: () => ({ nl: 'Hoe goed jullie elkaar lezen', en: 'How well you read each other' }) }
];

export interface RoundAnswers {
	id: string;
	revealedAt: string;
	instrumentVersion: string;
	answers: CoupleAnswers;
}

/** How the main figures moved over the couple's revealed rounds (oldest first); null for fewer than two. */
export function overTime(rounds: readonly RoundAnswers[], names: Record<PartnerKey, string>, locale: Locale): { dates: string[]; rows: TrendRow[]; danceTitles: string[] } | null {
	const scored = rounds.flatMap((r) => {
		const inst = instrumentFor(r.instrumentVersion);
		return inst ? [{ round: r, result: scoreCouple(r.answers, inst) }] : [];
	});
	if (scored.length < 2) return null;
	const change = changeOverRounds(scored.map((s) => s.result));
	const rows = trendFigures.map(({ figure, label }): TrendRow => {
		const found = change.figures.find((f) => f.figure === figure);
		return { label: label(names)[locale], values: (found?.values ?? []).map(round), change: round(found?.change ?? null) };
	});
	return {
		dates: scored.map((s) => s.round.revealedAt),
		rows,
		danceTitles: change.danceTypes.map((t) => (t ? danceTexts[t].title[locale] : '–'))
	};
}
