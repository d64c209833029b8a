import { fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { signInPath } from '#lib/redirect.ts';
import { issueInvite, loadCoupleSpace, loadNotices } from '#lib/server/couples.ts';
import { coupleErrorMessage } from '#lib/server/errors.ts';
import { noticeIdSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const [space, notices] = await Promise.all([loadCoupleSpace(locals.supabase, user.id), loadNotices(locals.supabase)]);
	return { space, notices, joined: url.searchParams.has('joined'), left: url.searchParams.has('left') };
};

/** The person's couple id, or a failure to return. Every action checks the person again. */
async function myCouple(locals: App.Locals, url: URL) {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const space = await loadCoupleSpace(locals.supabase, user.id);
	return space;
}

export const actions: Actions = {
	create: async ({ locals, url }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const { data: coupleId, error } = await locals.supabase.rpc('create_couple');
		if (error) return fail(400, { message: coupleErrorMessage(error) });
		// A new space comes with its first invite link, ready to share.
		const invite = await issueInvite(locals.supabase, coupleId, url.origin);
		if ('error' in invite) return fail(400, { message: coupleErrorMessage(invite.error) });
		return { invite };
	},
	invite: async ({ locals, url }) => {
		const space = await myCouple(locals, url);
		if (!space) return fail(400, { message: coupleErrorMessage({ message: 'not_in_couple' }) });
		const invite = await issueInvite(locals.supabase, space.coupleId, url.origin);
		if ('error' in invite) return fail(400, { message: coupleErrorMessage(invite.error) });
		return { invite };
	},
	revoke: async ({ locals, url }) => {
		const space = await myCouple(locals, url);
		if (!space) return fail(400, { message: coupleErrorMessage({ message: 'not_in_couple' }) });
		const { error } = await locals.supabase.rpc('revoke_couple_invites', { couple_id: space.coupleId });
		if (error) return fail(400, { message: coupleErrorMessage(error) });
		return { revoked: true };
	},
	dismiss: async ({ locals, url, request }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const parsed = parseForm(noticeIdSchema, formValues(await request.formData(), ['id']));
		if (!parsed.ok) return fail(400, {});
		const { error } = await locals.supabase.from('notices').delete().eq('id', parsed.output.id);
		if (error) return fail(400, { message: coupleErrorMessage(error) });
		return { dismissed: true };
	}
};
