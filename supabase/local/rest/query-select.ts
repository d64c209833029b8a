/**
 * The grammar of PostgREST's `select` parameter: columns with aliases, casts and JSON
 * paths, embedded resources with hints and `!inner`/`!left`, spreads and aggregates, parsed
 * into a forest of select items (types in `query-params.ts`).
 */
import { Fail, IDENT_CHAR, Parser, run } from './query-parser.ts';
import type { Aggregate, JoinType, SelectItem } from './query-params.ts';

function aliasPrefix(p: Parser): string | undefined {
	if (!mayBeAlias(p)) return undefined;
	return p.attempt(() => {
		const name = p.fieldName();
		p.expect(':');
		if (p.peek() === ':') p.fail('alias');
		return name;
	});
}

/**
 * Whether an alias `name:` can start here. An unquoted name is identifier characters and
 * dashes (not "->"); if what follows them is not a single ":", there is no alias.
 */
function mayBeAlias(p: Parser): boolean {
	const s = p.s;
	if (s[p.pos] === '"') return true;
	let i = p.pos;
	while (i < s.length && (IDENT_CHAR.test(s[i]) || (s[i] === '-' && s[i + 1] !== '>'))) i++;
	return s[i] === ':' && s[i + 1] !== ':';
}

function embedParams(p: Parser): { hint?: string; join?: JoinType } {
	const out: { hint?: string; join?: JoinType } = {};
	for (let i = 0; i < 2 && p.peek() === '!'; i++) {
		p.pos++;
		const join = p.attempt(() => {
			for (const j of ['left', 'inner'] as const) {
				if (p.startsWith(j) && (p.peek(j.length) === '(' || p.peek(j.length) === '!')) {
					p.pos += j.length;
					return j;
				}
			}
			p.fail('join type');
		});
		if (join) out.join ??= join;
		else out.hint ??= p.fieldName();
	}
	return out;
}

const AGGREGATES: Aggregate[] = ['sum', 'avg', 'count', 'max', 'min'];

function selectForest(p: Parser): SelectItem[] {
	const items: SelectItem[] = [];
	p.ws();
	if (p.eof || p.peek() === ')') return items;
	for (;;) {
		items.push(selectTree(p));
		p.ws();
		if (p.peek() !== ',') break;
		p.pos++;
		p.ws();
	}
	return items;
}

function children(p: Parser): SelectItem[] {
	p.expect('(');
	const kids = selectForest(p);
	p.expect(')', '")"');
	return kids;
}

function selectTree(p: Parser): SelectItem {
	p.ws();
	const spread = !p.startsWith('...') ? undefined : p.attempt(() => {
		p.ws();
		p.expect('...');
		const name = p.fieldName();
		const params = embedParams(p);
		p.ws();
		if (p.peek() !== '(') p.fail('"("');
		return { kind: 'spread' as const, name, ...params };
	});
	if (spread) return { ...spread, children: children(p) };
	const relation = !mayBeRelation(p) ? undefined : p.attempt(() => {
		p.ws();
		const alias = aliasPrefix(p);
		const name = p.fieldName();
		if (name === 'count') p.fail('relation');
		const params = embedParams(p);
		p.ws();
		if (p.peek() !== '(') p.fail('"("');
		return { kind: 'relation' as const, name, ...(alias !== undefined ? { alias } : {}), ...params };
	});
	if (relation) {
		const kids = children(p);
		p.ws();
		return { ...relation, children: kids };
	}
	return fieldSelect(p);
}

/**
 * Whether a relation `name(…)` can start here: it needs a "(" before the item's end. Text
 * with no quote before the next "," cannot hide one, so an item like `title,` is not one.
 */
function mayBeRelation(p: Parser): boolean {
	const paren = p.s.indexOf('(', p.pos);
	if (paren === -1) return false;
	const comma = p.s.indexOf(',', p.pos);
	const quote = p.s.indexOf('"', p.pos);
	return !(comma !== -1 && comma < paren && (quote === -1 || quote > comma));
}

function fieldSelect(p: Parser): SelectItem {
	p.ws();
	const ends = [')', ','];
	let starFail: Fail | undefined;
	const star = p.peek() !== '*' ? undefined : p.attempt(() => {
		p.expect('*');
		p.ws();
		try {
			p.end(...ends);
		} catch (error) {
			if (error instanceof Fail) starFail = error;
			throw error;
		}
		return { kind: 'field' as const, field: { name: '*', json: [] } };
	});
	if (star) return star;
	try {
		return fieldSelectRest(p);
	} catch (error) {
		// Parsec reports the alternative that got furthest: `*!x` fails after the star.
		if (starFail && error instanceof Fail && starFail.pos > error.pos) throw starFail;
		throw error;
	}
}

function fieldSelectRest(p: Parser): SelectItem {
	const ends = [')', ','];
	const count = !p.s.includes('count()', p.pos) ? undefined : p.attempt(() => {
		const alias = aliasPrefix(p);
		p.expect('count()');
		const aggregateCast = p.startsWith('::') ? ((p.pos += 2), p.castType()) : undefined;
		p.ws();
		p.end(...ends);
		const item: SelectItem = { kind: 'field', field: { name: '*', json: [] }, aggregate: 'count' };
		if (alias !== undefined) item.alias = alias;
		if (aggregateCast !== undefined) item.aggregateCast = aggregateCast;
		return item;
	});
	if (count) return count;
	const alias = aliasPrefix(p);
	const field = p.field();
	const item: SelectItem = { kind: 'field', field };
	if (alias !== undefined) item.alias = alias;
	if (p.startsWith('::')) {
		p.pos += 2;
		item.cast = p.castType();
	}
	const aggregate = p.peek() !== '.' ? undefined : p.attempt(() => {
		p.expect('.');
		const agg = AGGREGATES.find((a) => p.startsWith(`${a}()`));
		if (!agg) p.fail('aggregate function');
		p.pos += agg.length + 2;
		return agg;
	});
	if (aggregate) {
		item.aggregate = aggregate;
		if (p.startsWith('::')) {
			p.pos += 2;
			item.aggregateCast = p.castType();
		}
	}
	p.ws();
	if (!p.eof && !ends.includes(p.peek())) {
		// What each optional part still open here would have taken, in PostgREST's order.
		const expecting: string[] = [];
		if (item.aggregateCast !== undefined || (item.cast !== undefined && !aggregate)) expecting.push('letter', 'digit');
		else if (!aggregate && !field.json.length) expecting.push('letter', 'digit', '"-"');
		if (!aggregate && item.cast === undefined) expecting.push('"->>"', '"->"', '"::"');
		if (!aggregate) expecting.push('"."');
		if (item.aggregateCast === undefined) expecting.push('"::"');
		p.fail(...expecting, ...ends.map((t) => `"${t}"`), 'end of input');
	}
	return item;
}

export const parseSelect = (input: string) =>
	run(`failed to parse select parameter (${input})`, input, selectForest, (items, p) => p.peek() === ')' || items.at(-1)?.kind === 'relation' || items.at(-1)?.kind === 'spread');
