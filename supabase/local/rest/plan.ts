/**
 * Plans: the parsed request checked against the schema cache. A read plan is a tree of
 * relations (the root and its embedded resources, each with its relationship to the
 * parent, fields, filters, order and range); a mutate plan adds the write; a call plan
 * names the function and how its arguments are passed. Every column, relation and
 * function named by the request is resolved here, so the query stage only quotes names
 * the database itself reported.
 */
import { apiRequestError, closest, levenshtein, PgrstError, schemaCacheError, type RelationshipSummary } from './errors.ts';
import type { Aggregate, Field, JsonOp, LogicTree, OpExpr, OrderTerm, SelectItem } from './query-params.ts';
import type { ApiRequest, RangeSpec } from './request.ts';
import { qiKey, type Relationship, type Routine, type RoutineParam, type SchemaCache, type Table } from './schema-cache.ts';

export interface FieldRef {
	column: string;
	json: JsonOp[];
	/** JSON path on a non-json column: wrap in to_jsonb() first. */
	toJson: boolean;
	/** A computed field: a function of the row. */
	computed?: Routine;
	/** The column is a tsvector (fts operators apply directly). */
	tsvector: boolean;
	/** Data representation: the function writing the column out as json. */
	jsonRep?: string;
	/** Data representation: the function reading a filter value (text) into the column's type. */
	textRep?: string;
}

export type SelectField =
	| { kind: 'star' }
	| { kind: 'field'; ref: FieldRef; cast?: string; aggregate?: Aggregate; aggregateCast?: string; outName: string }
	| { kind: 'countAll'; aggregateCast?: string; outName: string };

export type Condition =
	| { kind: 'filter'; ref: FieldRef; expr: OpExpr }
	| { kind: 'expr'; not: boolean; op: 'and' | 'or'; children: Condition[] }
	| { kind: 'embedNull'; child: ReadNode; isNull: boolean };

export interface OrderSpec {
	ref: FieldRef;
	/** For `relation(column)`: the to-one child whose output column orders. */
	child?: ReadNode;
	direction?: 'asc' | 'desc';
	nulls?: 'first' | 'last';
}

export interface CallSource {
	routine: Routine;
	args: CallArgs;
}

export type CallArgs =
	| { kind: 'named'; params: RoutineParam[]; json: string }
	| { kind: 'single'; param: RoutineParam; json: string }
	| { kind: 'none' };

export interface ReadNode {
	table: Table;
	/** Relation name as requested (for error messages and embed paths). */
	name: string;
	/** Output key (alias, else name). */
	outName: string;
	/** SQL alias of this node's FROM item. */
	alias: string;
	fields: SelectField[];
	conditions: Condition[];
	order: OrderSpec[];
	range: RangeSpec;
	rel: Relationship | null;
	computedRel: Routine | null;
	join: 'left' | 'inner';
	spread: boolean;
	toOne: boolean;
	children: ReadNode[];
	hasAggregates: boolean;
	/** A to-one spread whose aggregates the parent applies (PostgREST hoists them). */
	hoisted?: boolean;
	/** SQL alias of the lateral join this child is read through. */
	joinAlias: string;
	/** `actors()`: joined for filtering, left out of the output. */
	empty: boolean;
}

export interface MutatePlan {
	kind: 'insert' | 'update' | 'delete';
	table: Table;
	/** Payload columns, checked against the table. */
	columns: string[];
	body: string;
	bodyIsObject: boolean;
	applyDefaults: boolean;
	onConflict: { columns: string[]; resolution: 'merge-duplicates' | 'ignore-duplicates' } | null;
	/** PUT: the primary key filter values the payload must match. */
	putConditions: boolean;
	conditions: Condition[];
	order: OrderSpec[];
	range: RangeSpec;
	returning: ReadNode;
}

export interface CallPlan {
	source: CallSource;
	/** The read over the function's result (composite returns), or null for scalars. */
	read: ReadNode | null;
	scalarFilters: Condition[];
	scalarOrder: OrderSpec[];
	scalarRange: RangeSpec;
}

// ---- tables and fields ---------------------------------------------------------------

