/**
 * The relationships PostgREST derives from foreign keys: many-to-one and one-to-one from
 * each key (carried over to every view that shows its columns), their inverses, and
 * many-to-many through junction tables whose primary key holds both keys' columns; each
 * table's list in PostgREST's order (the order an ambiguous embed lists its candidates in).
 */
import { qiKey, type Cardinality, type QualifiedName, type Relationship, type Table } from './schema-cache.ts';
import type { ViewMap } from './schema-views.ts';

/** A row of FKS_SQL: one foreign key. */
export interface ForeignKeyRow {
	schema: string;
	name: string;
	fschema: string;
	fname: string;
	constraint_name: string;
	cols: [string, string][];
	is_self: boolean;
	one_to_one: boolean;
}

/** Every table's relationships, by table key, for the exposed `schemas`. */
export function buildRelationships(fkRows: readonly ForeignKeyRow[], tables: Map<string, Table>, viewMaps: ViewMap[], schemas: string[]): Map<string, Relationship[]> {
	/**
	 * Every relation (the table itself, and views over it) that exposes all `cols` of
	 * `base`, with the columns it shows them as: one per combination where a view shows a
	 * base column more than once, as PostgREST does.
	 */
	const carriers = (base: QualifiedName, cols: string[]): { qi: QualifiedName; isView: boolean; cols: string[] }[] => {
		const out: { qi: QualifiedName; isView: boolean; cols: string[] }[] = [];
		if (tables.has(qiKey(base))) out.push({ qi: base, isView: tables.get(qiKey(base))!.isView, cols });
		for (const v of viewMaps) {
			const m = v.byBase.get(qiKey(base));
			if (!m || !cols.every((c) => m.has(c))) continue;
			let combinations: string[][] = [[]];
			for (const c of cols) combinations = combinations.flatMap((prefix) => m.get(c)!.map((viewCol) => [...prefix, viewCol]));
			for (const combination of combinations) out.push({ qi: v.qi, isView: true, cols: combination });
		}
		return out;
	};

	const m2o: Relationship[] = [];
	for (const row of fkRows) {
		const cols = row.cols as [string, string][];
		const from = carriers({ schema: row.schema, name: row.name }, cols.map((c) => c[0]));
		const to = carriers({ schema: row.fschema, name: row.fname }, cols.map((c) => c[1]));
		for (const a of from) {
			for (const b of to) {
				m2o.push({
					table: a.qi,
					foreignTable: b.qi,
					isSelf: row.is_self && qiKey(a.qi) === qiKey(b.qi),
					cardinality: row.one_to_one ? 'O2O' : 'M2O',
					constraint: row.constraint_name,
					columns: cols.map((_, i) => [a.cols[i], b.cols[i]]),
					tableIsView: a.isView,
					foreignTableIsView: b.isView
				});
			}
		}
	}
	const all: Relationship[] = [...m2o];
	for (const r of m2o) {
		all.push({
			table: r.foreignTable,
			foreignTable: r.table,
			isSelf: r.isSelf,
			cardinality: r.cardinality === 'O2O' ? 'O2O' : 'O2M',
			constraint: r.constraint,
			columns: r.columns.map(([c, f]) => [f, c]),
			tableIsView: r.foreignTableIsView,
			foreignTableIsView: r.tableIsView,
			...(r.cardinality === 'O2O' ? { isParent: true } : {})
		});
	}
	// Many-to-many: a junction with two foreign keys whose columns are all in its primary key.
	const byTable = new Map<string, Relationship[]>();
	for (const r of m2o) byTable.set(qiKey(r.table), [...(byTable.get(qiKey(r.table)) ?? []), r]);
	/** Tables joined to others through a junction in an internal schema (PostgREST knows, but hides, those). */
	const internalJunctionEnds: QualifiedName[] = [];
	const internalFks = new Map<string, QualifiedName[]>();
	for (const row of fkRows) {
		if (schemas.includes(row.schema)) continue;
		const key = `${row.schema}.${row.name}`;
		internalFks.set(key, [...(internalFks.get(key) ?? []), { schema: row.fschema, name: row.fname }]);
	}
	for (const ends of internalFks.values()) if (ends.length > 1) internalJunctionEnds.push(...ends);
	for (const [junctionKey, rels] of byTable) {
		const junction = tables.get(junctionKey);
		if (!junction) continue;
		const pk = new Set(junction.pk);
		for (const r1 of rels) {
			for (const r2 of rels) {
				if (r1.constraint === r2.constraint) continue;
				const cols = [...r1.columns.map((c) => c[0]), ...r2.columns.map((c) => c[0])];
				if (!cols.every((c) => pk.has(c))) continue;
				all.push({
					table: r1.foreignTable,
					foreignTable: r2.foreignTable,
					isSelf: qiKey(r1.foreignTable) === qiKey(r2.foreignTable),
					cardinality: 'M2M',
					constraint: '',
					columns: [],
					junction: {
						table: r1.table,
						constraint1: r1.constraint,
						constraint2: r2.constraint,
						sourceColumns: r1.columns.map(([j, s]) => [s, j]),
						targetColumns: r2.columns.map(([j, t]) => [t, j])
					},
					tableIsView: r1.foreignTableIsView,
					foreignTableIsView: r2.foreignTableIsView
				});
			}
		}
	}
	const relationships = new Map<string, Relationship[]>();
	for (const r of all) {
		if (!schemas.includes(r.foreignTable.schema)) continue;
		const key = qiKey(r.table);
		if (r.junction && !schemas.includes(r.junction.table.schema)) {
			// Kept as a table with relationships, none usable (PostgREST then suggests no other table).
			if (!relationships.has(key)) relationships.set(key, []);
			continue;
		}
		relationships.set(key, [...(relationships.get(key) ?? []), r]);
	}
	for (const end of internalJunctionEnds) if (!relationships.has(qiKey(end))) relationships.set(qiKey(end), []);
	for (const list of relationships.values()) list.sort(compareRelationships);
	return relationships;
}

