/**
 * The request stage: path → resource, method → action, profile headers → schema, query
 * string → select/filters/order/ranges, `Prefer`, `Range`, `Accept` and the payload. No
 * database access; everything here can fail only with PostgREST's PGRST1xx errors.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseCsv } from './csv.ts';
import { apiRequestError, PgrstError } from './errors.ts';
import {
	parseColumns,
	parseFilterValue,
	parseLogicTree,
	parseLogicPath,
	parseOrder,
	parseSelect,
	parseTreePath,
	type Field,
	type LogicTree,
	type OpExpr,
	type OrderTerm,
	type SelectItem
} from './query-params.ts';

export interface RangeSpec {
	offset: number;
	/** Number of rows, or null for no limit. */
	limit: number | null;
}

export interface QueryParams {
	select: SelectItem[];
	/** The select parameter was absent or `*` (PostgREST's "default select"). */
	defaultSelect: boolean;
	filters: { path: string[]; field: Field; expr: OpExpr }[];
	/** RPC GET arguments: parameters without an operator. */
	rpcParams: [string, string][];
	logic: { path: string[]; tree: LogicTree }[];
	order: { path: string[]; terms: OrderTerm[] }[];
	/** "" for the top level, "actors" / "actors.roles" for embedded resources. */
	ranges: Map<string, RangeSpec>;
	columns: string[] | null;
	onConflict: string[] | null;
	/** The query string with parameters sorted, as PostgREST's Content-Location shows it. */
	canonical: string;
}

export interface Preferences {
	resolution?: 'merge-duplicates' | 'ignore-duplicates';
	return?: 'representation' | 'minimal' | 'headers-only';
	count?: 'exact' | 'planned' | 'estimated';
	missing?: 'default' | 'null';
	handling?: 'strict' | 'lenient';
	timezone?: string;
	maxAffected?: number;
	tx?: 'commit' | 'rollback';
	invalid: string[];
}

export interface Payload {
	/** The JSON text handed to PostgreSQL. */
	json: string;
	isObject: boolean;
	keys: string[];
	rows: Record<string, unknown>[];
	/** The body as it came (text/plain, text/xml, application/octet-stream as hex). */
	raw?: boolean;
	/** A form's fields in order, repeats kept (a function's VARIADIC parameter takes them all). */
	pairs?: [string, string][];
}

export type Resource = { kind: 'relation'; name: string } | { kind: 'routine'; name: string } | { kind: 'schema' };

export interface MediaRange {
	type: string;
	params: Record<string, string>;
}

export interface ApiRequest {
	method: string;
	resource: Resource;
	schema: string;
	negotiatedByProfile: boolean;
	query: QueryParams;
	prefer: Preferences;
	topRange: RangeSpec;
	/** limit/offset for PATCH/DELETE. */
	mutateRange: RangeSpec;
	/** Set when a Range header or limit asked for something (affects 206 answers). */
	accept: MediaRange[];
	contentType: string;
	payload: Payload | null;
	/** Request headers, lower-cased, without Cookie (as PostgREST passes them to SQL). */
	headers: Record<string, string>;
	cookies: Record<string, string>;
	path: string;
}

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

const lastWord = (key: string) => key.slice(key.lastIndexOf('.') + 1);
const prefixOf = (key: string) => (key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '');

export function parseQueryParams(search: URLSearchParams, isRpcRead: boolean): QueryParams {
	const entries = [...search.entries()].filter(([k]) => k !== 'apikey');
	const canonical = entries
		.map(([k, v]) => [k, v] as const)
		.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
		.join('&');
	const selectRaw = search.get('select');
	const q: QueryParams = {
		select: parseSelect(selectRaw ?? '*'),
		defaultSelect: selectRaw === null || selectRaw.trim() === '*',
		filters: [],
		rpcParams: [],
		logic: [],
		order: [],
		ranges: new Map(),
		columns: search.has('columns') ? parseColumns(search.get('columns')!) : null,
		onConflict: search.has('on_conflict') ? parseColumns(search.get('on_conflict')!, 'on_conflict') : null,
		canonical
	};
	const limits = new Map<string, number | null>();
	const offsets = new Map<string, number>();
	for (const [key, value] of entries) {
		const word = lastWord(key);
		if (RESERVED.has(key)) continue;
		if (RESERVED_EMBEDDABLE.has(word)) {
			if (!value) continue;
			const path = prefixOf(key);
			if (word === 'order') q.order.push({ path: path ? path.split('.') : [], terms: parseOrder(value) });
			else if (word === 'limit') limits.set(path, /^-?\d+$/.test(value) ? Number(value) : null);
			else if (word === 'offset') {
				if (/^\d+$/.test(value)) offsets.set(path, Number(value));
			} else {
				const logicPath = parseLogicPath(key);
				q.logic.push({ path: logicPath.path, tree: parseLogicTree(logicPath.op, value) });
			}
			continue;
		}
		if (!value) continue;
		if (isRpcRead) {
			let expr: OpExpr | null = null;
			try {
				expr = parseFilterValue(value);
			} catch (error) {
				if (!(error instanceof PgrstError)) throw error;
			}
			if (!expr) {
				q.rpcParams.push([key, value]);
				continue;
			}
			const { path, field } = parseTreePath(key);
			q.filters.push({ path, field, expr });
			continue;
		}
		const { path, field } = parseTreePath(key);
		q.filters.push({ path, field, expr: parseFilterValue(value) });
	}
	for (const path of new Set([...limits.keys(), ...offsets.keys()])) {
		const limit = limits.get(path);
		if (limit !== undefined && limit !== null && limit < 0) throw apiRequestError.negativeLimit();
		q.ranges.set(path, { offset: offsets.get(path) ?? 0, limit: limit ?? null });
	}
	return q;
}