export function findTable(cache: SchemaCache, schema: string, name: string): Table {
	const table = cache.tables.get(`${schema}.${name}`);
	if (table) return table;
	const names = [...cache.tables.values()].filter((t) => t.schema === schema).map((t) => t.name);
	const suggestion = closest(name, names);
	throw schemaCacheError.tableNotFound(schema, name, suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null);
}

/** PostgreSQL's error for an unknown column of `alias`, with its "Perhaps you meant" hint. */
function columnMissing(table: Table, column: string, alias: string = table.name): PgrstError {
	const near = fuzzyColumns(column, table.columns.keys());
	const hint =
		near.length === 1
			? `Perhaps you meant to reference the column "${alias}.${near[0]}".`
			: near.length === 2
				? `Perhaps you meant to reference the column "${alias}.${near[0]}" or the column "${alias}.${near[1]}".`
				: null;
	return new PgrstError(400, '42703', `column ${alias}.${column} does not exist`, null, hint);
}

/**
 * PostgreSQL's column suggestions (parse_relation.c): the columns at the smallest
 * Levenshtein distance, at most 3 and at most half the length of the name asked for;
 * no suggestion when more than two tie.
 */
function fuzzyColumns(name: string, columns: Iterable<string>): string[] {
	let best = 4;
	let found: string[] = [];
	let crowded = false;
	for (const column of columns) {
		const d = levenshtein(column, name);
		if (d > Math.floor(name.length / 2)) continue;
		if (d < best) {
			best = d;
			found = [column];
			crowded = false;
		} else if (d === best && !crowded) {
			if (found.length === 2) {
				found = [];
				crowded = true;
			} else if (found.length === 1) found.push(column);
		}
	}
	return found;
}

function resolveField(cache: SchemaCache, table: Table, field: Field, alias: string = table.name): FieldRef {
	const column = table.columns.get(field.name);
	if (column) {
		const isJson = column.udt === 'json' || column.udt === 'jsonb';
		const ref: FieldRef = { column: field.name, json: field.json, toJson: field.json.length > 0 && (!isJson || column.isArray), tsvector: column.udt === 'tsvector' };
		if (!field.json.length && cache.representations.size) {
			ref.jsonRep = cache.representations.get(`${column.type}|json`);
			ref.textRep = cache.representations.get(`text|${column.type}`);
		}
		return ref;
	}
	const computed = cache.computedFields.get(qiKey(table))?.get(field.name);
	if (computed) return { column: field.name, json: field.json, toJson: field.json.length > 0 && !/^jsonb?$/.test(computed.returnType), computed, tsvector: computed.returnType === 'tsvector' };
	throw columnMissing(table, field.name, alias);
}

/** `*`, or, when a column has a data representation, every column (each written out through it). */
function starFields(ctx: PlanContext, table: Table, alias: string): SelectField[] {
	if (!ctx.cache.representations.size) return [{ kind: 'star' }];
	const refs = [...table.columns.keys()].map((name) => resolveField(ctx.cache, table, { name, json: [] }, alias));
	if (!refs.some((ref) => ref.jsonRep)) return [{ kind: 'star' }];
	return refs.map((ref) => ({ kind: 'field', ref, outName: ref.column }));
}

/** The output key of a selected field: its alias, else the last JSON key, else the column. */
function outNameOf(field: Field, alias: string | undefined): string {
	if (alias !== undefined) return alias;
	// The last JSON key names it; a trailing array index keeps the last key before it.
	const lastKey = [...field.json].reverse().find((op) => !op.index);
	return lastKey?.key ?? field.name;
}

// ---- relationships -----------------------------------------------------------------------

function summary(r: Relationship): RelationshipSummary {
	const fmt = (cols: string[]) => `(${cols.join(', ')})`;
	const embedding = `${r.table.name} with ${r.foreignTable.name}`;
	if (r.cardinality === 'M2M' && r.junction) {
		const j = r.junction;
		return {
			embedding,
			cardinality: 'many-to-many',
			relationship: `${j.table.name} using ${j.constraint1}${fmt(j.sourceColumns.map((c) => c[1]))} and ${j.constraint2}${fmt(j.targetColumns.map((c) => c[1]))}`
		};
	}
	const names: Record<string, string> = { M2O: 'many-to-one', O2M: 'one-to-many', O2O: 'one-to-one' };
	return {
		embedding,
		cardinality: names[r.cardinality],
		relationship: `${r.constraint} using ${r.table.name}${fmt(r.columns.map((c) => c[0]))} and ${r.foreignTable.name}${fmt(r.columns.map((c) => c[1]))}`
	};
}

