/**
 * Plans: the parsed request checked against the schema cache. A read plan is a tree of
 * relations (the root and its embedded resources, each with its relationship to the
 * parent, fields, filters, order and range); a mutate plan adds the write; a call plan
 * names the function and how its arguments are passed (`plan-call.ts`). Every column,
 * relation and function named by the request is resolved against the cache (`plan-names.ts`),
 * so the query stage only quotes names the database itself reported.
 */
import { apiRequestError, PgrstError, schemaCacheError } from './errors.ts';
import type { Aggregate, Field, JsonOp, LogicTree, OpExpr, OrderTerm, SelectItem } from './query-params.ts';
import type { ApiRequest, RangeSpec } from './request.ts';
import { columnMissing, findRelationship, findTable, outNameOf, resolveField, starFields } from './plan-names.ts';
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
