/**
 * A read tree as SQL: fields (JSON paths, casts, aggregates), conditions, order, ranges,
 * embedded resources as lateral subqueries joined on their relationship, spreads. Every
 * value from the request is a numbered parameter (`Params`), every identifier quoted.
 */
import { PgrstError } from './errors.ts';
import type { Condition, FieldRef, OrderSpec, ReadNode, SelectField } from './plan.ts';
import type { Table } from './schema-cache.ts';

/** `limit`, capped by `[api] max_rows` when that is set. */
export const cap = (limit: number | null, max: number | null) => (limit === null ? max : max === null ? limit : Math.min(limit, max));

export class Params {
	values: (string | number | null)[] = [];
	add(value: string | number | null): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

const SAFE_TYPE = /^[A-Za-z_][A-Za-z0-9_ ]*(\[\])?$/;
function castType(type: string): string {
	if (!SAFE_TYPE.test(type)) throw new PgrstError(400, '42704', `type "${type}" does not exist`);
	return type;
}

/** `{"a","b"}`: a PostgreSQL array literal with every element quoted. */
export function arrayLiteral(values: string[]): string {
	return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function fieldSql(alias: string, ref: FieldRef, params: Params): string {
	// The row is cast to the function's parameter type: a mutation's rows are records, which
	// would not tell overloads for different tables apart.
	let sql = ref.computed
		? `${qualified(ref.computed.schema, ref.computed.name)}(${ident(alias)}${ref.computed.params[0] ? `::${ref.computed.params[0].type}` : ''})`
		: `${ident(alias)}.${ident(ref.column)}`;
	if (ref.toJson) sql = `to_jsonb(${sql})`;
	for (const op of ref.json) sql += op.arrow + (op.index ? `${params.add(op.key)}::int` : params.add(op.key));
	return sql;
}

const QUANT_SQL = { eq: '=', gte: '>=', gt: '>', lte: '<=', lt: '<', like: 'like', ilike: 'ilike', match: '~', imatch: '~*' } as const;
const SIMPLE_SQL = { neq: '<>', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-' } as const;
const FTS_SQL = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' } as const;
const IS_SQL = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' } as const;

export function conditionSql(node: ReadNode, alias: string, cond: Condition, params: Params): string {
	if (cond.kind === 'expr') {
		const inner = cond.children.map((c) => conditionSql(node, alias, c, params)).join(cond.op === 'and' ? ' AND ' : ' OR ');
		return `${cond.not ? 'NOT ' : ''}(${inner})`;
	}
	if (cond.kind === 'embedNull') {
		const j = ident(cond.child.joinAlias);
		// A to-one embed is the joined row: `row IS NOT NULL` would also drop a row whose
		// selected columns are all null, so it is compared as a whole.
		if (cond.child.toOne) return `${j} IS ${cond.isNull ? 'NOT ' : ''}DISTINCT FROM NULL`;
		return `${j}.${j} IS ${cond.isNull ? '' : 'NOT '}NULL`;
	}
	const op = cond.expr.operation;
	let field = fieldSql(alias, cond.ref, params);
	// A data representation reads the filter's text into the column's type.
	const rep = cond.ref.textRep;
	const value = (v: string) => (rep ? `${rep}(${params.add(v)}::text)` : params.add(v));
	let sql: string;
	switch (op.kind) {
		case 'quant': {
			const like = op.op === 'like' || op.op === 'ilike' || op.op === 'match' || op.op === 'imatch';
			const p = like ? params.add(op.op === 'like' || op.op === 'ilike' ? op.value.replace(/\*/g, '%') : op.value) : value(op.value);
			sql = `${field} ${QUANT_SQL[op.op]} ${op.quantifier ? `${op.quantifier.toUpperCase()}(${p})` : p}`;
			break;
		}
		case 'simple':
			sql = `${field} ${SIMPLE_SQL[op.op]} ${value(op.value)}`;
			break;
		case 'in':
			sql = op.values.length === 1 && op.values[0] === ''
				? `${field} = ANY('{}')`
				: rep
					? `${field} = ANY(ARRAY(SELECT ${rep}(v) FROM unnest(${params.add(arrayLiteral(op.values))}::text[]) v))`
					: `${field} = ANY(${params.add(arrayLiteral(op.values))})`;
			break;
		case 'is':
			sql = `${field} IS ${IS_SQL[op.value]}`;
			break;
		case 'isdistinct':
			sql = `${field} IS DISTINCT FROM ${value(op.value)}`;
			break;
		case 'fts': {
			const lang = op.language !== undefined ? `${params.add(op.language)}::regconfig, ` : '';
			if (!cond.ref.tsvector) field = `to_tsvector(${lang}${field})`;
			sql = `${field} @@ ${FTS_SQL[op.op]}(${lang}${params.add(op.value)})`;
			break;
		}
	}
	return cond.expr.not ? `NOT (${sql})` : sql;
}

export function orderSql(node: ReadNode, alias: string, order: OrderSpec[], params: Params): string {
	if (!order.length) return '';
	const terms = order.map((o) => {
		const expr = o.child ? fieldSql(o.child.joinAlias, o.ref, params) : fieldSql(alias, o.ref, params);
		return `${expr}${o.direction ? ` ${o.direction.toUpperCase()}` : ''}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ''}`;
	});
	return ` ORDER BY ${terms.join(', ')}`;
}

function selectItemSql(alias: string, field: SelectField, params: Params, expandStar: Table | null, hoisted = false): string {
	if (field.kind === 'star') {
		if (expandStar) return [...expandStar.columns.keys()].map((c) => `${ident(alias)}.${ident(c)}`).join(', ');
		return `${ident(alias)}.*`;
	}
	// A hoisted count(): the parent counts the rows that matched.
	if (field.kind === 'countAll' && hoisted) return `1 AS ${ident(field.outName)}`;
	if (field.kind === 'countAll') return `pg_catalog.count(*)${field.aggregateCast ? `::${castType(field.aggregateCast)}` : ''} AS ${ident(field.outName)}`;
	let sql = fieldSql(alias, field.ref, params);
	if (field.ref.jsonRep && !field.aggregate) sql = `${field.ref.jsonRep}(${sql})`;
	if (field.cast) sql = `CAST(${sql} AS ${castType(field.cast)})`;
	if (hoisted) return `${sql} AS ${ident(field.outName)}`;
	if (field.aggregate) sql = `pg_catalog.${field.aggregate}(${sql})`;
	if (field.aggregateCast) sql = `CAST(${sql} AS ${castType(field.aggregateCast)})`;
	return `${sql} AS ${ident(field.outName)}`;
}

function joinConditions(parentAlias: string, child: ReadNode): string[] {
	const rel = child.rel;
	if (!rel) return [];
	if (rel.cardinality === 'M2M' && rel.junction) {
		const jt = ident(`${child.alias}_jt`);
		return [
			...rel.junction.sourceColumns.map(([p, j]) => `${jt}.${ident(j)} = ${ident(parentAlias)}.${ident(p)}`),
			...rel.junction.targetColumns.map(([c, j]) => `${jt}.${ident(j)} = ${ident(child.alias)}.${ident(c)}`)
		];
	}
	return rel.columns.map(([p, c]) => `${ident(child.alias)}.${ident(c)} = ${ident(parentAlias)}.${ident(p)}`);
}

export interface NodeSqlOptions {
	/** FROM item instead of the node's table (a CTE or a function call). */
	from?: string;
	/** The parent node's SQL alias, for join conditions. */
	parentAlias?: string;
	/** Select `1` and only the joins that filter rows (for counting). */
	countOnly?: boolean;
	/** Cap on the number of rows (`[api] max_rows`). */
	maxRows?: number | null;
	/** List the table's columns instead of `alias.*` (the source has extra columns). */
	expandStar?: boolean;
	/** Leave out ORDER BY / LIMIT (the caller applies them). */
	noRange?: boolean;
}

/** The SELECT of one node of a read tree, with its embedded children as lateral joins. */
export function nodeSql(node: ReadNode, params: Params, options: NodeSqlOptions = {}): string {
	const alias = node.alias;
	const from = options.from ?? qualified(node.table.schema, node.table.name);
	let sql = `FROM ${from} AS ${ident(alias)}`;
	if (node.rel?.cardinality === 'M2M' && node.rel.junction) {
		sql += `, ${qualified(node.rel.junction.table.schema, node.rel.junction.table.name)} AS ${ident(`${alias}_jt`)}`;
	}
	const selects: string[] = [];
	const wheres: string[] = options.parentAlias ? joinConditions(options.parentAlias, node) : [];
	const nullFiltered = new Set<ReadNode>();
	const collect = (c: Condition) => {
		if (c.kind === 'embedNull') nullFiltered.add(c.child);
		if (c.kind === 'expr') c.children.forEach(collect);
	};
	node.conditions.forEach(collect);

	/** Positions (1-based) of the select items an aggregate query groups by. */
	const groupBy: number[] = [];
	if (!options.countOnly) {
		for (const f of node.fields) {
			if (f.kind === 'star' && node.hasAggregates) {
				// Aggregates next to `*`: every column is listed and grouped by.
				for (const c of node.table.columns.keys()) {
					selects.push(`${ident(alias)}.${ident(c)}`);
					groupBy.push(selects.length);
				}
				continue;
			}
			selects.push(selectItemSql(alias, f, params, options.expandStar ? node.table : null, node.hoisted));
			if (f.kind === 'field' && !f.aggregate) groupBy.push(selects.length);
		}
	}
	for (const child of node.children) {
		if (options.countOnly && child.join !== 'inner' && !nullFiltered.has(child)) continue;
		const j = ident(child.joinAlias);
		const childSql = nodeSql(child, params, {
			parentAlias: alias,
			maxRows: options.maxRows,
			from: child.computedRel ? `${qualified(child.computedRel.schema, child.computedRel.name)}(${ident(alias)})` : undefined
		});
		const kind = child.join === 'inner' ? 'INNER' : 'LEFT';
		const output = !options.countOnly && !child.empty;
		if (child.toOne) {
			sql += ` ${kind} JOIN LATERAL (${childSql}) AS ${j} ON TRUE`;
			if (output && child.spread && node.hasAggregates) {
				// Grouped by the spread's columns; its hoisted aggregates applied here.
				for (const column of spreadColumns(child)) {
					const ref = `${j}.${ident(column.name)}`;
					if (column.aggregate) {
						let sql = `pg_catalog.${column.aggregate}(${ref})`;
						if (column.aggregateCast) sql = `CAST(${sql} AS ${castType(column.aggregateCast)})`;
						selects.push(`${sql} AS ${ident(column.name)}`);
					} else {
						selects.push(`${ref} AS ${ident(column.name)}`);
						groupBy.push(selects.length);
					}
				}
			} else if (output) {
				selects.push(child.spread ? `${j}.*` : `row_to_json(${j}.*)::jsonb AS ${ident(child.outName)}`);
				if (!child.spread) groupBy.push(selects.length);
			}
		} else if (child.spread) {
			// A to-many spread: each column becomes an array, correlated by position.
			// A column named as the join (NULL when no row matched) serves `!inner` and `embed=is.null`.
			const names = outputNames(child);
			const columns = names.map((n) => `COALESCE(json_agg(${j}.${ident(n)}), '[]')::jsonb AS ${ident(n)}`);
			sql += ` ${kind} JOIN LATERAL (SELECT ${[...columns, `json_agg(1) AS ${j}`].join(', ')} FROM (${childSql}) AS ${j}) AS ${j} ON ${child.join === 'inner' ? `${j}.${j} IS NOT NULL` : 'TRUE'}`;
			if (output) selects.push(...names.map((n) => `${j}.${ident(n)}`));
		} else {
			sql += ` ${kind} JOIN LATERAL (SELECT json_agg(${j})::jsonb AS ${j} FROM (${childSql}) AS ${j}) AS ${j} ON ${child.join === 'inner' ? `${j} IS NOT NULL` : 'TRUE'}`;
			if (output) {
				selects.push(`COALESCE(${j}.${j}, '[]') AS ${ident(child.outName)}`);
				groupBy.push(selects.length);
			}
		}
	}
	for (const c of node.conditions) wheres.push(conditionSql(node, alias, c, params));
	let text = `SELECT ${options.countOnly ? '1' : selects.length ? selects.join(', ') : 'NULL'} ${sql}`;
	if (wheres.length) text += ` WHERE ${wheres.join(' AND ')}`;
	if (node.hasAggregates && !options.countOnly && groupBy.length) text += ` GROUP BY ${groupBy.join(', ')}`;
	if (options.countOnly || options.noRange) return text;
	text += orderSql(node, alias, node.order, params);
	const limit = cap(node.range.limit, options.maxRows ?? null);
	if (limit !== null) text += ` LIMIT ${params.add(limit)}`;
	if (node.range.offset) text += ` OFFSET ${params.add(node.range.offset)}`;
	return text;
}

/** The columns a to-one spread hands its parent, with the aggregates the parent applies. */
function spreadColumns(node: ReadNode): { name: string; aggregate?: string; aggregateCast?: string }[] {
	const columns: { name: string; aggregate?: string; aggregateCast?: string }[] = [];
	for (const f of node.fields) {
		if (f.kind === 'star') columns.push(...[...node.table.columns.keys()].map((name) => ({ name })));
		else if (f.kind === 'field' && f.aggregate && node.hoisted) columns.push({ name: f.outName, aggregate: f.aggregate, aggregateCast: f.aggregateCast });
		else if (f.kind === 'countAll' && node.hoisted) columns.push({ name: f.outName, aggregate: 'count', aggregateCast: f.aggregateCast });
		else columns.push({ name: f.outName });
	}
	for (const child of node.children) {
		if (child.empty) continue;
		if (child.spread && child.hoisted) columns.push(...spreadColumns(child));
		else columns.push(...(child.spread ? outputNames(child) : [child.outName]).map((name) => ({ name })));
	}
	return columns;
}

/** The column names a node's SELECT produces, in order. */
function outputNames(node: ReadNode): string[] {
	const names: string[] = [];
	for (const f of node.fields) {
		if (f.kind === 'star') names.push(...node.table.columns.keys());
		else names.push(f.outName);
	}
	for (const child of node.children) if (!child.empty) names.push(...(child.spread ? outputNames(child) : [child.outName]));
	return names;
}
