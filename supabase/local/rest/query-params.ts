/**
 * The grammar of PostgREST's query parameters (`select`, filters, `order`, `or`/`and`,
 * `columns`, `on_conflict`), parsed into a tree; `select`'s own grammar is in
 * `query-select.ts`. Parse errors become PostgREST's PGRST100 with a Parsec-like message
 * ("failed to parse … (line 1, column N)"); the parser's machinery is in `query-parser.ts`,
 * its inverse (a printer) in `query-print.ts`.
 */
import { Fail, IDENT_CHAR, Parser, run } from './query-parser.ts';

export { parseSelect } from './query-select.ts';

export type JsonArrow = '->' | '->>';
export interface JsonOp {
	arrow: JsonArrow;
	/** A key, or an array index when `index` is true ("0", "-1"). */
	key: string;
	index: boolean;
}
export interface Field {
	name: string;
	json: JsonOp[];
}
export type Aggregate = 'sum' | 'avg' | 'count' | 'max' | 'min';
export type JoinType = 'left' | 'inner';

export type SelectItem =
	| { kind: 'field'; field: Field; alias?: string; cast?: string; aggregate?: Aggregate; aggregateCast?: string }
	| { kind: 'relation'; name: string; alias?: string; hint?: string; join?: JoinType; children: SelectItem[] }
	| { kind: 'spread'; name: string; hint?: string; join?: JoinType; children: SelectItem[] };

export type QuantOp = 'eq' | 'gte' | 'gt' | 'lte' | 'lt' | 'like' | 'ilike' | 'match' | 'imatch';
export type SimpleOp = 'neq' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';
export type FtsOp = 'fts' | 'plfts' | 'phfts' | 'wfts';
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
	| { kind: 'quant'; op: QuantOp; quantifier?: 'any' | 'all'; value: string }
	| { kind: 'simple'; op: SimpleOp; value: string }
	| { kind: 'in'; values: string[] }
	| { kind: 'is'; value: IsValue }
	| { kind: 'isdistinct'; value: string }
	| { kind: 'fts'; op: FtsOp; language?: string; value: string };

export interface OpExpr {
	not: boolean;
	operation: Operation;
}
export interface Filter {
	field: Field;
	expr: OpExpr;
}
export type LogicTree = { kind: 'expr'; not: boolean; op: 'and' | 'or'; children: LogicTree[] } | { kind: 'filter'; filter: Filter };

export interface OrderTerm {
	/** Set for `relation(column)` terms (ordering by a to-one embedded resource). */
	relation?: string;
	field: Field;
	direction?: 'asc' | 'desc';
	nulls?: 'first' | 'last';
}

const QUANT_OPS: QuantOp[] = ['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch'];
const SIMPLE_OPS: SimpleOp[] = ['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'];
const FTS_OPS: FtsOp[] = ['fts', 'plfts', 'phfts', 'wfts'];
/** Longest first, so `plfts` is not read as `fts`… (none is a prefix today, but keep it so). */
const FTS_BY_LENGTH = [...FTS_OPS].sort((a, b) => b.length - a.length);
const IS_VALUES: IsValue[] = ['null', 'not_null', 'true', 'false', 'unknown'];

type ValueParser = (p: Parser) => string;

const restOfInput: ValueParser = (p) => {
	const v = p.s.slice(p.pos);
	p.pos = p.s.length;
	return v;
};

const logicValue: ValueParser = (p) => {
	const quoted = p.attempt(() => {
		const v = p.quoted();
		if (!p.eof && !',)'.includes(p.peek())) p.fail('"," or ")"');
		return v;
	});
	if (quoted !== undefined) return quoted;
	const array = p.attempt(() => {
		const start = p.pos;
		p.expect('{');
		while (!p.eof && p.peek() !== '{' && p.peek() !== '}') p.pos++;
		p.expect('}');
		return p.s.slice(start, p.pos);
	});
	if (array !== undefined) return array;
	const start = p.pos;
	while (!p.eof && !',)'.includes(p.peek())) p.pos++;
	return p.s.slice(start, p.pos);
};

function listValue(p: Parser): string[] {
	p.ws();
	p.expect('(');
	p.ws();
	const values: string[] = [];
	for (;;) {
		const quoted = p.attempt(() => {
			const v = p.quoted();
			if (!p.eof && !',)'.includes(p.peek())) p.fail('"," or ")"');
			return v;
		});
		if (quoted !== undefined) values.push(quoted);
		else {
			const start = p.pos;
			while (!p.eof && !',)'.includes(p.peek())) p.pos++;
			values.push(p.s.slice(start, p.pos));
		}
		if (p.peek() !== ',') break;
		p.pos++;
	}
	p.ws();
	p.expect(')', '")"');
	p.ws();
	return values;
}

