import { fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { signInPath } from '#lib/redirect.ts';
import { authErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { changePasswordSchema } from '#lib/validation/schemas.ts';
import type { Actions } from './$types';

// Reached from the recovery mail (via /auth/confirm, which signed the person in).
export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		if (!(await locals.getUser())) redirect(303, signInPath(url));
		const values = formValues(await request.formData(), ['password', 'password_confirm']);
		const parsed = parseForm(changePasswordSchema, values);
		if (!parsed.ok) return fail(400, { errors: translateFieldErrors(parsed.errors) });
		const { error } = await locals.supabase.auth.updateUser({ password: parsed.output.password });
		if (error) return fail(400, { message: authErrorMessage(error) });
		redirect(303, '/account?password=1');
	}
};
