import { fail, redirect } from '@sveltejs/kit';
import { signInPath } from '#lib/redirect.ts';
import { coupleErrorMessage } from '#lib/server/errors.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ locals, url }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const { error } = await locals.supabase.rpc('leave_couple');
		if (error) return fail(400, { message: coupleErrorMessage(error) });
		redirect(303, '/space?left=1');
	}
};
