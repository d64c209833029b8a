import { redirect } from '@sveltejs/kit';
import { getLocale } from '#lib/paraglide/runtime.js';
import { signInPath } from '#lib/redirect.ts';
import { rememberLocale } from '#lib/server/locale.ts';
import type { LayoutServerLoad } from './$types';

// Signed-in pages. hooks.server.ts already sends strangers to sign in; this check stays
// for defence in depth. The profile's language wins on every device: if this browser
// says otherwise, it is corrected and the page reloaded once in the right language.
export const load: LayoutServerLoad = async ({ parent, url, cookies }) => {
	const { user } = await parent();
	if (!user) redirect(303, signInPath(url));
	const language = user.language;
	if ((language === 'nl' || language === 'en') && language !== getLocale()) {
		rememberLocale(cookies, language);
		redirect(303, url.pathname + url.search);
	}
	return {};
};
