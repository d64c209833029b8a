import { fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { getLocale } from '#lib/paraglide/runtime.js';
import { safeRedirectPath } from '#lib/redirect.ts';
import { authErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { signUpSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (await locals.getUser()) redirect(303, safeRedirectPath(url.searchParams.get('redirectTo')));
	return { redirectTo: url.searchParams.get('redirectTo') };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const values = formValues(await request.formData(), ['display_name', 'email', 'password']);
		const parsed = parseForm(signUpSchema, values);
		const refill = { display_name: values.display_name, email: values.email };
		if (!parsed.ok) return fail(400, { ...refill, errors: translateFieldErrors(parsed.errors) });

		const next = safeRedirectPath(url.searchParams.get('redirectTo'));
		const { data, error } = await locals.supabase.auth.signUp({
			email: parsed.output.email,
			password: parsed.output.password,
			options: {
				// The profile starts in the language the person signed up in.
				data: { display_name: parsed.output.display_name, language: getLocale() },
				emailRedirectTo: `${url.origin}/auth/confirm?next=${encodeURIComponent(next)}`
			}
		});
		if (error) return fail(400, { ...refill, message: authErrorMessage(error) });
		// With e-mail confirmation on (hosted projects), there is no session yet.
		if (!data.session) return { ...refill, confirmEmail: true };
		redirect(303, next);
	}
};
