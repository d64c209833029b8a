import { redirect } from '@sveltejs/kit';
import { signInPath } from '#lib/redirect.ts';
import { latestRevealedRound } from './shared-view.server.ts';
import type { PageServerLoad } from './$types';

// `/shared` opens the newest revealed round; without one there is nothing to show yet.
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const roundId = await latestRevealedRound(locals.supabase);
	if (roundId) redirect(303, `/shared/${roundId}`);
	return {};
};
