import { redirect } from '@sveltejs/kit';
import { loadRounds } from '#lib/answering/rounds.server.ts';
import { signInPath } from '#lib/redirect.ts';
import { loadCoupleSpace } from '#lib/server/couples.ts';
import type { PageServerLoad } from './$types';

// The latest revealed round's results; with none yet, the rounds so far and the way to answering.
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const space = await loadCoupleSpace(locals.supabase, user.id);
	if (!space) redirect(303, '/space');
	const rounds = await loadRounds(locals.supabase, space.coupleId);
	const latest = rounds.find((round) => round.revealedAt);
	if (latest) redirect(303, `/results/${latest.id}`);
	return { rounds };
};