function hintOf(r: Relationship): string {
	return `'${r.foreignTable.name}!${r.cardinality === 'M2M' ? r.junction!.table.name : r.constraint}'`;
}

function findRelationship(cache: SchemaCache, schema: string, origin: Table, target: string, hint: string | undefined): Relationship {
	const rels = cache.relationships.get(qiKey(origin)) ?? [];
	const single = (r: Relationship, side: 0 | 1) => r.cardinality !== 'M2M' && r.columns.length === 1 && r.columns[0][side];
	const matches = rels.filter((r) => {
		if (r.isSelf) {
			if (hint === undefined)
				return (target === r.foreignTable.name && r.cardinality === 'O2M') || (single(r, 0) === target && r.cardinality === 'M2O');
			return target === r.foreignTable.name && r.cardinality === 'O2M' && single(r, 1) === hint;
		}
		if (hint === undefined)
			return (
				target === r.foreignTable.name ||
				(r.cardinality !== 'M2M' && r.constraint === target && !r.foreignTableIsView) ||
				(single(r, 0) === target && !r.foreignTableIsView)
			);
		return (
			target === r.foreignTable.name &&
			((r.cardinality !== 'M2M' && r.constraint === hint) || single(r, 0) === hint || single(r, 1) === hint || r.junction?.table.name === hint)
		);
	});
	if (matches.length === 1) return matches[0];
	if (matches.length > 1) throw schemaCacheError.ambiguousRel(origin.name, target, matches.map(summary), matches.map(hintOf));
	let suggestion: string | null = null;
	if (cache.relationships.has(qiKey(origin))) {
		const s = closest(target, [...new Set(rels.map((r) => r.foreignTable.name))], 0.4);
		if (s && s !== target) suggestion = `Perhaps you meant '${s}' instead of '${target}'.`;
	} else {
		const parents = [...cache.relationships.keys()].filter((k) => k.startsWith(`${schema}.`)).map((k) => k.slice(schema.length + 1));
		const s = closest(origin.name, parents, 0.4);
		if (s) suggestion = `Perhaps you meant '${s}' instead of '${origin.name}'.`;
	}
	throw schemaCacheError.noRelBetween(origin.name, target, hint ?? null, schema, suggestion);
}

// ---- the read plan -------------------------------------------------------------------------

export interface PlanContext {
	cache: SchemaCache;
	schema: string;
	aggregatesEnabled: boolean;
	counter: { n: number };
	/** An unknown selected column: PostgREST leaves columns to PostgreSQL, so relationship errors of the whole tree come first. */
	missingColumn?: PgrstError;
}

