import { redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { safeRedirectPath } from '#lib/redirect.ts';
import { rememberLocale } from '#lib/server/locale.ts';
import { languageSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ request, cookies, locals }) => {
		const form = await request.formData();
		const locale = v.safeParse(languageSchema, form.get('locale'));
		const back = safeRedirectPath(String(form.get('redirectTo') ?? ''), '/');
		if (!locale.success) redirect(303, back);
		rememberLocale(cookies, locale.output);
		// A signed-in person's choice is kept in their profile, so it follows them.
		const user = await locals.getUser();
		if (user) {
			const { error } = await locals.supabase.from('profiles').update({ language: locale.output }).eq('id', user.id);
			if (error) console.error('language: profile update failed', error.message);
		}
		redirect(303, back);
	}
};
