import { createServerClient } from '@supabase/ssr';
import { sequence, type Handle } from '@sveltejs/kit/hooks';
import { PUBLIC_SUPABASE_PUBLISHABLE_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';
import { paraglideMiddleware } from '#lib/paraglide/server.js';
import { cookieName, cookieMaxAge } from '#lib/paraglide/runtime.js';
import type { Database } from '#lib/supabase/database.types.ts';
import { signInPath } from '#lib/redirect.ts';
import { withSupabaseOrigin } from '#lib/server/csp.ts';

/**
 * Locale: the cookie (written from the profile at sign-in), else the browser's
 * language, else Dutch. A first visit gets the cookie so browser and server agree.
 */
const handleLocale: Handle = ({ event, resolve }) =>
	// No URL strategy, so the request passes through unchanged.
	paraglideMiddleware(event.request, ({ locale }) => {
		if (!event.cookies.get(cookieName)) {
			event.cookies.set(cookieName, locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
		}
		return resolve(event, { transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale) });
	});

/** One Supabase client per request, reading and writing the session cookies. */
const handleSupabase: Handle = async ({ event, resolve }) => {
	event.locals.supabase = createServerClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
		cookies: {
			getAll: () => event.cookies.getAll(),
			setAll: (cookies) => {
				for (const { name, value, options } of cookies) event.cookies.set(name, value, { ...options, path: '/' });
			}
		}
	});

	let checked: Promise<App.AuthUser | null> | null = null;
	// getClaims() verifies the access token (against the JWKS, or by asking Auth for
	// HS256 tokens); a cookie alone is never trusted. Memoised: once per request.
	event.locals.getUser = () => {
		checked ??= (async () => {
			const { data, error } = await event.locals.supabase.auth.getClaims();
			if (error || !data?.claims?.sub) return null;
			return { id: data.claims.sub, email: typeof data.claims.email === 'string' ? data.claims.email : '' };
		})();
		return checked;
	};

	return resolve(event, {
		filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
	});
};

/** Pages in the `(app)` group need a signed-in person; others are sent to sign in and back. */
const handleGuard: Handle = async ({ event, resolve }) => {
	if (event.route.id?.startsWith('/(app)') && !(await event.locals.getUser())) {
		return new Response(null, { status: 303, headers: { location: signInPath(event.url) } });
	}
	return resolve(event);
};

/**
 * Headers the CSP (configured in vite.config.ts) does not cover, and the CSP's Supabase
 * origin, which is known only now (see #lib/server/csp.ts). SvelteKit sends the CSP as a
 * header for every page it renders; only prerendered pages would carry it in a meta tag,
 * and this app prerenders none.
 */
const handleHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const csp = response.headers.get('content-security-policy');
	if (csp) response.headers.set('content-security-policy', withSupabaseOrigin(csp, PUBLIC_SUPABASE_URL));
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('X-Frame-Options', 'DENY');
	response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
	return response;
};

export const handle = sequence(handleHeaders, handleLocale, handleSupabase, handleGuard);