function buildNode(
	ctx: PlanContext,
	table: Table,
	items: SelectItem[],
	name: string,
	outName: string,
	rel: Relationship | null,
	computedRel: Routine | null,
	join: 'left' | 'inner',
	spread: boolean,
	depth: number,
	joinAlias: string
): ReadNode {
	const root = depth === 0;
	// PostgREST's aliases: the table name at the root, `table_depth` below it, and
	// `parent_embed_depth` for the lateral join (so two embeds of one name at one level
	// clash in PostgreSQL as they do there).
	const node: ReadNode = {
		table,
		name,
		outName,
		alias: root ? table.name : `${table.name}_${depth}`,
		fields: [],
		conditions: [],
		order: [],
		range: { offset: 0, limit: null },
		rel,
		computedRel,
		join,
		spread,
		toOne: rel ? rel.cardinality === 'M2O' || rel.cardinality === 'O2O' : computedRel ? computedRel.singleRow : false,
		children: [],
		hasAggregates: false,
		joinAlias,
		empty: !root && items.length === 0
	};
	for (const item of items) {
		if (item.kind === 'field') {
			if (item.aggregate && !ctx.aggregatesEnabled) throw apiRequestError.aggregatesNotAllowed();
			if (item.field.name === '*' && !item.field.json.length) {
				if (item.aggregate === 'count') {
					node.fields.push({ kind: 'countAll', aggregateCast: item.aggregateCast, outName: item.alias ?? 'count' });
					node.hasAggregates = true;
				} else node.fields.push(...starFields(ctx, table, node.alias));
				continue;
			}
			if (item.field.name === 'count' && !item.field.json.length && !item.aggregate && !table.columns.has('count') && !ctx.cache.computedFields.get(qiKey(table))?.has('count')) {
				// PostgreSQL reads `alias.count` as count(alias): PostgREST passes it through.
				node.fields.push({ kind: 'countAll', aggregateCast: item.cast, outName: item.alias ?? 'count' });
				continue;
			}
			let ref: FieldRef;
			try {
				ref = resolveField(ctx.cache, table, item.field, node.alias);
			} catch (error) {
				if (!(error instanceof PgrstError) || error.code !== '42703') throw error;
				ctx.missingColumn ??= error;
				continue;
			}
			const outName = item.aggregate && item.alias === undefined ? item.aggregate : outNameOf(item.field, item.alias);
			node.fields.push({ kind: 'field', ref, cast: item.cast, aggregate: item.aggregate, aggregateCast: item.aggregateCast, outName });
			if (item.aggregate) node.hasAggregates = true;
			continue;
		}
		const computed = ctx.cache.computedRelationships.get(qiKey(table))?.get(item.name);
		if (computed && computed.returnRelation) {
			const target = findTable(ctx.cache, computed.returnRelation.schema, computed.returnRelation.name);
			const childName = item.kind === 'relation' ? (item.alias ?? item.name) : item.name;
			const joinAlias = `${table.name}_${item.kind === 'relation' ? (item.alias ?? item.name) : item.name}_${depth + 1}`;
			node.children.push(buildNode(ctx, target, item.children, item.name, childName, null, computed, item.join ?? 'left', item.kind === 'spread', depth + 1, joinAlias));
			continue;
		}
		const relationship = findRelationship(ctx.cache, ctx.schema, table, item.name, item.hint);
		const target = findTable(ctx.cache, relationship.foreignTable.schema, relationship.foreignTable.name);
		const childOut = item.kind === 'relation' ? (item.alias ?? item.name) : item.name;
		const joinAlias = `${table.name}_${item.kind === 'relation' ? (item.alias ?? item.name) : item.name}_${depth + 1}`;
		const child = buildNode(ctx, target, item.children, item.name, childOut, relationship, null, item.join ?? 'left', item.kind === 'spread', depth + 1, joinAlias);
		node.children.push(child);
	}
	// An embed that selects nothing but empty embeds is empty itself (PostgREST leaves it out).
	if (!root && node.fields.length === 0 && node.children.every((c) => c.empty)) node.empty = true;
	if (!items.length || node.fields.length === 0 && node.children.length === 0) node.fields.push(...starFields(ctx, table, node.alias));
	const aggregated = (n: ReadNode) => n.fields.some((f) => (f.kind === 'field' && f.aggregate) || f.kind === 'countAll');
	if (spread && !node.toOne && aggregated(node)) throw apiRequestError.notImplemented('Aggregates are not implemented for one-to-many or many-to-many spreads.');
	// Aggregates in a to-one spread are applied by the parent, grouped by its other columns;
	// through spreads of spreads, by the first parent that is no to-one spread.
	for (const child of node.children) {
		if (child.spread && child.toOne && (aggregated(child) || child.hasAggregates)) {
			child.hoisted = true;
			child.hasAggregates = false;
			node.hasAggregates = true;
		}
	}
	return node;
}

/** The embedded node an embed path (`actors`, `actors.roles`) names, by alias or name. */
function findChild(node: ReadNode, path: string[]): ReadNode {
	let current = node;
	for (const step of path) {
		const next = current.children.find((c) => c.outName === step || c.name === step);
		if (!next) throw apiRequestError.notEmbedded(step);
		current = next;
	}
	return current;
}

function resolveLogic(ctx: PlanContext, node: ReadNode, tree: LogicTree): Condition {
	if (tree.kind === 'filter') return resolveFilter(ctx, node, tree.filter.field, tree.filter.expr);
	return { kind: 'expr', not: tree.not, op: tree.op, children: tree.children.map((c) => resolveLogic(ctx, node, c)) };
}

