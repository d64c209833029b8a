/**
 * The query-parameter grammar: examples from PostgREST's documentation, and properties —
 * every tree the printer writes parses back to the same tree, and any input either
 * parses or fails with PostgREST's PGRST100 error object, never with anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PgrstError } from './errors.ts';
import {
	parseColumns,
	parseFilterValue,
	parseLogicTree,
	parseOrder,
	parseSelect,
	parseTreePath,
	type Field,
	type JsonOp,
	type LogicTree,
	type OpExpr,
	type OrderTerm,
	type SelectItem
} from './query-params.ts';
import { printLogicTree, printOpExpr, printOrder, printSelect } from './query-print.ts';
import { parseQueryParams } from './request.ts';

describe('select parameter', () => {
	it('parses columns, aliases, casts, JSON paths, embeds, hints, joins and spreads', () => {
		expect(parseSelect('id,name:title,year::text,data->a->>b,actors!roles!inner(name),...directors(dir:name),count(),rating.avg()::int')).toEqual([
			{ kind: 'field', field: { name: 'id', json: [] } },
			{ kind: 'field', field: { name: 'title', json: [] }, alias: 'name' },
			{ kind: 'field', field: { name: 'year', json: [] }, cast: 'text' },
			{ kind: 'field', field: { name: 'data', json: [{ arrow: '->', key: 'a', index: false }, { arrow: '->>', key: 'b', index: false }] } },
			{ kind: 'relation', name: 'actors', hint: 'roles', join: 'inner', children: [{ kind: 'field', field: { name: 'name', json: [] } }] },
			{ kind: 'spread', name: 'directors', children: [{ kind: 'field', field: { name: 'name', json: [] }, alias: 'dir' }] },
			{ kind: 'field', field: { name: '*', json: [] }, aggregate: 'count' },
			{ kind: 'field', field: { name: 'rating', json: [] }, aggregate: 'avg', aggregateCast: 'int' }
		]);
	});

	it('reads array indexes and quoted names', () => {
		expect(parseSelect('data->0,"my col"')).toEqual([
			{ kind: 'field', field: { name: 'data', json: [{ arrow: '->', key: '0', index: true }] } },
			{ kind: 'field', field: { name: 'my col', json: [] } }
		]);
	});

	it('fails like PostgREST on a dangling comma', () => {
		try {
			parseSelect('id,');
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(PgrstError);
			expect((error as PgrstError).body()).toEqual({
				code: 'PGRST100',
				message: '"failed to parse select parameter (id,)" (line 1, column 4)',
				details: 'unexpected end of input expecting field name (* or [a..z0..9_$])',
				hint: null
			});
		}
	});

	it('ignores what follows an unmatched ) or a last embed, as PostgREST parses without demanding the end', () => {
		expect(parseSelect('id,films(id))')).toEqual(parseSelect('id,films(id)'));
		expect(parseSelect("id,films(id)'tail")).toEqual(parseSelect('id,films(id)'));
		expect(parseSelect('id)')).toEqual(parseSelect('id'));
		expect(() => parseSelect('id,name!hint')).toThrow(PgrstError);
		expect(parseLogicTree('or', '(a.eq.1,b.eq.2))')).toEqual(parseLogicTree('or', '(a.eq.1,b.eq.2)'));
	});
});

describe('filters, logic trees and order', () => {
	it('parses operators with not, quantifiers, lists, is and fts languages', () => {
		expect(parseFilterValue('not.like(any).{a*,b*}')).toEqual({ not: true, operation: { kind: 'quant', op: 'like', quantifier: 'any', value: '{a*,b*}' } });
		expect(parseFilterValue('in.(1,"a,b",c)')).toEqual({ not: false, operation: { kind: 'in', values: ['1', 'a,b', 'c'] } });
		expect(parseFilterValue('is.NULL')).toEqual({ not: false, operation: { kind: 'is', value: 'null' } });
		expect(parseFilterValue('fts(english).cat & dog')).toEqual({ not: false, operation: { kind: 'fts', op: 'fts', language: 'english', value: 'cat & dog' } });
		expect(parseFilterValue('isdistinct.x')).toEqual({ not: false, operation: { kind: 'isdistinct', value: 'x' } });
	});

	it('parses nested logic trees', () => {
		expect(parseLogicTree('or', '(a.eq.1,and(b.gt.2,c.cs.{x,y}))')).toEqual({
			kind: 'expr',
			not: false,
			op: 'or',
			children: [
				{ kind: 'filter', filter: { field: { name: 'a', json: [] }, expr: { not: false, operation: { kind: 'quant', op: 'eq', value: '1' } } } },
				{
					kind: 'expr',
					not: false,
					op: 'and',
					children: [
						{ kind: 'filter', filter: { field: { name: 'b', json: [] }, expr: { not: false, operation: { kind: 'quant', op: 'gt', value: '2' } } } },
						{ kind: 'filter', filter: { field: { name: 'c', json: [] }, expr: { not: false, operation: { kind: 'simple', op: 'cs', value: '{x,y}' } } } }
					]
				}
			]
		});
	});

	it('parses order terms on columns, JSON paths and related tables', () => {
		expect(parseOrder('a.desc.nullslast,data->>k,clients(name).asc')).toEqual([
			{ field: { name: 'a', json: [] }, direction: 'desc', nulls: 'last' },
			{ field: { name: 'data', json: [{ arrow: '->>', key: 'k', index: false }] } },
			{ relation: 'clients', field: { name: 'name', json: [] }, direction: 'asc' }
		]);
	});

	it('splits filter keys into embed path and field', () => {
		expect(parseTreePath('actors.roles.character')).toEqual({ path: ['actors', 'roles'], field: { name: 'character', json: [] } });
		expect(parseColumns('a, b,"c d"')).toEqual(['a', 'b', 'c d']);
	});

	it('sorts query parameters into select, filters, logic, order and ranges', () => {
		const q = parseQueryParams(new URLSearchParams('select=id&id=gt.1&or=(a.eq.1,b.eq.2)&actors.order=name&limit=5&offset=2&actors.limit=1'), false);
		expect(q.filters).toHaveLength(1);
		expect(q.logic).toHaveLength(1);
		expect(q.order[0].path).toEqual(['actors']);
		expect(q.ranges.get('')).toEqual({ offset: 2, limit: 5 });
		expect(q.ranges.get('actors')).toEqual({ offset: 0, limit: 1 });
		const rpc = parseQueryParams(new URLSearchParams('a=1&b=gt.2'), true);
		expect(rpc.rpcParams).toEqual([['a', '1']]);
		expect(rpc.filters).toHaveLength(1);
	});
});

// ---- properties -------------------------------------------------------------------------

const plainName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/);
const anyName = fc.oneof({ weight: 4, arbitrary: plainName }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const jsonKey = fc.oneof(plainName, fc.string({ minLength: 1, maxLength: 6 }));
const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
	fc.record({ arrow: fc.constantFrom('->' as const, '->>' as const), key: jsonKey, index: fc.constant(false) }),
	fc.record({ arrow: fc.constantFrom('->' as const, '->>' as const), key: fc.integer({ min: -5, max: 50 }).map(String), index: fc.constant(true) })
);
const field: fc.Arbitrary<Field> = fc.record({ name: anyName, json: fc.array(jsonOp, { maxLength: 3 }) });
// Before ")" PostgREST's grammar reads a trailing index as a key ("->0)" is the key "0"), so
// fields that can end a parenthesised list end with a key.
const closedField: fc.Arbitrary<Field> = field.filter((f) => !f.json.at(-1)?.index);
const castName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
const aggregate = fc.constantFrom('sum' as const, 'avg' as const, 'count' as const, 'max' as const, 'min' as const);
const hintName = anyName.filter((n) => n !== 'left' && n !== 'inner');

const selectTree: fc.Memo<SelectItem[]> = fc.memo((depth) => {
	const leaf: fc.Arbitrary<SelectItem> = fc.oneof(
		fc.constant<SelectItem>({ kind: 'field', field: { name: '*', json: [] } }),
		fc.record(
			{ kind: fc.constant('field' as const), field: closedField, alias: anyName, cast: castName, aggregate, aggregateCast: castName },
			{ requiredKeys: ['kind', 'field'] }
		).filter((f) => !(f.field.name === '*' && !f.field.json.length) && (f.aggregateCast === undefined || f.aggregate !== undefined)) as fc.Arbitrary<SelectItem>,
		fc.record({ kind: fc.constant('field' as const), field: fc.constant({ name: '*', json: [] }), aggregate: fc.constant('count' as const), alias: anyName, aggregateCast: castName }, { requiredKeys: ['kind', 'field', 'aggregate'] }) as fc.Arbitrary<SelectItem>
	);
	if (depth <= 1) return fc.array(leaf, { minLength: 1, maxLength: 4 });
	const relation: fc.Arbitrary<SelectItem> = fc.record(
		{
			kind: fc.constant('relation' as const),
			name: anyName.filter((n) => n !== 'count'),
			alias: anyName,
			hint: hintName,
			join: fc.constantFrom('left' as const, 'inner' as const),
			children: selectTree(depth - 1)
		},
		{ requiredKeys: ['kind', 'name', 'children'] }
	);
	const spread: fc.Arbitrary<SelectItem> = fc.record(
		{ kind: fc.constant('spread' as const), name: anyName, hint: hintName, join: fc.constantFrom('left' as const, 'inner' as const), children: selectTree(depth - 1) },
		{ requiredKeys: ['kind', 'name', 'children'] }
	);
	return fc.array(fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: relation }, { weight: 1, arbitrary: spread }), { minLength: 1, maxLength: 4 });
});

const value = fc.string({ maxLength: 10 });
const opExpr: fc.Arbitrary<OpExpr> = fc.record({
	not: fc.boolean(),
	operation: fc.oneof(
		fc.record(
			{
				kind: fc.constant('quant' as const),
				op: fc.constantFrom('eq' as const, 'gte' as const, 'gt' as const, 'lte' as const, 'lt' as const, 'like' as const, 'ilike' as const, 'match' as const, 'imatch' as const),
				quantifier: fc.constantFrom('any' as const, 'all' as const),
				value
			},
			{ requiredKeys: ['kind', 'op', 'value'] }
		),
		fc.record({ kind: fc.constant('simple' as const), op: fc.constantFrom('neq' as const, 'cs' as const, 'cd' as const, 'ov' as const, 'sl' as const, 'sr' as const, 'nxr' as const, 'nxl' as const, 'adj' as const), value }),
		fc.record({ kind: fc.constant('in' as const), values: fc.array(value, { minLength: 1, maxLength: 4 }) }),
		fc.record({ kind: fc.constant('is' as const), value: fc.constantFrom('null' as const, 'not_null' as const, 'true' as const, 'false' as const, 'unknown' as const) }),
		fc.record({ kind: fc.constant('isdistinct' as const), value }),
		fc.record(
			{ kind: fc.constant('fts' as const), op: fc.constantFrom('fts' as const, 'plfts' as const, 'phfts' as const, 'wfts' as const), language: castName, value },
			{ requiredKeys: ['kind', 'op', 'value'] }
		)
	)
});

const logicTree: fc.Memo<LogicTree> = fc.memo((depth) => {
	const leaf = fc.record({ kind: fc.constant('filter' as const), filter: fc.record({ field, expr: opExpr }) });
	if (depth <= 1) return leaf;
	return fc.oneof(leaf, fc.record({ kind: fc.constant('expr' as const), not: fc.boolean(), op: fc.constantFrom('and' as const, 'or' as const), children: fc.array(logicTree(depth - 1), { minLength: 1, maxLength: 3 }) }));
});
const logicRoot = fc.record({ kind: fc.constant('expr' as const), not: fc.boolean(), op: fc.constantFrom('and' as const, 'or' as const), children: fc.array(logicTree(3), { minLength: 1, maxLength: 3 }) });

const orderTerms: fc.Arbitrary<OrderTerm[]> = fc.array(
	fc.record({ relation: anyName, field: closedField, direction: fc.constantFrom('asc' as const, 'desc' as const), nulls: fc.constantFrom('first' as const, 'last' as const) }, { requiredKeys: ['field'] }),
	{ minLength: 1, maxLength: 3 }
);

describe('properties', () => {
	it('select trees round-trip through print and parse', () => {
		fc.assert(fc.property(selectTree(3), (items) => {
			expect(parseSelect(printSelect(items))).toEqual(items);
		}), { numRuns: 300 });
	});

	it('filter expressions round-trip', () => {
		fc.assert(fc.property(opExpr, (expr) => {
			expect(parseFilterValue(printOpExpr(expr))).toEqual(expr);
		}), { numRuns: 300 });
	});

	it('logic trees round-trip', () => {
		fc.assert(
			fc.property(logicRoot, (tree) => {
				const printed = printLogicTree(tree);
				const key = (tree.not ? 'not.' : '') + tree.op;
				expect(parseLogicTree(key, printed.slice(key.length))).toEqual(tree);
			}),
			{ numRuns: 300 }
		);
	});

	it('quotes a JSON key whose dash-separated parts start or end with a space (the parser trims them)', () => {
		const tree: LogicTree = {
			kind: 'expr',
			not: false,
			op: 'and',
			children: [{ kind: 'filter', filter: { field: { name: 'a', json: [{ arrow: '->', key: '/ -/', index: false }] }, expr: { not: false, operation: { kind: 'simple', op: 'neq', value: '' } } } }]
		};
		const printed = printLogicTree(tree);
		expect(printed).toBe('and(a->"/ -/".neq."")');
		expect(parseLogicTree('and', printed.slice(3))).toEqual(tree);
	});

	it('order terms round-trip', () => {
		fc.assert(fc.property(orderTerms, (terms) => {
			expect(parseOrder(printOrder(terms))).toEqual(terms);
		}), { numRuns: 300 });
	});

	it('garbage either parses or fails with a PGRST100 error object, never anything else', () => {
		const parsers: ((s: string) => unknown)[] = [parseSelect, parseFilterValue, parseOrder, (s) => parseLogicTree('or', s), parseTreePath, parseColumns];
		const garbage = fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[a-z(),.:!*"\\\->{}0-9 ]{0,30}$/));
		fc.assert(
			fc.property(garbage, fc.integer({ min: 0, max: parsers.length - 1 }), (input, which) => {
				try {
					parsers[which](input);
				} catch (error) {
					expect(error).toBeInstanceOf(PgrstError);
					const body = (error as PgrstError).body();
					expect(body.code).toBe('PGRST100');
					expect(typeof body.message).toBe('string');
					expect((error as PgrstError).status).toBe(400);
				}
			}),
			{ numRuns: 2000 }
		);
	});
});