function opExpr(p: Parser, value: ValueParser): OpExpr {
	let not = false;
	if (p.startsWith('not.')) {
		not = true;
		p.pos += 4;
	}
	// After `in.` the list is required (PostgREST commits to it, as Parsec does once consumed).
	// Each other alternative is only tried where its keyword starts (same result as trying it
	// and failing, without throwing on the common path).
	const inList = p.startsWith('in.') ? ((p.pos += 3), { kind: 'in' as const, values: listValue(p) }) : undefined;
	const operation = inList ?? (p.startsWith('is.') ? p.attempt((): Operation => {
		p.expect('is.');
		const v = IS_VALUES.find((x) => p.s.slice(p.pos, p.pos + x.length).toLowerCase() === x);
		if (!v) p.fail('isVal: (null, not_null, true, false, unknown)');
		p.pos += v.length;
		return { kind: 'is', value: v };
	}) : undefined) ?? (p.startsWith('isdistinct.') ? p.attempt((): Operation => {
		p.expect('isdistinct.');
		return { kind: 'isdistinct', value: value(p) };
	}) : undefined) ?? (FTS_BY_LENGTH.some((o) => p.startsWith(o)) ? p.attempt((): Operation => {
		const op = FTS_BY_LENGTH.find((o) => p.startsWith(o));
		if (!op) p.fail('operator (eq, gt, ...)');
		p.pos += op.length;
		let language: string | undefined;
		if (p.peek() === '(') {
			p.pos++;
			language = p.castType();
			p.expect(')');
		}
		p.expect('.', 'delimiter (.)');
		const out: Operation = { kind: 'fts', op, value: value(p) };
		if (language !== undefined) out.language = language;
		return out;
	}) : undefined) ?? (SIMPLE_OPS.some((o) => p.startsWith(o)) ? p.attempt((): Operation => {
		const op = SIMPLE_OPS.find((o) => p.startsWith(o));
		if (!op) p.fail('operator (eq, gt, ...)');
		p.pos += op.length;
		p.expect('.', 'delimiter (.)');
		return { kind: 'simple', op, value: value(p) };
	}) : undefined) ?? p.attempt((): Operation => {
		const op = QUANT_OPS.find((o) => p.startsWith(o) && (p.peek(o.length) === '.' || p.peek(o.length) === '('));
		if (!op) p.fail('operator (eq, gt, ...)');
		p.pos += op.length;
		let quantifier: 'any' | 'all' | undefined;
		if (p.startsWith('(any)')) quantifier = 'any';
		else if (p.startsWith('(all)')) quantifier = 'all';
		if (quantifier) p.pos += 5;
		p.expect('.', 'delimiter (.)');
		const out: Operation = { kind: 'quant', op, value: value(p) };
		if (quantifier) out.quantifier = quantifier;
		return out;
	});
	if (!operation) p.fail(...(not ? [] : ['"not"']), 'operator (eq, gt, ...)');
	return { not, operation };
}

function logicTree(p: Parser): LogicTree {
	const start = p.pos;
	let stmtFail: Fail | undefined;
	const stmt = p.attempt((): LogicTree => {
		try {
			const field = p.field();
			p.expect('.', 'delimiter (.)');
			return { kind: 'filter', filter: { field, expr: opExpr(p, logicValue) } };
		} catch (error) {
			if (error instanceof Fail) stmtFail = error;
			throw error;
		}
	});
	if (stmt) return stmt;
	let not = false;
	if (p.startsWith('not.')) {
		not = true;
		p.pos += 4;
	}
	let op: 'and' | 'or';
	if (p.startsWith('and')) op = 'and';
	else if (p.startsWith('or')) op = 'or';
	// Neither alternative consumed anything: Parsec reports the filter's error if it got further.
	else if (p.pos === start && stmtFail && stmtFail.pos > start) throw stmtFail;
	else if (p.pos === start && !p.startsWith('"') && !IDENT_CHAR.test(p.peek() ?? ''))
		// Nothing fits here: Parsec lists what each alternative expected.
		p.fail('field name (* or [a..z0..9_$])', 'negation operator (not)', 'logic operator (and, or)');
	else p.fail('logic operator (and, or)');
	p.pos += op.length;
	p.ws();
	p.expect('(');
	p.ws();
	const kids: LogicTree[] = [logicTree(p)];
	p.ws();
	while (p.peek() === ',') {
		p.pos++;
		p.ws();
		kids.push(logicTree(p));
		p.ws();
	}
	p.expect(')', '")"');
	p.ws();
	return { kind: 'expr', not, op, children: kids };
}

