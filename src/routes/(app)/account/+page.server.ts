import { error, fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { signInPath } from '#lib/redirect.ts';
import { authErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { rememberLocale } from '#lib/server/locale.ts';
import { changePasswordSchema, profileSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	const { data: profile, error: dbError } = await locals.supabase.from('profiles').select('display_name, language').eq('id', user.id).single();
	if (dbError) error(500, dbError.message);
	return { email: user.email, profile, passwordChanged: url.searchParams.has('password') };
};

export const actions: Actions = {
	profile: async ({ request, locals, url, cookies }) => {
		const user = await locals.getUser();
		if (!user) redirect(303, signInPath(url));
		const values = formValues(await request.formData(), ['display_name', 'language']);
		const parsed = parseForm(profileSchema, values);
		if (!parsed.ok) return fail(400, { profile: { values, errors: translateFieldErrors(parsed.errors) } });
		const { error: dbError } = await locals.supabase.from('profiles').update(parsed.output).eq('id', user.id);
		if (dbError) error(500, dbError.message);
		// Auth's mails (password reset, …) take the language from user_metadata.
		const { error: authError } = await locals.supabase.auth.updateUser({ data: { language: parsed.output.language } });
		if (authError) return fail(400, { profile: { values, message: authErrorMessage(authError) } });
		rememberLocale(cookies, parsed.output.language);
		// A full reload, so the whole page speaks the chosen language at once.
		redirect(303, '/account?saved=profile');
	},
	password: async ({ request, locals, url }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const values = formValues(await request.formData(), ['password', 'password_confirm']);
		const parsed = parseForm(changePasswordSchema, values);
		if (!parsed.ok) return fail(400, { password: { errors: translateFieldErrors(parsed.errors) } });
		const { error: authError } = await locals.supabase.auth.updateUser({ password: parsed.output.password });
		if (authError) return fail(400, { password: { message: authErrorMessage(authError) } });
		return { password: { saved: true } };
	}
};
