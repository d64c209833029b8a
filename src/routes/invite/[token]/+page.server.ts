import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { coupleErrorMessage, inviteStatusMessage } from '#lib/server/errors.ts';
import { inviteTokenSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

/** The token from the URL, checked for shape before it goes anywhere near the database. */
function tokenOf(params: { token: string }): string | null {
	const parsed = v.safeParse(inviteTokenSchema, params.token);
	return parsed.success ? parsed.output : null;
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const user = await locals.getUser();
	const token = tokenOf(params);
	if (!token) return { signedIn: !!user, status: 'invite_invalid', problem: inviteStatusMessage('invite_invalid'), inviterName: null, expiresAt: null };

	const { data, error: rpcError } = await locals.supabase.rpc('couple_invite_preview', { token });
	if (rpcError) error(500, rpcError.message);
	const preview = data[0] ?? { status: 'invite_invalid', inviter_name: null, expires_at: null };
	return {
		signedIn: !!user,
		status: preview.status,
		problem: inviteStatusMessage(preview.status),
		inviterName: preview.inviter_name,
		expiresAt: preview.expires_at
	};
};

export const actions: Actions = {
	accept: async ({ params, locals, url }) => {
		// Every action checks the person again: the layout's check does not guard actions.
		if (!(await locals.getUser())) redirect(303, `/sign-in?redirectTo=${encodeURIComponent(url.pathname)}`);
		const token = tokenOf(params);
		if (!token) return fail(400, { message: inviteStatusMessage('invite_invalid') });
		const { error: rpcError } = await locals.supabase.rpc('accept_couple_invite', { token });
		if (rpcError) return fail(400, { message: coupleErrorMessage(rpcError) });
		redirect(303, '/space?joined=1');
	},
	decline: async ({ params, locals, url }) => {
		if (!(await locals.getUser())) redirect(303, `/sign-in?redirectTo=${encodeURIComponent(url.pathname)}`);
		const token = tokenOf(params);
		if (!token) return fail(400, { message: inviteStatusMessage('invite_invalid') });
		const { error: rpcError } = await locals.supabase.rpc('decline_couple_invite', { token });
		if (rpcError) return fail(400, { message: coupleErrorMessage(rpcError) });
		return { declined: true };
	}
};