function resolveFilter(ctx: PlanContext, node: ReadNode, field: Field, expr: OpExpr): Condition {
	const embedded = !field.json.length && !node.table.columns.has(field.name) ? node.children.find((c) => c.outName === field.name || c.name === field.name) : undefined;
	if (embedded) {
		if (expr.operation.kind !== 'is' || (expr.operation.value !== 'null' && expr.operation.value !== 'not_null'))
			throw apiRequestError.unacceptableFilter(field.name);
		const isNull = (expr.operation.value === 'null') !== expr.not;
		return { kind: 'embedNull', child: embedded, isNull };
	}
	return { kind: 'filter', ref: resolveField(ctx.cache, node.table, field, node.alias), expr };
}

function resolveOrder(ctx: PlanContext, node: ReadNode, terms: OrderTerm[]): OrderSpec[] {
	return terms.map((t) => {
		if (t.relation !== undefined) {
			const child = node.children.find((c) => c.outName === t.relation || c.name === t.relation);
			if (!child) throw apiRequestError.notEmbedded(t.relation);
			if (!child.toOne) throw apiRequestError.relatedOrderNotToOne(node.name, t.relation);
			return {
				ref: { column: t.field.name, json: t.field.json, toJson: false, tsvector: false },
				child,
				direction: t.direction,
				nulls: t.nulls
			};
		}
		return { ref: resolveField(ctx.cache, node.table, t.field, node.alias), direction: t.direction, nulls: t.nulls };
	});
}

/** Builds the read tree for `table` from the request's select, filters, order and ranges. */
export function readPlan(ctx: PlanContext, table: Table, request: ApiRequest, options: { skipRootFilters?: boolean } = {}): ReadNode {
	const q = request.query;
	const root = buildNode(ctx, table, q.select, table.name, table.name, null, null, 'left', false, 0, `${table.name}_root`);
	try {
		resolveRequestParts(ctx, root, request, options);
	} catch (error) {
		if (ctx.missingColumn && error instanceof PgrstError && error.code === '42703') throw ctx.missingColumn;
		throw error;
	}
	if (ctx.missingColumn) throw ctx.missingColumn;
	root.range = request.topRange;
	return root;
}

function resolveRequestParts(ctx: PlanContext, root: ReadNode, request: ApiRequest, options: { skipRootFilters?: boolean }): void {
	const q = request.query;
	for (const { path, field, expr } of q.filters) {
		if (options.skipRootFilters && !path.length) continue;
		const node = findChild(root, path);
		node.conditions.push(resolveFilter(ctx, node, field, expr));
	}
	for (const { path, tree } of q.logic) {
		if (options.skipRootFilters && !path.length) continue;
		const node = findChild(root, path);
		node.conditions.push(resolveLogic(ctx, node, tree));
	}
	for (const { path, terms } of q.order) {
		const node = findChild(root, path);
		node.order = resolveOrder(ctx, node, terms);
	}
	for (const [key, range] of q.ranges) {
		if (!key) continue;
		findChild(root, key.split('.')).range = range;
	}
}

// ---- mutations -----------------------------------------------------------------------------

