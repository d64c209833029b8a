/**
 * Rounds as the signed-in person sees them: the couple's rounds, the open one, each
 * partner's progress and the person's own answers. Everything is read with the person's
 * own client, so row-level security decides what comes back (a partner's answers only
 * after the reveal).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';

type Client = SupabaseClient<Database>;

export interface RoundSummary {
	id: string;
	instrumentVersion: string;
	promptCount: number;
	startedAt: string;
	revealedAt: string | null;
}

export interface ParticipantProgress {
	userId: string;
	answered: number;
	predicted: number;
	startedAt: string;
	submittedAt: string | null;
}

export interface StoredAnswers {
	answers: Record<string, number>;
	predictions: Record<string, number>;
}

export interface StoredReflection {
	promptId: string;
	body: string;
	shared: boolean;
}

const toSummary = (row: { id: string; instrument_version: string; prompt_count: number; started_at: string; revealed_at: string | null }): RoundSummary => ({
	id: row.id,
	instrumentVersion: row.instrument_version,
	promptCount: row.prompt_count,
	startedAt: row.started_at,
	revealedAt: row.revealed_at
});

/** The couple's rounds, newest first. */
export async function loadRounds(supabase: Client, coupleId: string): Promise<RoundSummary[]> {
	const { data, error } = await supabase
		.from('rounds')
		.select('id, instrument_version, prompt_count, started_at, revealed_at')
		.eq('couple_id', coupleId)
		.order('started_at', { ascending: false });
	if (error) throw error;
	return data.map(toSummary);
}

/** One round of the person's couple, or null (unknown id, or not theirs). */
export async function loadRound(supabase: Client, roundId: string): Promise<(RoundSummary & { coupleId: string }) | null> {
	const { data, error } = await supabase
		.from('rounds')
		.select('id, couple_id, instrument_version, prompt_count, started_at, revealed_at')
		.eq('id', roundId)
		.maybeSingle();
	if (error) throw error;
	return data ? { ...toSummary(data), coupleId: data.couple_id } : null;
}

/** Both partners' progress in a round (counts and dates only). */
export async function loadProgress(supabase: Client, roundId: string): Promise<ParticipantProgress[]> {
	const { data, error } = await supabase
		.from('round_participants')
		.select('user_id, answered_count, predicted_count, started_at, submitted_at')
		.eq('round_id', roundId);
	if (error) throw error;
	return data.map((row) => ({
		userId: row.user_id,
		answered: row.answered_count,
		predicted: row.predicted_count,
		startedAt: row.started_at,
		submittedAt: row.submitted_at
	}));
}

/** Answers and predictions per person in a round: whatever row-level security lets the caller read. */
export async function loadAnswers(supabase: Client, roundId: string): Promise<Map<string, StoredAnswers>> {
	const { data, error } = await supabase.from('answers').select('user_id, kind, prompt_id, value').eq('round_id', roundId);
	if (error) throw error;
	const byUser = new Map<string, StoredAnswers>();
	for (const row of data) {
		let entry = byUser.get(row.user_id);
		if (!entry) byUser.set(row.user_id, (entry = { answers: {}, predictions: {} }));
		(row.kind === 'prediction' ? entry.predictions : entry.answers)[row.prompt_id] = row.value;
	}
	return byUser;
}

/** The person's own reflections in a round. */
export async function loadReflections(supabase: Client, roundId: string, userId: string): Promise<StoredReflection[]> {
	const { data, error } = await supabase.from('reflections').select('prompt_id, body, shared').eq('round_id', roundId).eq('user_id', userId);
	if (error) throw error;
	return data.map((row) => ({ promptId: row.prompt_id, body: row.body, shared: row.shared }));
}
