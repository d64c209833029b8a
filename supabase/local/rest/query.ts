/**
 * SQL from plans. Every value from the request is a numbered parameter sent untyped, so
 * PostgreSQL infers its type from the column it meets (as PostgREST's "unknown literals"
 * do); every identifier is quoted and was resolved against the schema cache by the plan
 * stage; type names in casts are restricted to a safe alphabet. The statement text for
 * a request shape is stable, so the driver's prepared statements are reused.
 */
import { PgrstError } from './errors.ts';
import type { CallArgs, CallPlan, Condition, FieldRef, MutatePlan, OrderSpec, ReadNode, SelectField } from './plan.ts';
import type { Table } from './schema-cache.ts';

export class Params {
	values: (string | number | null)[] = [];
	add(value: string | number | null): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

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

function conditionSql(node: ReadNode, alias: string, cond: Condition, params: Params): string {
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

function orderSql(node: ReadNode, alias: string, order: OrderSpec[], params: Params): string {
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

const cap = (limit: number | null, max: number | null) => (limit === null ? max : max === null ? limit : Math.min(limit, max));

export type BodyFormat = 'array' | 'object' | 'csv' | 'none' | 'scalar' | 'scalar-array' | 'raw';

/** `headerFrom`: the rows whose first one names the CSV columns (a mutation's are its projection). */
function bodySql(format: BodyFormat, stripNulls: boolean, headerFrom = 'pgrst_source'): string {
	const strip = (e: string) => (stripNulls ? `json_strip_nulls(${e})` : e);
	switch (format) {
		case 'array':
			return `coalesce(${strip('json_agg(_postgrest_t)')}, '[]')::text`;
		case 'object':
			return `coalesce((${strip('json_agg(_postgrest_t)')}->0)::text, 'null')`;
		case 'scalar':
			return `coalesce((json_agg(_postgrest_t.pgrst_scalar)->0)::text, 'null')`;
		case 'scalar-array':
			return `coalesce(json_agg(_postgrest_t.pgrst_scalar), '[]')::text`;
		case 'csv':
			return `(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM ${headerFrom} AS hh LIMIT 1) s) a) || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`;
		case 'raw':
			return `coalesce(string_agg(_postgrest_t.pgrst_scalar::text, ''), '')`;
		case 'none':
			return `''`;
	}
}

const RESPONSE_GUCS = `nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status`;

export interface Statement {
	text: string;
	params: (string | number | null)[];
}

export interface ReadOptions {
	format: BodyFormat;
	stripNulls: boolean;
	exactCount: boolean;
	maxRows: number | null;
}

export function readStatement(root: ReadNode, options: ReadOptions): Statement {
	const params = new Params();
	const main = nodeSql(root, params, { maxRows: options.maxRows });
	const count = options.exactCount ? `(SELECT pg_catalog.count(*) FROM (${nodeSql(root, params, { countOnly: true })}) pgrst_count)` : 'NULL::bigint';
	const text = `WITH pgrst_source AS (${main}) SELECT ${count} AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ${bodySql(options.format, options.stripNulls)} AS body, ${RESPONSE_GUCS} FROM (SELECT * FROM pgrst_source) _postgrest_t`;
	return { text, params: params.values };
}

/** `EXPLAIN (FORMAT JSON)` of the read, for `Prefer: count=planned|estimated`. */
export function plannedCountStatement(root: ReadNode): Statement {
	const params = new Params();
	return { text: `EXPLAIN (FORMAT JSON) ${nodeSql(root, params, { noRange: true })}`, params: params.values };
}

function payloadSource(table: Table, columns: string[], json: string, isObject: boolean, applyDefaults: boolean, params: Params): string {
	const p = params.add(json);
	if (!columns.length) return `FROM (SELECT ${p}::text::json AS json_data) pgrst_payload, LATERAL ${isObject ? '(VALUES (1))' : 'json_array_elements(pgrst_payload.json_data)'} pgrst_body`;
	// A column with a data representation is read as json, then through its parser.
	const typed = columns.map((c) => `${ident(c)} ${table.columns.get(c)!.jsonParser ? (applyDefaults ? 'jsonb' : 'json') : table.columns.get(c)!.type}`).join(', ');
	const names = columns
		.map((c) => {
			const parser = table.columns.get(c)!.jsonParser;
			return parser ? `${parser}(${ident(c)}${applyDefaults ? '::json' : ''}) AS ${ident(c)}` : ident(c);
		})
		.join(', ');
	if (applyDefaults) {
		const defaults = columns
			.filter((c) => table.columns.get(c)!.default !== null)
			.map((c) => `${literal(c)}, ${table.columns.get(c)!.default}`)
			.join(', ');
		const defs = `jsonb_build_object(${defaults})`;
		const merged = isObject
			? `LATERAL (SELECT ${defs} || pgrst_payload.json_data AS val) pgrst_json_defs`
			: `LATERAL (SELECT jsonb_agg(${defs} || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs`;
		return `FROM (SELECT ${p}::text::jsonb AS json_data) pgrst_payload, ${merged}, LATERAL (SELECT ${names} FROM ${isObject ? 'jsonb_to_record' : 'jsonb_to_recordset'}(pgrst_json_defs.val) AS _(${typed})) pgrst_body`;
	}
	return `FROM (SELECT ${p}::text::json AS json_data) pgrst_payload, LATERAL (SELECT ${names} FROM ${isObject ? 'json_to_record' : 'json_to_recordset'}(pgrst_payload.json_data) AS _(${typed})) pgrst_body`;
}

export interface MutateOptions {
	format: BodyFormat;
	stripNulls: boolean;
	/** Return the rows (representation) or only count them. */
	returnRows: boolean;
	/** Compute the Location of the first row (headers-only inserts). */
	location: boolean;
	/** Count inserted vs updated rows (upserts). */
	countInserted: boolean;
}

/**
 * The columns a mutation returns for its `?select=`, as PostgREST's RETURNING: the selected and
 * ordered columns and the key, so column privileges on the others do not matter; null (all
 * columns) when a star, an embed or a computed field needs the whole row.
 */
function returningColumns(plan: MutatePlan): string[] | null {
	const node = plan.returning;
	if (node.children.length) return null;
	const cols: string[] = [];
	const refs = [...node.fields.map((f) => (f.kind === 'field' ? f.ref : null)), ...node.order.map((o) => (o.child ? null : o.ref))];
	for (const ref of refs) {
		if (!ref || ref.computed || !plan.table.columns.has(ref.column)) return null;
		if (!cols.includes(ref.column)) cols.push(ref.column);
	}
	for (const c of plan.table.pk) if (!cols.includes(c)) cols.push(c);
	return cols;
}

const countInsertedSql = (op: '+' | '-', never: string) =>
	`set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${op} 1)::text, true) <> '${never}'`;

export function mutateStatement(plan: MutatePlan, options: MutateOptions): Statement {
	const params = new Params();
	const table = plan.table;
	const target = qualified(table.schema, table.name);
	const returnCols = options.returnRows ? returningColumns(plan) : null;
	const returningOf = (qualifier: string) =>
		returnCols ? `RETURNING ${returnCols.map((c) => `${qualifier}.${ident(c)}`).join(', ')}` : options.returnRows || options.location ? `RETURNING ${qualifier}.*` : 'RETURNING 1';
	const returning = returningOf(target);
	let mutation: string;
	if (plan.kind === 'insert') {
		const cols = plan.columns.map(ident).join(', ');
		mutation = `INSERT INTO ${target}${plan.columns.length ? ` (${cols})` : ''} SELECT ${plan.columns.map((c) => `pgrst_body.${ident(c)}`).join(', ')} ${payloadSource(table, plan.columns, plan.body, plan.bodyIsObject, plan.applyDefaults, params)}`;
		// Upserts count inserted rows as PostgREST does: +1 per row offered, -1 per row updated
		// (xmax = 0 would not do: partitioned tables have no system columns to return).
		if (options.countInserted) mutation += ` WHERE ${countInsertedSql('+', '0')}`;
		if (plan.onConflict) {
			const conflict = plan.onConflict.columns.map(ident).join(', ');
			if (plan.onConflict.resolution === 'ignore-duplicates' || !plan.columns.length) mutation += ` ON CONFLICT (${conflict}) DO NOTHING`;
			else mutation += ` ON CONFLICT (${conflict}) DO UPDATE SET ${plan.columns.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ')}${options.countInserted ? ` WHERE ${countInsertedSql('-', '-1')}` : ''}`;
		}
		mutation += ` ${returning}`;
	} else if (plan.kind === 'update' && !plan.columns.length) {
		// Nothing to set: an empty result with the table's columns (as PostgREST answers `{}`).
		mutation = `SELECT ${ident(table.name)}.* FROM ${target} AS ${ident(table.name)} WHERE false`;
	} else {
		const node = plan.returning;
		const whereNode = { ...node, alias: table.name };
		const conds = plan.conditions.map((c) => conditionSql(whereNode, table.name, c, params));
		if (plan.range.limit !== null || plan.range.offset) {
			// limit on PATCH/DELETE: pick the rows by ctid, in the requested order.
			let sub = `SELECT ${ident(table.name)}.ctid FROM ${target} AS ${ident(table.name)}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
			sub += orderSql(whereNode, table.name, plan.order, params);
			if (plan.range.limit !== null) sub += ` LIMIT ${params.add(plan.range.limit)}`;
			if (plan.range.offset) sub += ` OFFSET ${params.add(plan.range.offset)}`;
			conds.splice(0, conds.length, `${ident(table.name)}.ctid = ANY(ARRAY(${sub}))`);
		}
		const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
		if (plan.kind === 'update') {
			const sets = plan.columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
			const source = payloadSource(table, plan.columns, plan.body, plan.bodyIsObject, plan.applyDefaults, params).replace(/^FROM /, '');
			mutation = `UPDATE ${target} AS ${ident(table.name)} SET ${sets} FROM ${source}${where} ${returningOf(ident(table.name))}`;
		} else {
			mutation = `DELETE FROM ${target} AS ${ident(table.name)}${where} ${returningOf(ident(table.name))}`;
		}
	}
	let body = `''`;
	let fromRows = 'SELECT * FROM pgrst_source';
	if (options.returnRows) {
		fromRows = nodeSql(plan.returning, params, { from: 'pgrst_source', expandStar: options.countInserted });
		body = bodySql(options.format, options.stripNulls, `(${fromRows})`);
	}
	const location =
		options.location && table.pk.length
			? `(SELECT json_build_object(${table.pk.map((c) => `${params.add(c)}::text, ${ident(c)}`).join(', ')})::text FROM pgrst_source LIMIT 1)`
			: 'NULL';
	const inserted = options.countInserted ? `nullif(current_setting('pgrst.inserted', true), '')::int` : 'NULL::bigint';
	const text = `WITH pgrst_source AS (${mutation}) SELECT NULL::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ${body} AS body, ${location} AS location, ${inserted} AS inserted, ${RESPONSE_GUCS} FROM (${fromRows}) _postgrest_t`;
	return { text, params: params.values };
}

function callFrom(args: CallArgs, routine: CallPlan['source']['routine'], params: Params): { prefix: string; call: string } {
	const fn = qualified(routine.schema, routine.name);
	if (args.kind === 'none') return { prefix: '', call: `${fn}()` };
	if (args.kind === 'single') return { prefix: '', call: `${fn}(${params.add(args.json)}::text::${args.param.type})` };
	const typed = args.params.map((p) => `${ident(p.name)} ${p.type}`).join(', ');
	const prefix = `(SELECT ${params.add(args.json)}::text::json AS json_data) pgrst_payload, LATERAL (SELECT * FROM json_to_record(pgrst_payload.json_data) AS _(${typed}) LIMIT 1) pgrst_body, LATERAL `;
	const named = args.params.map((p) => `${p.variadic ? 'VARIADIC ' : ''}${ident(p.name)} := pgrst_body.${ident(p.name)}`).join(', ');
	return { prefix, call: `${fn}(${named})` };
}

export function callStatement(plan: CallPlan, options: ReadOptions): Statement {
	const params = new Params();
	const routine = plan.source.routine;
	const { prefix, call } = callFrom(plan.source.args, routine, params);
	let main: string;
	let format = options.format;
	let countSql = 'NULL::bigint';
	if (plan.read) {
		main = nodeSql(plan.read, params, { from: `${prefix}${call}`, maxRows: options.maxRows });
		if (options.exactCount) countSql = `(SELECT pg_catalog.count(*) FROM (${nodeSql(plan.read, params, { from: `${prefix}${call}`, countOnly: true })}) pgrst_count)`;
		if (!routine.returnsSet && format === 'array') format = 'object';
	} else {
		const alias = routine.name;
		const node = { alias } as ReadNode;
		const source = `(SELECT ${call} AS pgrst_scalar${prefix ? ` FROM ${prefix.replace(/, LATERAL $/, '')}` : ''}) AS ${ident(alias)}`;
		const scalarRef = (c: Condition): Condition => (c.kind === 'filter' ? { ...c, ref: { ...c.ref, column: 'pgrst_scalar' } } : c.kind === 'expr' ? { ...c, children: c.children.map(scalarRef) } : c);
		const conds = plan.scalarFilters.map((c) => conditionSql(node, alias, scalarRef(c), params));
		main = `SELECT ${ident(alias)}.pgrst_scalar FROM ${source}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
		main += orderSql(node, alias, plan.scalarOrder.map((o) => ({ ...o, ref: { ...o.ref, column: 'pgrst_scalar' } })), params);
		const countMain = main;
		if (routine.returnsSet) {
			const limit = cap(plan.scalarRange.limit, options.maxRows);
			if (limit !== null) main += ` LIMIT ${params.add(limit)}`;
			if (plan.scalarRange.offset) main += ` OFFSET ${params.add(plan.scalarRange.offset)}`;
		}
		if (routine.returnKind === 'void') format = 'none';
		else if (format === 'array' || format === 'object') format = routine.returnsSet ? 'scalar-array' : 'scalar';
		if (options.exactCount) countSql = `(SELECT pg_catalog.count(*) FROM (${countMain}) pgrst_count)`;
	}
	const text = `WITH pgrst_source AS (${main}) SELECT ${countSql} AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ${bodySql(format, options.stripNulls)} AS body, ${RESPONSE_GUCS} FROM (SELECT * FROM pgrst_source) _postgrest_t`;
	return { text, params: params.values };
}
