import { fail, redirect } from '@sveltejs/kit';
import { formValues, parseForm } from '#lib/forms.ts';
import { signInPath } from '#lib/redirect.ts';
import { coupleErrorMessage, translateFieldErrors } from '#lib/server/errors.ts';
import { deleteAccountSchema } from '#lib/validation/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	return { email: user.email };
};

export const actions: Actions = {
	// The confirmation step: the person types their own e-mail address.
	default: async ({ request, locals, url, cookies }) => {
		const user = await locals.getUser();
		if (!user) redirect(303, signInPath(url));
		const values = formValues(await request.formData(), ['confirm_email']);
		const parsed = parseForm(deleteAccountSchema, values);
		if (!parsed.ok) return fail(400, { confirm_email: values.confirm_email, errors: translateFieldErrors(parsed.errors) });
		if (parsed.output.confirm_email !== user.email.toLowerCase()) {
			return fail(400, { confirm_email: values.confirm_email, errors: translateFieldErrors({ confirm_email: 'confirm_email_mismatch' }) });
		}
		const { error } = await locals.supabase.rpc('delete_my_account');
		if (error) return fail(400, { confirm_email: values.confirm_email, message: coupleErrorMessage(error) });
		// The user row and its sessions are gone; drop this browser's cookies too.
		await locals.supabase.auth.signOut({ scope: 'local' });
		for (const { name } of cookies.getAll()) if (name.startsWith('sb-')) cookies.delete(name, { path: '/' });
		redirect(303, '/?deleted=1');
	}
};
