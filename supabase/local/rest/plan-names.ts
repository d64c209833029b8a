/**
 * Names a request uses, found in the schema cache: tables (with PostgREST's "Perhaps you
 * meant" hint), columns (with PostgreSQL's error and hint), the fields a select writes out,
 * and the relationship an embed names (PGRST200 when none, PGRST201 when several fit).
 */
import { closest, levenshtein, PgrstError, schemaCacheError, type RelationshipSummary } from './errors.ts';
import type { FieldRef, PlanContext, SelectField } from './plan.ts';
import type { Field } from './query-params.ts';
import { qiKey, type Relationship, type SchemaCache, type Table } from './schema-cache.ts';

export function findTable(cache: SchemaCache, schema: string, name: string): Table {
	const table = cache.tables.get(`${schema}.${name}`);
	if (table) return table;
	const names = [...cache.tables.values()].filter((t) => t.schema === schema).map((t) => t.name);
	const suggestion = closest(name, names);
	throw schemaCacheError.tableNotFound(schema, name, suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null);
}

/** PostgreSQL's error for an unknown column of `alias`, with its "Perhaps you meant" hint. */
export function columnMissing(table: Table, column: string, alias: string = table.name): PgrstError {
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

export function resolveField(cache: SchemaCache, table: Table, field: Field, alias: string = table.name): FieldRef {
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
export function starFields(ctx: PlanContext, table: Table, alias: string): SelectField[] {
	if (!ctx.cache.representations.size) return [{ kind: 'star' }];
	const refs = [...table.columns.keys()].map((name) => resolveField(ctx.cache, table, { name, json: [] }, alias));
	if (!refs.some((ref) => ref.jsonRep)) return [{ kind: 'star' }];
	return refs.map((ref) => ({ kind: 'field', ref, outName: ref.column }));
}

/** The output key of a selected field: its alias, else the last JSON key, else the column. */
export function outNameOf(field: Field, alias: string | undefined): string {
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

export function findRelationship(cache: SchemaCache, schema: string, origin: Table, target: string, hint: string | undefined): Relationship {
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

