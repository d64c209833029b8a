import { fail } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { authErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { forgotPasswordSchema } from '#lib/validation/schemas.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const values = formValues(await request.formData(), ['email']);
		const parsed = parseForm(forgotPasswordSchema, values);
		if (!parsed.ok) return fail(400, { email: values.email, errors: translateFieldErrors(parsed.errors) });

		// The link in the mail comes back to /auth/confirm (PKCE code exchange), which
		// signs the person in and sends them on to choose a new password. The mail speaks
		// the account's language (user_metadata.language, see supabase/templates), not
		// this page's: the person asking may not be the account's owner.
		const { error } = await locals.supabase.auth.resetPasswordForEmail(parsed.output.email, {
			redirectTo: `${url.origin}/auth/confirm?next=/reset-password`
		});
		if (error && error.code?.startsWith('over_')) return fail(429, { email: values.email, message: authErrorMessage(error) });
		// Same answer whether or not the address has an account: nothing to learn here.
		return { email: values.email, sent: true };
	}
};