export function mutatePlan(ctx: PlanContext, table: Table, request: ApiRequest): MutatePlan {
	const kind = request.method === 'DELETE' ? 'delete' : request.method === 'PATCH' ? 'update' : 'insert';
	const payload = request.payload;
	let columns: string[] = [];
	if (kind !== 'delete') {
		if (!payload) throw apiRequestError.invalidBody('Empty or invalid json');
		if (payload.raw) throw apiRequestError.invalidBody(`Content-Type not acceptable: ${request.contentType}`);
		columns = request.query.columns ?? payload.keys;
		for (const c of columns) if (!table.columns.has(c)) throw schemaCacheError.columnNotFound(table.name, c);
	}
	let onConflict: MutatePlan['onConflict'] = null;
	if (kind === 'insert') {
		const resolution = request.prefer.resolution ?? (request.method === 'PUT' ? 'merge-duplicates' : null);
		if (resolution) {
			const cols = request.query.onConflict ?? table.pk;
			for (const c of cols) if (!table.columns.has(c)) throw columnMissing(table, c);
			if (cols.length) onConflict = { columns: cols, resolution };
		}
	}
	let putBody: string | null = null;
	if (request.method === 'PUT') {
		// PUT: the filters must be exactly eq on every primary key column, matching the payload.
		const filters = request.query.filters.filter((f) => !f.path.length);
		const eqs = new Map(filters.map((f) => [f.field.name, f.expr]));
		const ok =
			table.pk.length > 0 &&
			filters.length === table.pk.length &&
			!request.query.logic.length &&
			table.pk.every((c) => {
				const e = eqs.get(c);
				return e && !e.not && e.operation.kind === 'quant' && e.operation.op === 'eq' && !e.operation.quantifier;
			});
		if (!ok) throw apiRequestError.invalidFilters();
		// As PostgREST: only payload rows matching the URL's key are put, and exactly one must.
		const matching = payload!.rows.filter((row) =>
			table.pk.every((c) => {
				const e = eqs.get(c)!;
				return e.operation.kind === 'quant' && row[c] !== undefined && row[c] !== null && String(row[c]) === e.operation.value;
			})
		);
		if (matching.length !== 1) throw apiRequestError.putMatchingPk();
		if (payload!.rows.length > 1) putBody = JSON.stringify(matching[0]);
	}
	const returning = readPlan(ctx, table, request, { skipRootFilters: true });
	const conditions: Condition[] = [];
	if (kind !== 'insert') {
		for (const { path, field, expr } of request.query.filters) if (!path.length) conditions.push(resolveFilter(ctx, returning, field, expr));
		for (const { path, tree } of request.query.logic) if (!path.length) conditions.push(resolveLogic(ctx, returning, tree));
	}
	return {
		kind,
		table,
		columns,
		body: putBody ?? payload?.json ?? '[]',
		bodyIsObject: putBody !== null || (payload?.isObject ?? false),
		applyDefaults: request.prefer.missing === 'default',
		onConflict,
		putConditions: request.method === 'PUT',
		conditions,
		// PATCH/DELETE with limit: the rows are picked in the requested order.
		order: returning.order,
		range: request.mutateRange,
		returning
	};
}

// ---- function calls ------------------------------------------------------------------------

function describe(r: Routine): string {
	return `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`;
}

/** The single unnamed parameter type a raw body of this content type is passed as. */
const RAW_PARAM_TYPES: Record<string, string> = { 'application/json': 'json|jsonb', 'text/plain': 'text', 'text/xml': 'xml', 'application/octet-stream': 'bytea' };

export function findRoutine(cache: SchemaCache, schema: string, name: string, keys: Set<string>, isPost: boolean, contentType: string): Routine {
	const contentIsJson = contentType === 'application/json';
	const rawTypes = (RAW_PARAM_TYPES[contentType] ?? '').split('|');
	const candidates = cache.routines.get(`${schema}.${name}`) ?? [];
	const named: Routine[] = [];
	const fallback: Routine[] = [];
	for (const r of candidates) {
		const params = r.params;
		const required = params.filter((p) => p.required).map((p) => p.name);
		const optional = new Set(params.filter((p) => !p.required).map((p) => p.name));
		let matches: boolean;
		if (!params.length) matches = keys.size === 0;
		else if (!optional.size) matches = keys.size === required.length && required.every((p) => keys.has(p));
		else {
			const rest = [...keys].filter((k) => !optional.has(k));
			matches = rest.length === required.length && required.every((p) => rest.includes(p));
		}
		// A text, XML or binary body can only go to a single unnamed parameter (as PostgREST).
		if (matches && !(isPost && !contentIsJson && RAW_PARAM_TYPES[contentType])) named.push(r);
		else if (isPost && params.length === 1 && params[0].name === '' && rawTypes.includes(params[0].type)) fallback.push(r);
	}
	if (named.length === 1) return named[0];
	if (named.length > 1) throw schemaCacheError.ambiguousRpc(named.map(describe));
	if (fallback.length === 1) return fallback[0];
	if (fallback.length > 1) throw schemaCacheError.ambiguousRpc(fallback.map(describe));
	let hint: string | null = null;
	if (!candidates.length) {
		const names = [...cache.routines.keys()].filter((k) => k.startsWith(`${schema}.`)).map((k) => k.slice(schema.length + 1));
		const s = closest(name, names);
		if (s) hint = `Perhaps you meant to call the function ${schema}.${s}`;
	} else {
		const sigs = candidates.map((c) => `(${c.params.map((p) => p.name).sort().join(', ')})`);
		const s = closest(`(${[...keys].sort().join(', ')})`, sigs, 0.33);
		if (s) hint = `Perhaps you meant to call the function ${schema}.${name}${s}`;
	}
	const rawParam = isPost && !contentIsJson && RAW_PARAM_TYPES[contentType] ? RAW_PARAM_TYPES[contentType] : undefined;
	throw schemaCacheError.noRpc(schema, name, [...keys].sort(), isPost && contentIsJson, hint, rawParam);
}