const CARDINALITY_ORDER: Record<Cardinality, number> = { O2M: 0, M2O: 1, O2O: 2, M2M: 3 };

/** Compares lists of strings or of column pairs element by element, as Haskell's derived Ord. */
function compareLists(a: readonly (string | readonly string[])[], b: readonly (string | readonly string[])[]): number {
	for (let i = 0; i < Math.min(a.length, b.length); i++) {
		const x = a[i];
		const y = b[i];
		const c = typeof x === 'string' || typeof y === 'string' ? (x < y ? -1 : x > y ? 1 : 0) : compareLists(x, y);
		if (c) return c;
	}
	return a.length - b.length;
}

/**
 * PostgREST's order of a table's relationships (its derived Ord): by target, self, kind
 * (one-to-many, many-to-one, one-to-one, many-to-many), constraint and columns. It is the
 * order of the candidates an ambiguous embed lists.
 */
function compareRelationships(a: Relationship, b: Relationship): number {
	const key = (r: Relationship) => [
		r.foreignTable.schema,
		r.foreignTable.name,
		r.isSelf ? '1' : '0',
		String(CARDINALITY_ORDER[r.cardinality]),
		...(r.junction ? [r.junction.table.schema, r.junction.table.name, r.junction.constraint1, r.junction.constraint2] : [r.constraint])
	];
	return (
		compareLists(key(a), key(b)) ||
		compareLists(r(a), r(b)) ||
		Number(a.tableIsView) - Number(b.tableIsView) ||
		Number(a.foreignTableIsView) - Number(b.foreignTableIsView)
	);
	function r(x: Relationship) {
		return x.junction ? [...x.junction.sourceColumns, ...x.junction.targetColumns] : x.columns;
	}
}
