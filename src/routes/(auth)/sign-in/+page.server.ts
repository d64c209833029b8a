import { fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { safeRedirectPath } from '#lib/redirect.ts';
import { authErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { rememberLocale } from '#lib/server/locale.ts';
import { signInSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (await locals.getUser()) redirect(303, safeRedirectPath(url.searchParams.get('redirectTo')));
	return { redirectTo: url.searchParams.get('redirectTo') };
};

export const actions: Actions = {
	default: async ({ request, locals, url, cookies }) => {
		const values = formValues(await request.formData(), ['email', 'password']);
		const parsed = parseForm(signInSchema, values);
		if (!parsed.ok) return fail(400, { email: values.email, errors: translateFieldErrors(parsed.errors) });

		const { data, error } = await locals.supabase.auth.signInWithPassword(parsed.output);
		if (error) return fail(400, { email: values.email, message: authErrorMessage(error) });

		// From now on the profile's language wins over the browser's.
		const { data: profile } = await locals.supabase.from('profiles').select('language').eq('id', data.user.id).maybeSingle();
		if (profile?.language === 'nl' || profile?.language === 'en') rememberLocale(cookies, profile.language);
		redirect(303, safeRedirectPath(url.searchParams.get('redirectTo')));
	}
};