function orderTerms(p: Parser): OrderTerm[] {
	const terms: OrderTerm[] = [];
	for (;;) {
		p.ws();
		const rel = p.attempt(() => {
			const relation = p.fieldName();
			p.expect('(');
			const field = p.field();
			p.expect(')');
			return { relation, field };
		});
		const term: OrderTerm = rel ?? { field: p.field() };
		orderSuffix(p, term);
		terms.push(term);
		if (p.eof) return terms;
		p.pos++;
	}
}

/**
 * `.asc` / `.desc`, then `.nullsfirst` / `.nullslast`, then `,` or the end; on a failure,
 * the error Parsec gives for PostgREST's `optionMaybe pOrdDir`, `optionMaybe pNulls <* pEnd`
 * (the alternatives that got furthest, the character where `string` stopped matching).
 */
function orderSuffix(p: Parser, term: OrderTerm): void {
	const afterField = p.pos;
	const word = (at: number, words: string[]) => (p.s[at - 1] === '.' ? words.find((w) => p.s.startsWith(w, at)) : undefined);
	const mismatch = (at: number, w: string) => {
		let i = 0;
		while (i < w.length && p.s[at + i] === w[i]) i++;
		return at + i;
	};
	const direction = word(afterField + 1, ['asc', 'desc']);
	if (direction) {
		term.direction = direction as 'asc' | 'desc';
		p.pos = afterField + 1 + direction.length;
	}
	const afterDirection = p.pos;
	const nulls = word(afterDirection + 1, ['nullsfirst', 'nullslast']);
	if (nulls) {
		term.nulls = nulls === 'nullsfirst' ? 'first' : 'last';
		p.pos = afterDirection + 1 + nulls.length;
	}
	p.ws();
	if (p.eof || p.peek() === ',') return;
	if (nulls) p.fail('","', 'end of input');
	if (p.s[afterDirection] === '.') {
		const at = afterDirection + 1;
		if (direction) throw new Fail(at, ['"nullsfirst"', '"nullslast"'], mismatch(at, 'nullsfirst'));
		throw new Fail(at, ['"asc"', '"desc"', '"nullsfirst"', '"nullslast"'], mismatch(at, 'asc'));
	}
	if (direction) p.fail('delimiter (.)', '","', 'end of input');
	p.pos = afterField;
	if (term.field.json.length) p.fail('"->>"', '"->"', 'delimiter (.)', '","', 'end of input');
	p.fail('letter', 'digit', '"-"', '"->>"', '"->"', 'delimiter (.)', '","', 'end of input');
}

function columnList(p: Parser): string[] {
	const names: string[] = [];
	for (;;) {
		p.ws();
		names.push(p.fieldName());
		p.ws();
		if (p.peek() !== ',') break;
		p.pos++;
	}
	return names;
}
export const parseFilterValue = (input: string) => run(`failed to parse filter (${input})`, input, (p) => opExpr(p, restOfInput));
export const parseOrder = (input: string) => run(`failed to parse order (${input})`, input, orderTerms);
export const parseColumns = (input: string, param = 'columns') => run(`failed to parse ${param} parameter (${input})`, input, columnList);
export const parseLogicTree = (key: string, input: string) =>
	run(`failed to parse logic tree (${input})`, key + input, (p) => logicTree(p), () => true);

/** A filter key: `col`, `col->json->>path`, `embed.col`, `embed.sub.col`. */
export function parseTreePath(key: string): { path: string[]; field: Field } {
	return run(`failed to parse tree path (${key})`, key, (p) => {
		const names = [p.fieldName()];
		while (p.peek() === '.') {
			p.pos++;
			names.push(p.fieldName());
		}
		const json = p.jsonPath();
		return { path: names.slice(0, -1), field: { name: names.at(-1)!, json } };
	});
}

/** A logic key: `or`, `not.and`, `embed.or`, `embed.not.or`. */
export function parseLogicPath(key: string): { path: string[]; op: string } {
	return run(`failed to parse logic path (${key})`, key, (p) => {
		const names = [p.fieldName()];
		while (p.peek() === '.') {
			p.pos++;
			names.push(p.fieldName());
		}
		const last = names.at(-1)!;
		const negated = names.slice(0, -1).includes('not');
		return { path: names.slice(0, -1).filter((n) => n !== 'not'), op: negated ? `not.${last}` : last };
	});
}
