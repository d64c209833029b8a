/**
 * Reads a revealed round for the shared view with the person's own client, so row-level
 * security decides: a round of another couple, an open round, or a round of a couple
 * the person has left reads as nothing, and the route answers 404.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';
import type { AnswerSet, CoupleAnswers, PartnerKey } from '#lib/scoring/index.ts';
import type { PartnerInfo, RoundAnswers } from '#lib/components/shared/view-model.ts';

type Client = SupabaseClient<Database>;

export interface LoadedRound {
	id: string;
	coupleId: string;
	instrumentVersion: string;
	revealedAt: string;
}

export interface SharedData {
	round: LoadedRound;
	/** Partner a is the one who joined first; the same person is `a` in every round. */
	ids: Record<PartnerKey, string>;
	info: Record<PartnerKey, PartnerInfo>;
	/** Every revealed round of the couple, oldest first, with both partners' answers. */
	rounds: RoundAnswers[];
	notes: { situation_id: string; body: string; discussed_at: string | null; updated_at: string }[];
	cycle: Record<string, unknown> | null;
	agreements: { id: string; body: string; done: boolean; position: number }[];
}

/** The newest revealed round of the person's couple, or null. */
export async function latestRevealedRound(supabase: Client): Promise<string | null> {
	const { data, error } = await supabase.from('rounds').select('id').not('revealed_at', 'is', null).order('revealed_at', { ascending: false }).limit(1);
	if (error) throw error;
	return data[0]?.id ?? null;
}

export async function loadSharedRound(supabase: Client, userId: string, roundId: string): Promise<SharedData | null> {
	const { data: round, error } = await supabase.from('rounds').select('id, couple_id, instrument_version, revealed_at').eq('id', roundId).not('revealed_at', 'is', null).maybeSingle();
	if (error) throw error;
	if (!round?.revealed_at) return null;

	const { data: members, error: membersError } = await supabase.from('couple_members').select('user_id, role, joined_at').eq('couple_id', round.couple_id).eq('role', 'partner').order('joined_at');
	if (membersError) throw membersError;
	// Only the couple's own partners see their shared view (a coach comes with its own issue).
	if (members.length !== 2 || !members.some((m) => m.user_id === userId)) return null;
	const ids = { a: members[0].user_id, b: members[1].user_id };

	const [profiles, rounds, notes, cycle, agreements] = await Promise.all([
		supabase.from('profiles').select('id, display_name').in('id', [ids.a, ids.b]),
		supabase.from('rounds').select('id, instrument_version, revealed_at').eq('couple_id', round.couple_id).not('revealed_at', 'is', null).lte('revealed_at', round.revealed_at).order('revealed_at'),
		supabase.from('collision_notes').select('situation_id, body, discussed_at, updated_at').eq('round_id', round.id),
		supabase.from('cycles').select('steps').eq('round_id', round.id).maybeSingle(),
		supabase.from('agreements').select('id, body, done, position').eq('couple_id', round.couple_id).order('position').order('created_at')
	]);
	for (const r of [profiles, rounds, notes, cycle, agreements]) if (r.error) throw r.error;

	const roundIds = rounds.data!.map((r) => r.id);
	const { data: answerRows, error: answersError } = await supabase.from('answers').select('round_id, user_id, kind, prompt_id, value').in('round_id', roundIds);
	if (answersError) throw answersError;

	const sets = new Map<string, Record<string, number>>();
	for (const row of answerRows) {
		const key = `${row.round_id}|${row.user_id}|${row.kind}`;
		let set = sets.get(key);
		if (!set) sets.set(key, (set = {}));
		set[row.prompt_id] = row.value;
	}
	const set = (r: string, u: string, kind: string): AnswerSet => sets.get(`${r}|${u}|${kind}`) ?? {};
	const coupleAnswers = (r: string): CoupleAnswers => ({
		a: { answers: set(r, ids.a, 'answer'), predictions: set(r, ids.a, 'prediction') },
		b: { answers: set(r, ids.b, 'answer'), predictions: set(r, ids.b, 'prediction') }
	});

	const names = new Map(profiles.data!.map((p) => [p.id, p.display_name]));
	const nameOf = (id: string, fallback: string) => names.get(id)?.trim() || fallback;
	return {
		round: { id: round.id, coupleId: round.couple_id, instrumentVersion: round.instrument_version, revealedAt: round.revealed_at },
		ids,
		info: { a: { name: nameOf(ids.a, 'A'), isMe: ids.a === userId }, b: { name: nameOf(ids.b, 'B'), isMe: ids.b === userId } },
		rounds: rounds.data!.map((r) => ({ id: r.id, revealedAt: r.revealed_at!, instrumentVersion: r.instrument_version, answers: coupleAnswers(r.id) })),
		notes: notes.data!,
		cycle: (cycle.data?.steps as Record<string, unknown> | undefined) ?? null,
		agreements: agreements.data!
	};
}