export function parsePreferences(headers: IncomingMessage['headers']): Preferences {
	const raw = headers['prefer'];
	const list = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((h) => h.split(',')).map((p) => p.trim()).filter(Boolean);
	const prefs: Preferences = { invalid: [] };
	const pick = <T extends string>(prefix: string, values: readonly T[], p: string): T | undefined =>
		p.startsWith(prefix) && values.includes(p.slice(prefix.length) as T) ? (p.slice(prefix.length) as T) : undefined;
	for (const p of list) {
		const resolution = pick('resolution=', ['merge-duplicates', 'ignore-duplicates'] as const, p);
		const ret = pick('return=', ['representation', 'minimal', 'headers-only'] as const, p);
		const count = pick('count=', ['exact', 'planned', 'estimated'] as const, p);
		const missing = pick('missing=', ['default', 'null'] as const, p);
		const handling = pick('handling=', ['strict', 'lenient'] as const, p);
		const tx = pick('tx=', ['commit', 'rollback'] as const, p);
		if (resolution) prefs.resolution ??= resolution;
		else if (ret) prefs.return ??= ret;
		else if (count) prefs.count ??= count;
		else if (missing) prefs.missing ??= missing;
		else if (handling) prefs.handling ??= handling;
		else if (tx) prefs.tx ??= tx;
		else if (p.startsWith('timezone=')) prefs.timezone ??= p.slice('timezone='.length);
		else if (p.startsWith('max-affected=') && /^\d+$/.test(p.slice('max-affected='.length))) prefs.maxAffected ??= Number(p.slice('max-affected='.length));
		else prefs.invalid.push(p);
	}
	return prefs;
}

/** Media ranges of the Accept header, best first (q-values honoured, order kept otherwise). */
export function parseAccept(header: string | undefined): MediaRange[] {
	if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
	return header
		.split(',')
		.map((part, i) => {
			const [type, ...rest] = part.split(';').map((s) => s.trim());
			const params: Record<string, string> = {};
			for (const r of rest) {
				const eq = r.indexOf('=');
				if (eq > 0) params[r.slice(0, eq).trim().toLowerCase()] = r.slice(eq + 1).trim();
			}
			const q = params.q !== undefined ? Number(params.q) : 1;
			return { range: { type: type.toLowerCase(), params }, q: Number.isFinite(q) ? q : 0, i };
		})
		.filter((x) => x.range.type && x.q > 0)
		.sort((a, b) => b.q - a.q || a.i - b.i)
		.map((x) => x.range);
}

function rangeHeader(value: string | undefined): RangeSpec & { lower: number; upper: number | null } | null {
	const m = value ? /^\s*(?:items=)?(\d+)-(\d*)\s*$/.exec(value) : null;
	if (!m) return null;
	const lower = Number(m[1]);
	const upper = m[2] ? Number(m[2]) : null;
	return { lower, upper, offset: lower, limit: upper === null ? null : upper - lower + 1 };
}