/** A pseudo-table for a function's result: its OUT columns, or one column named after it. */
function scalarTable(routine: Routine): Table {
	const cols = routine.outColumns.length ? routine.outColumns : [{ name: routine.name, type: routine.returnType, udt: routine.returnType }];
	return {
		schema: routine.schema,
		name: routine.name,
		isView: false,
		columns: new Map(cols.map((c) => [c.name, { name: c.name, type: c.type, udt: c.udt, nullable: true, default: null, generated: false, isArray: c.type.endsWith('[]') }])),
		pk: [],
		insertable: false,
		updatable: false,
		deletable: false
	};
}

export function callPlan(ctx: PlanContext, request: ApiRequest, name: string): CallPlan {
	const isPost = request.method === 'POST';
	const payload = request.payload;
	let keys: Set<string>;
	let argsJson: string;
	// Query string and form fields: a repeated one is an array for a VARIADIC parameter, else its last value.
	const pairs = isPost ? payload?.pairs : request.query.rpcParams;
	if (pairs) {
		keys = new Set(pairs.map(([k]) => k));
		argsJson = '{}';
	} else if (payload && !payload.isObject && !payload.raw && payload.rows.length) {
		// An array of objects: the first one holds the arguments (as PostgREST).
		keys = new Set(payload.keys);
		argsJson = JSON.stringify(payload.rows[0]);
	} else {
		keys = new Set(payload?.isObject ? payload.keys : []);
		argsJson = payload?.json ?? '{}';
	}
	// `?columns=` names the arguments; other keys of the payload are ignored.
	if (isPost && request.query.columns && payload && !payload.raw) keys = new Set(request.query.columns);
	const routine = findRoutine(ctx.cache, request.schema, name, keys, isPost, request.contentType);
	if (pairs) {
		const obj: Record<string, string | string[]> = {};
		for (const [k, v] of pairs) {
			const variadic = routine.params.some((p) => p.name === k && p.variadic);
			obj[k] = variadic ? [...((obj[k] as string[] | undefined) ?? []), v] : v;
		}
		argsJson = JSON.stringify(obj);
	}
	let args: CallArgs;
	if (routine.params.length === 1 && routine.params[0].name === '' && isPost) {
		args = { kind: 'single', param: routine.params[0], json: payload?.json ?? '{}' };
	} else if (!routine.params.length) {
		args = { kind: 'none' };
	} else {
		const used = routine.params.filter((p) => keys.has(p.name));
		args = { kind: 'named', params: used, json: argsJson };
		if (!used.length) args = { kind: 'none' };
	}
	const source: CallSource = { routine, args };
	if (routine.returnKind === 'composite') {
		const rel = routine.returnRelation;
		const table = rel ? findTable(ctx.cache, rel.schema, rel.name) : scalarTable(routine);
		return { source, read: readPlan(ctx, table, request), scalarFilters: [], scalarOrder: [], scalarRange: request.topRange };
	}
	// Scalars: filters and order may only name the function itself (PostgREST reads `pgrst_scalar`).
	const table = scalarTable(routine);
	const node = readPlan(ctx, table, { ...request, query: { ...request.query, select: [] } });
	return { source, read: null, scalarFilters: node.conditions, scalarOrder: node.order, scalarRange: request.topRange };
}
