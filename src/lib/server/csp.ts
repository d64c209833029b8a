/**
 * The Supabase API origin in the Content-Security-Policy. SvelteKit fixes the CSP's
 * directives at build time (vite.config.ts), but the Supabase URL is read when the server
 * starts; so the build names a stand-in origin, and every response's header has it
 * replaced by the origin of the run-time `PUBLIC_SUPABASE_URL`, in its http(s) form for
 * fetch and its ws(s) form for Realtime. One build then serves any Supabase project.
 */

/** The stand-in in the built CSP; `.invalid` never resolves, so it can allow nothing. */
export const SUPABASE_ORIGIN_STAND_IN = 'https://supabase-api.invalid';
export const SUPABASE_SOCKET_STAND_IN = 'wss://supabase-api.invalid';

/** The CSP with the stand-ins replaced by `supabaseUrl`'s origin (or removed if it is no URL). */
export function withSupabaseOrigin(csp: string, supabaseUrl: string): string {
	let origin = '';
	try {
		const url = new URL(supabaseUrl);
		if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
	} catch {
		// Not a URL: the Supabase client fails on its own; the CSP then allows no API.
	}
	const socket = origin.replace(/^http/, 'ws');
	return csp
		.replaceAll(` ${SUPABASE_ORIGIN_STAND_IN}`, origin ? ` ${origin}` : '')
		.replaceAll(` ${SUPABASE_SOCKET_STAND_IN}`, socket ? ` ${socket}` : '');
}
