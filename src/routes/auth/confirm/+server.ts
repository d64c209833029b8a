import { redirect } from '@sveltejs/kit';
import type { EmailOtpType } from '@supabase/supabase-js';
import { safeRedirectPath } from '#lib/redirect.ts';
import type { RequestHandler } from './$types';

const otpTypes: EmailOtpType[] = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];

/**
 * Where links in Auth's e-mails land. PKCE (`?code=`, the default of @supabase/ssr)
 * is exchanged for a session with the verifier kept in this browser's cookie; links
 * built from `{{ .TokenHash }}` (`?token_hash=&type=`) are verified directly.
 */
export const GET: RequestHandler = async ({ url, locals }) => {
	const next = safeRedirectPath(url.searchParams.get('next'));
	const code = url.searchParams.get('code');
	const tokenHash = url.searchParams.get('token_hash');
	const type = url.searchParams.get('type') as EmailOtpType | null;

	if (code) {
		const { error } = await locals.supabase.auth.exchangeCodeForSession(code);
		if (!error) redirect(303, next);
	} else if (tokenHash && type && otpTypes.includes(type)) {
		const { error } = await locals.supabase.auth.verifyOtp({ type, token_hash: tokenHash });
		if (!error) redirect(303, next);
	}
	redirect(303, '/auth/error');
};
