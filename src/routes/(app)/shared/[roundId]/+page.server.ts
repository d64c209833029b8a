import { error, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { instrumentFor, type Locale } from '#lib/instrument/index.ts';
import { getLocale } from '#lib/paraglide/runtime.js';
import { signInPath } from '#lib/redirect.ts';
import { scoreCouple } from '#lib/scoring/index.ts';
import { buildSharedView, overTime, type CycleSteps } from '#lib/components/shared/view-model.ts';
import { loadSharedRound } from '../shared-view.server.ts';
import { sharedActions } from '../shared-actions.server.ts';
import type { Actions, PageServerLoad } from './$types';

const cycleSide = v.object({ when: v.string(), you: v.string(), feel: v.string(), then: v.string() });
const savedCycle = v.object({ a: cycleSide, b: cycleSide });

// Anything the person may not see (another couple's round, an open round, a couple they
// left) is "not found", so the answer never tells whether such a round exists.
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	if (!v.is(v.pipe(v.string(), v.uuid()), params.roundId)) error(404);
	const shared = await loadSharedRound(locals.supabase, user.id, params.roundId);
	if (!shared) error(404);
	const inst = instrumentFor(shared.round.instrumentVersion);
	if (!inst) error(404);
	const locale = getLocale() as Locale;
	const current = shared.rounds.find((r) => r.id === shared.round.id)!;
	const view = buildSharedView(scoreCouple(current.answers, inst), shared.info, inst, locale);
	const stored = v.safeParse(savedCycle, shared.cycle);
	return {
		roundId: shared.round.id,
		revealedAt: shared.round.revealedAt,
		view,
		notes: shared.notes,
		cycle: (stored.success ? stored.output : view.cyclePrefill) satisfies CycleSteps,
		cycleSaved: stored.success,
		agreements: shared.agreements,
		overTime: overTime(shared.rounds, { a: shared.info.a.name, b: shared.info.b.name }, locale)
	};
};

export const actions: Actions = sharedActions;
