/**
 * The response stage: status, Content-Range, Preference-Applied, Location,
 * Content-Profile and the body, as PostgREST shapes them for each kind of request.
 */
import type { ServerResponse } from 'node:http';
import { apiRequestError, PgrstError } from './errors.ts';
import type { MediaRange, Preferences } from './request.ts';
import type { BodyFormat } from './query.ts';

export interface Negotiated {
	format: BodyFormat;
	stripNulls: boolean;
	contentType: string;
}

/** Picks the response media type from Accept, as PostgREST negotiates it. */
export function negotiate(accept: MediaRange[], kind: 'read' | 'mutate' | 'call'): Negotiated {
	for (const range of accept) {
		const strip = range.params.nulls === 'stripped';
		switch (range.type) {
			case '*/*':
			case 'application/*':
			case 'application/json':
				return { format: 'array', stripNulls: false, contentType: 'application/json; charset=utf-8' };
			case 'application/vnd.pgrst.array+json':
			case 'application/vnd.pgrst.array':
				// Without nulls=stripped PostgREST answers as plain JSON.
				return { format: 'array', stripNulls: strip, contentType: strip ? 'application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8' : 'application/json; charset=utf-8' };
			case 'application/vnd.pgrst.object+json':
			case 'application/vnd.pgrst.object':
				return { format: 'object', stripNulls: strip, contentType: `application/vnd.pgrst.object+json${strip ? ';nulls=stripped' : ''}; charset=utf-8` };
			case 'text/csv':
				return { format: 'csv', stripNulls: false, contentType: 'text/csv; charset=utf-8' };
			case 'text/*':
				if (kind !== 'mutate') return { format: 'csv', stripNulls: false, contentType: 'text/csv; charset=utf-8' };
		}
	}
	throw apiRequestError.mediaType(accept.map((a) => a.type));
}

export function contentRange(lower: number, upper: number, total: number | null): string {
	const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
	return `${range}/${total === null ? '*' : total}`;
}

/** Status and Content-Range of a read, from the requested offset, rows returned and total. */
export function rangeStatus(offset: number, pageTotal: number, total: number | null): { status: number; contentRange: string } {
	const upper = offset + pageTotal - 1;
	const header = contentRange(offset, upper, total);
	if (total === null) return { status: 200, contentRange: header };
	if (offset > total) return { status: 416, contentRange: header };
	if (1 + upper - offset < total) return { status: 206, contentRange: header };
	return { status: 200, contentRange: header };
}

/** The Preference-Applied header value, listing what was honoured in PostgREST's order. */
export function preferenceApplied(prefs: Preferences, kind: 'read' | 'insert' | 'update' | 'delete' | 'upsert' | 'call', hasPkOrOnConflict: boolean): string | null {
	const out: string[] = [];
	if (kind === 'insert' && prefs.resolution && hasPkOrOnConflict) out.push(`resolution=${prefs.resolution}`);
	if ((kind === 'insert' || kind === 'update') && prefs.missing) out.push(`missing=${prefs.missing}`);
	if (kind !== 'read' && kind !== 'call' && prefs.return) out.push(`return=${prefs.return}`);
	if (prefs.count) out.push(`count=${prefs.count}`);
	if (prefs.tx) out.push(`tx=${prefs.tx}`);
	if (prefs.handling) out.push(`handling=${prefs.handling}`);
	if (prefs.timezone) out.push(`timezone=${prefs.timezone}`);
	if (prefs.handling === 'strict' && prefs.maxAffected !== undefined && (kind === 'update' || kind === 'delete' || kind === 'call'))
		out.push(`max-affected=${prefs.maxAffected}`);
	return out.length ? out.join(', ') : null;
}

/** Applies `response.headers` / `response.status` set by the SQL (functions, pre-request). */
export function gucOverrides(row: Record<string, unknown>, status: number, headers: Record<string, string>): number {
	const rawHeaders = row.response_headers as string | null | undefined;
	if (rawHeaders) {
		let list: unknown;
		try {
			list = JSON.parse(rawHeaders);
		} catch {
			list = null;
		}
		if (!Array.isArray(list) || !list.every((h) => h && typeof h === 'object' && Object.keys(h).length === 1 && typeof Object.values(h)[0] === 'string'))
			throw new PgrstError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
		// A header the GUC names twice (Set-Cookie) is sent twice; Node takes an array for that.
		const seen = new Set<string>();
		for (const h of list as Record<string, string>[]) {
			const [k, v] = Object.entries(h)[0];
			const key = k.toLowerCase();
			const prev = headers[key] as string | string[] | undefined;
			(headers as Record<string, string | string[]>)[key] = seen.has(key) && prev !== undefined ? [...(Array.isArray(prev) ? prev : [prev]), v] : v;
			seen.add(key);
		}
	}
	const rawStatus = row.response_status as string | null | undefined;
	if (rawStatus) {
		const n = Number(rawStatus);
		if (!Number.isInteger(n) || n < 100 || n > 599) throw new PgrstError(500, 'PGRST112', 'response.status guc must be a valid status code');
		return n;
	}
	return status;
}

export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | null, head: boolean) {
	if (res.headersSent) return;
	const out: Record<string, string> = { ...headers };
	// A HEAD answer carries no Content-Length, as PostgREST's (its length is left out with the body).
	if (body !== null && !head) out['content-length'] = String(Buffer.byteLength(body));
	// Names beyond Latin-1 (a `Content-Location` or `Content-Profile` in Arabic) leave as
	// PostgREST sends them, UTF-8 bytes, instead of making Node refuse the header. The body
	// then goes as bytes: Node writes a string body in one piece with the head, both UTF-8.
	let bytes = false;
	for (const k in out) {
		if (/[\u0100-\uffff]/.test(out[k])) {
			out[k] = Buffer.from(out[k], 'utf8').toString('latin1');
			bytes = true;
		}
	}
	res.writeHead(status, out);
	res.end(head || body === null ? undefined : bytes ? Buffer.from(body) : body);
}

export function sendError(res: ServerResponse, error: PgrstError) {
	const body = JSON.stringify(error.body());
	const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'proxy-status': `PostgREST; error=${error.code}`, ...error.headers };
	if (error.statusText && !res.headersSent) res.statusMessage = error.statusText;
	send(res, error.status, headers, body, false);
}
