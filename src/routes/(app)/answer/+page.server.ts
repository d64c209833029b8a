import { error, fail, redirect } from '@sveltejs/kit';
import { INSTRUMENT_VERSION, instrumentFor, mainPass } from '#lib/instrument/index.ts';
import { roundErrorMessage } from '#lib/answering/errors.ts';
import { loadAnswers, loadProgress, loadReflections, loadRounds } from '#lib/answering/rounds.server.ts';
import { signInPath } from '#lib/redirect.ts';
import { loadCoupleSpace } from '#lib/server/couples.ts';
import type { Actions, PageServerLoad } from './$types';

// The answer page: the couple's open round and this person's part in it. The answers
// come from the server, so answering resumes on any device.
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const space = await loadCoupleSpace(locals.supabase, user.id);
	if (!space) return { space: null };

	const me = space.members.find((member) => member.isMe)!;
	const partner = space.members.find((member) => !member.isMe) ?? null;
	const rounds = await loadRounds(locals.supabase, space.coupleId);
	const open = rounds.find((round) => !round.revealedAt) ?? null;
	const lastRevealed = rounds.find((round) => round.revealedAt) ?? null;
	const people = { coupleId: space.coupleId, me: { id: me.userId, name: me.displayName }, partner: partner && { id: partner.userId, name: partner.displayName } };

	if (!open) return { space: people, round: null, lastRevealedId: lastRevealed?.id ?? null, progress: [], stored: null, reflections: [] };
	if (!instrumentFor(open.instrumentVersion)) error(500, 'unknown instrument version');

	const progress = await loadProgress(locals.supabase, open.id);
	const mine = progress.find((p) => p.userId === me.userId);
	if (!mine) return { space: people, round: open, lastRevealedId: lastRevealed?.id ?? null, progress, stored: null, reflections: [] };

	const [answers, reflections] = await Promise.all([loadAnswers(locals.supabase, open.id), loadReflections(locals.supabase, open.id, me.userId)]);
	return {
		space: people,
		round: open,
		lastRevealedId: lastRevealed?.id ?? null,
		progress,
		stored: answers.get(me.userId) ?? { answers: {}, predictions: {} },
		reflections
	};
};

export const actions: Actions = {
	// Begins the questionnaire: joins the couple's open round, or starts one.
	start: async ({ locals, url }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const { error: startError } = await locals.supabase.rpc('start_round', {
			instrument_version: INSTRUMENT_VERSION,
			prompt_count: mainPass().length
		});
		if (startError) return fail(400, { message: roundErrorMessage(startError) });
		redirect(303, '/answer');
	}
};
