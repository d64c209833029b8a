/**
 * Where to go after signing in: only paths on this site, never another origin
 * (an open redirect would let a link send people anywhere after they sign in).
 */
export function safeRedirectPath(value: string | null | undefined, fallback = '/space'): string {
	if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
	try {
		const url = new URL(value, 'http://internal.invalid');
		if (url.origin !== 'http://internal.invalid') return fallback;
		return url.pathname + url.search + url.hash;
	} catch {
		return fallback;
	}
}

/** The sign-in page, remembering where the person was going. */
export function signInPath(from: URL): string {
	const target = from.pathname + from.search;
	return target === '/' ? '/sign-in' : `/sign-in?redirectTo=${encodeURIComponent(target)}`;
}

/** Carries `redirectTo` from one auth page's link to another (sign-in ↔ sign-up). */
export function withRedirect(path: string, redirectTo: string | null): string {
	return redirectTo ? `${path}?redirectTo=${encodeURIComponent(safeRedirectPath(redirectTo))}` : path;
}
