/**
 * `postgres_changes` filters (`column=op.value`, joined by commas): parsed as Supabase
 * parses them, refused with its messages, and matched against a changed row.
 */

type Op = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'like' | 'ilike' | 'is' | 'match' | 'imatch' | 'isdistinct';
const OPS = new Set<string>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct']);
export interface Filter {
	column: string;
	op: Op;
	negate: boolean;
	value: string | string[];
	/** The value as Supabase logs it (`in` lists as `{a,b}`). */
	raw: string;
	/** Compiled pattern of like / ilike / match / imatch. */
	pattern?: RegExp;
}

/** Thrown for a filter Supabase cannot parse; the message is its reason. */
export class FilterError extends Error {}

/** Splits `a=eq.1,b=in.(x,"y,z")` on commas outside quotes and parentheses. */
function splitConditions(text: string, keepEmpty = false): string[] {
	const parts: string[] = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') quoted = !quoted;
		else if (!quoted && c === '(') depth++;
		else if (!quoted && c === ')') depth--;
		else if (!quoted && depth === 0 && c === ',') {
			parts.push(text.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(text.slice(start));
	const trimmed = parts.map((p) => p.trim());
	return keepEmpty ? trimmed : trimmed.filter(Boolean);
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** A SQL LIKE pattern (`%`, `_`, backslash escapes) as a regular expression. */
function likePattern(pattern: string, caseless: boolean): RegExp {
	let out = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length) out += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		else if (c === '%') out += '[\\s\\S]*';
		else if (c === '_') out += '[\\s\\S]';
		else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${out}$`, caseless ? 'i' : '');
}

/** Parses a `postgres_changes` filter as Supabase does; throws {@link FilterError} with its reason. */
export function parseFilter(text: string): Filter[] {
	if (text.trim() === '') return [];
	return splitConditions(text, true).map((segment) => {
		const condition = segment.trim();
		if (!condition) throw new FilterError('filter must not contain empty segments (check for extra commas)');
		const eq = condition.indexOf('=');
		if (eq < 0) throw new FilterError(`[${JSON.stringify(condition)}]`);
		const column = condition.slice(0, eq);
		let rest = condition.slice(eq + 1);
		const negate = rest.startsWith('not.');
		if (negate) rest = rest.slice(4);
		const dot = rest.indexOf('.');
		if (dot < 0) throw new FilterError(`[${JSON.stringify(rest)}]`);
		const op = rest.slice(0, dot);
		const raw = rest.slice(dot + 1);
		if (!OPS.has(op)) throw new FilterError(`[${JSON.stringify(op)}, ${JSON.stringify(raw)}]`);
		if (op === 'in') {
			const inner = /^\((.*)\)$/s.exec(raw);
			if (!inner) throw new FilterError('`in` filter value must be wrapped by parentheses');
			return { column, op, negate, value: splitConditions(inner[1]).map(unquote), raw: `{${inner[1]}}` };
		}
		const value = unquote(raw);
		const filter: Filter = { column, op: op as Op, negate, value, raw: value };
		if (op === 'is' && !['null', 'true', 'false', 'unknown'].includes(value)) {
			throw new FilterError('invalid value for is filter: must be null, true, false, or unknown');
		}
		if (op === 'like' || op === 'ilike') filter.pattern = likePattern(value, op === 'ilike');
		if (op === 'match' || op === 'imatch') {
			try {
				filter.pattern = new RegExp(value, op === 'imatch' ? 'i' : '');
			} catch (error) {
				throw new FilterError(`invalid regular expression for ${op} filter: ${(error as Error).message}`);
			}
		}
		return filter;
	});
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

function compare(a: unknown, b: string, numeric: boolean): number | null {
	if (a === null || a === undefined) return null;
	if (numeric) {
		const x = Number(a);
		const y = Number(b);
		if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
		return x === y ? 0 : x < y ? -1 : 1;
	}
	const s = typeof a === 'string' ? a : typeof a === 'object' ? JSON.stringify(a) : String(a);
	return s === b ? 0 : s < b ? -1 : 1;
}

/** Whether `record` passes `filter`; `types` maps its columns to their type names. */
export function passes(filter: Filter, record: Record<string, unknown> | null, types: Map<string, string>): boolean {
	if (!record || !(filter.column in record)) return false;
	const value = record[filter.column];
	const numeric = NUMERIC_TYPES.has(types.get(filter.column) ?? '');
	const bool = types.get(filter.column) === 'bool';
	const norm = (v: string) => (bool ? (['t', 'true'].includes(v.toLowerCase()) ? 'true' : 'false') : v);
	const cmp = (v: string) => compare(bool ? String(value) : value, norm(v), numeric);
	if (filter.op === 'is') {
		const v = filter.value as string;
		const result = v === 'null' || v === 'unknown' ? value === null : value === (v === 'true');
		return filter.negate ? !result : result;
	}
	if (filter.op === 'isdistinct') {
		const distinct = value === null || value === undefined || cmp(filter.value as string) !== 0;
		return filter.negate ? !distinct : distinct;
	}
	// SQL: a comparison with NULL is unknown, and so is its negation.
	if (value === null || value === undefined) return false;
	let result: boolean;
	if (filter.pattern) {
		result = filter.pattern.test(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
	} else if (filter.op === 'in') {
		result = (filter.value as string[]).some((v) => cmp(v) === 0);
	} else {
		const c = cmp(filter.value as string);
		if (c === null) return false;
		result = ({ eq: c === 0, neq: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 } as Record<string, boolean>)[filter.op] ?? false;
	}
	return filter.negate ? !result : result;
}
