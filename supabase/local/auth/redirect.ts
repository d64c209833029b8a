/**
 * Where Auth may send a browser: GoTrue's `IsRedirectURLValid` and `GetReferrer`. A
 * redirect is allowed to the site URL's host, to any loopback address, or when it matches
 * an `additional_redirect_urls` glob (`*` within one host label / path segment, `**`
 * across them, `?`, `[…]`, `{a,b}`), ignoring the fragment.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** A glob with `.` and `/` as separators (as gobwas/glob, which GoTrue uses) as a RegExp. */
export function globToRegExp(glob: string): RegExp {
	const sep = '[^./]';
	let out = '';
	let i = 0;
	let braces = 0;
	while (i < glob.length) {
		const c = glob[i];
		if (c === '\\' && i + 1 < glob.length) {
			out += escapeRe(glob[i + 1]);
			i += 2;
			continue;
		}
		if (c === '*') {
			if (glob[i + 1] === '*') {
				out += '.*';
				i += 2;
			} else {
				out += `${sep}*`;
				i += 1;
			}
			continue;
		}
		if (c === '?') {
			out += sep;
			i += 1;
			continue;
		}
		if (c === '[') {
			const end = glob.indexOf(']', i + 1);
			if (end > i + 1) {
				let body = glob.slice(i + 1, end);
				const negate = body.startsWith('!');
				if (negate) body = body.slice(1);
				body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
				out += negate ? `[^./${body}]` : `[${body}]`;
				i = end + 1;
				continue;
			}
		}
		if (c === '{') {
			braces += 1;
			out += '(?:';
			i += 1;
			continue;
		}
		if (c === '}' && braces > 0) {
			braces -= 1;
			out += ')';
			i += 1;
			continue;
		}
		if (c === ',' && braces > 0) {
			out += '|';
			i += 1;
			continue;
		}
		out += escapeRe(c);
		i += 1;
	}
	if (braces > 0) return /^\b$/; // unbalanced: matches nothing, as an invalid pattern would
	return new RegExp(`^${out}$`, 's');
}

function escapeRe(c: string): string {
	return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Scheme, host and port as Go's `url.Parse` reads them: the host as written (WHATWG URL
 * would turn `2130706433` into `127.0.0.1`, which Go, and so GoTrue, does not).
 */
function goParts(raw: string): { scheme: string; host: string; port: string } | null {
	try {
		new URL(raw);
	} catch {
		return null;
	}
	const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(raw);
	if (!m) return { scheme: '', host: '', port: '' };
	const rest = m[2];
	if (!rest.startsWith('//')) return { scheme: m[1].toLowerCase(), host: '', port: '' };
	let authority = rest.slice(2).split(/[/?#]/, 1)[0];
	authority = authority.slice(authority.lastIndexOf('@') + 1);
	let host = authority;
	let port = '';
	const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(authority);
	if (bracket) {
		host = bracket[1];
		port = bracket[2] ?? '';
	} else if (authority.includes(':')) {
		host = authority.slice(0, authority.lastIndexOf(':'));
		port = authority.slice(authority.lastIndexOf(':') + 1);
	}
	return { scheme: m[1].toLowerCase(), host, port };
}

function isLoopbackIp(host: string): boolean {
	const kind = isIP(host);
	if (kind === 4) return host.startsWith('127.');
	if (kind === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
	return false;
}

const LOCALHOST = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);

export class RedirectPolicy {
	readonly siteUrl: string;
	private readonly site: { scheme: string; host: string; port: string } | null;
	private readonly patterns: RegExp[];

	constructor(siteUrl: string, allowList: string[]) {
		this.siteUrl = siteUrl;
		this.site = goParts(siteUrl);
		this.patterns = allowList.filter(Boolean).map(globToRegExp);
	}

	isValid(redirectUrl: string): boolean {
		if (!redirectUrl) return false;
		const ref = goParts(redirectUrl);
		if (!ref || !this.site) return false;
		const refHost = ref.host;
		if (this.site.host === refHost && this.site.scheme === ref.scheme && (this.site.port === ref.port || LOCALHOST.has(refHost.toLowerCase()))) {
			return true;
		}
		const isHttp = ref.scheme === 'http' || ref.scheme === 'https';
		if (/^[0-9]+$/.test(refHost)) return false;
		if (isIP(refHost)) return isLoopbackIp(refHost);
		if (isHttp && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(refHost)) return false;
		const withoutFragment = redirectUrl.split('#')[0];
		return this.patterns.some((re) => re.test(withoutFragment));
	}

	/** GoTrue's `GetReferrer`: `redirect_to` (header or query), then `Referer`, then the site URL. */
	referrer(req: IncomingMessage, url: URL): string {
		const header = req.headers['redirect_to'];
		const fromHeader = Array.isArray(header) ? header[0] : header;
		const requested = fromHeader || url.searchParams.get('redirect_to') || '';
		if (this.isValid(requested)) return requested;
		const referer = req.headers.referer ?? '';
		if (this.isValid(referer)) return referer;
		return this.siteUrl;
	}
}
