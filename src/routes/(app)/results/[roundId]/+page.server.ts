import { error, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { instrumentFor } from '#lib/instrument/index.ts';
import { scoreCouple } from '#lib/scoring/index.ts';
import { loadAnswers, loadRound, loadRounds } from '#lib/answering/rounds.server.ts';
import { signInPath } from '#lib/redirect.ts';
import { loadCoupleSpace } from '#lib/server/couples.ts';
import type { PageServerLoad } from './$types';

const roundIdSchema = v.pipe(v.string(), v.uuid());

// One revealed round's figures, computed here on the server from the answers the
// database returns (both partners' only once the round is revealed), with the wording
// of the instrument version the round was answered in.
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	if (!v.is(roundIdSchema, params.roundId)) error(404, 'not found');
	const [round, space] = await Promise.all([loadRound(locals.supabase, params.roundId), loadCoupleSpace(locals.supabase, user.id)]);
	if (!round || !space || round.coupleId !== space.coupleId) error(404, 'not found');
	if (!round.revealedAt) redirect(303, '/answer');

	const [answers, rounds] = await Promise.all([loadAnswers(locals.supabase, round.id), loadRounds(locals.supabase, space.coupleId)]);
	const me = space.members.find((member) => member.isMe)!;
	const partner = space.members.find((member) => !member.isMe) ?? null;
	const inst = instrumentFor(round.instrumentVersion);
	const empty = { answers: {}, predictions: {} };
	// The viewer is partner `a`, the other `b`.
	const result = inst ? scoreCouple({ a: answers.get(me.userId) ?? empty, b: (partner && answers.get(partner.userId)) || empty }, inst) : null;
	return {
		round,
		result,
		names: { a: me.displayName, b: partner?.displayName ?? '' },
		rounds,
		canRetake: !rounds.some((r) => !r.revealedAt)
	};
};