/** Combines the Range header (GET only) with `limit`/`offset` as PostgREST intersects them. */
export function topLevelRange(method: string, rangeValue: string | undefined, limitRange: RangeSpec | undefined): RangeSpec {
	const header = method === 'GET' ? rangeHeader(rangeValue) : null;
	if (header && header.upper !== null && header.upper < header.lower) throw apiRequestError.lowerGtUpper();
	const fromLimit = limitRange ?? { offset: 0, limit: null };
	if (fromLimit.limit === 0) return { offset: fromLimit.offset, limit: 0 };
	if (!header) return fromLimit;
	const lower = Math.max(header.lower, fromLimit.offset);
	const uppers = [header.upper, fromLimit.limit === null ? null : fromLimit.offset + fromLimit.limit - 1].filter((u): u is number => u !== null);
	const upper = uppers.length ? Math.min(...uppers) : null;
	if (upper !== null && upper < lower) throw apiRequestError.lowerGtUpper();
	return { offset: lower, limit: upper === null ? null : upper - lower + 1 };
}

/** Reads the body up to `limit` bytes; more is PostgREST-shaped 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const declared = Number(req.headers['content-length'] ?? 0);
	if (declared > limit) throw tooLarge(limit);
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > limit) throw tooLarge(limit);
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

const tooLarge = (limit: number) => new PgrstError(413, 'PGRST102', `Request body is larger than the limit of ${limit} bytes`);

const invalidJson = () => apiRequestError.invalidBody('Empty or invalid json');

/** Parses the payload of a write or an RPC by its Content-Type. */
export function parsePayload(contentType: string, body: Buffer, checkKeys: boolean): Payload | null {
	// Raw bodies for functions with a single unnamed text / xml / bytea parameter.
	if (contentType === 'application/octet-stream') return { json: `\\x${body.toString('hex')}`, isObject: false, keys: [], rows: [], raw: true };
	const text = body.toString('utf8');
	if (contentType === 'text/plain' || contentType === 'text/xml') return { json: text, isObject: false, keys: [], rows: [], raw: true };
	if (contentType === 'text/csv') {
		const rows = parseCsv(text);
		const keys = rows.length ? Object.keys(rows[0]) : [];
		return { json: JSON.stringify(rows), isObject: false, keys, rows };
	}
	if (contentType === 'application/x-www-form-urlencoded') {
		const pairs = [...new URLSearchParams(text)];
		const row = Object.fromEntries(pairs);
		return { json: JSON.stringify(row), isObject: true, keys: Object.keys(row), rows: [row], pairs };
	}
	if (contentType !== 'application/json') throw apiRequestError.invalidBody(`Content-Type not acceptable: ${contentType}`);
	if (!text.trim()) return null;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw invalidJson();
	}
	if (Array.isArray(value)) {
		// PostgREST: an array holding anything but objects fails the same key check.
		if (!value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) throw apiRequestError.invalidBody('All object keys must match');
		const rows = value as Record<string, unknown>[];
		const keys = rows.length ? Object.keys(rows[0]) : [];
		if (checkKeys) {
			const want = [...keys].sort().join('\u0000');
			for (const row of rows) if (Object.keys(row).sort().join('\u0000') !== want) throw apiRequestError.invalidBody('All object keys must match');
		}
		return { json: text, isObject: false, keys, rows };
	}
	if (value && typeof value === 'object') {
		const row = value as Record<string, unknown>;
		return { json: text, isObject: true, keys: Object.keys(row), rows: [row] };
	}
	// A JSON scalar is taken as an empty array, as PostgREST does.
	if (checkKeys) return { json: '[]', isObject: false, keys: [], rows: [] };
	throw invalidJson();
}

export function parseCookies(header: string | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	if (!header) return out;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq <= 0) continue;
		const name = part.slice(0, eq).trim();
		let value = part.slice(eq + 1).trim();
		try {
			value = decodeURIComponent(value);
		} catch {
			/* keep raw */
		}
		out[name] = value;
	}
	return out;
}

export function resourceOf(path: string): Resource {
	const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
	if (parts.length === 0) return { kind: 'schema' };
	if (parts.length === 1) return { kind: 'relation', name: parts[0] };
	if (parts.length === 2 && parts[0] === 'rpc') return { kind: 'routine', name: parts[1] };
	throw apiRequestError.invalidResourcePath();
}

/** Schema from Accept-Profile (reads) or Content-Profile (writes), checked against `[api] schemas`. */
export function schemaOf(method: string, headers: IncomingMessage['headers'], schemas: string[]): { schema: string; negotiated: boolean } {
	const header = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(method) ? headers['content-profile'] : headers['accept-profile'];
	const profile = Array.isArray(header) ? header[0] : header;
	if (profile !== undefined) {
		if (!schemas.includes(profile)) throw apiRequestError.unacceptableSchema(profile, schemas);
		return { schema: profile, negotiated: true };
	}
	return { schema: schemas[0], negotiated: schemas.length !== 1 };
}

export function contentTypeOf(header: string | undefined): string {
	return (header ?? 'application/json').split(';')[0].trim().toLowerCase() || 'application/json';
}
