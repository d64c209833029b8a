import type { Cookies } from '@sveltejs/kit';
import { cookieMaxAge, cookieName, type Locale } from '#lib/paraglide/runtime.js';

/** Remembers a language for this browser (Paraglide's cookie strategy reads it). */
export function rememberLocale(cookies: Cookies, locale: Locale): void {
	cookies.set(cookieName, locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
}
