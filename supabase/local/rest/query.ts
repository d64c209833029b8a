/**
 * SQL from plans: the statements a request sends (a read, its planned count, a write, a
 * call) and how their rows become the response body; a read tree's SQL is in
 * query-node.ts. Every value from the request is a numbered parameter sent untyped, so
 * PostgreSQL infers its type from the column it meets (as PostgREST's "unknown literals"
 * do); every identifier is quoted and was resolved against the schema cache by the plan
 * stage; type names in casts are restricted to a safe alphabet. The statement text for
 * a request shape is stable, so the driver's prepared statements are reused.
 */
import { WhereClauseRequired } from './errors.ts';
import type { CallArgs, CallPlan, Condition, MutatePlan, ReadNode } from './plan.ts';
import { cap, conditionSql, ident, literal, nodeSql, orderSql, Params, qualified } from './query-node.ts';
import type { Table } from './schema-cache.ts';

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
		// Supabase preloads pg-safeupdate for PostgREST's sessions: an UPDATE or DELETE with no
		// WHERE clause is refused before it runs (PostgREST answers that 21000 with 400).
		if (!conds.length) throw new WhereClauseRequired(plan.kind === 'update' ? 'UPDATE' : 'DELETE');
		const where = ` WHERE ${conds.join(' AND ')}`;
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
