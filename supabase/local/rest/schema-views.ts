/**
 * Views in the schema cache: which base table column each view column passes through
 * unchanged (read from the view's `_RETURN` rule, followed through views over views), so
 * views carry their base tables' primary keys and relationships, as PostgREST's do.
 */
import type { Sql } from 'postgres';
import { BASE_TABLES_SQL } from './schema-queries.ts';
import { qiKey, type QualifiedName, type Table } from './schema-cache.ts';

/** For a view: base table key → (base column → the view columns showing it). */
export interface ViewMap {
	qi: QualifiedName;
	byBase: Map<string, Map<string, string[]>>;
}

export interface ViewColumnSource {
	/** view column name → [base table oid, base column number] */
	[column: string]: [string, number];
}

/**
 * Reads the view's `_RETURN` rule (the query tree as text) and maps each output column of
 * the top-level target list to the base table column it passes through unchanged, if any.
 */
export function viewColumnSources(ruleText: string): ViewColumnSource {
	const out: ViewColumnSource = {};
	// Find ":targetList" at nesting depth 1 of the top-level QUERY node.
	let depth = 0;
	let start = -1;
	for (let i = 0; i < ruleText.length; i++) {
		const c = ruleText[i];
		if (c === '\\') {
			i++;
			continue;
		}
		if (c === '{' || c === '(') depth++;
		else if (c === '}' || c === ')') depth--;
		else if (depth === 2 && ruleText.startsWith(':targetList ', i)) {
			start = i + ':targetList '.length;
			break;
		}
	}
	if (start < 0) return out;
	// The list runs to its matching closing parenthesis.
	let end = start;
	depth = 0;
	for (; end < ruleText.length; end++) {
		const c = ruleText[end];
		if (c === '\\') {
			end++;
			continue;
		}
		if (c === '{' || c === '(') depth++;
		else if (c === '}' || c === ')') {
			depth--;
			if (depth === 0) break;
		}
	}
	const list = ruleText.slice(start, end + 1);
	// Only the list's own entries (depth 2: the list, then the TARGETENTRY), not those of
	// subqueries inside their expressions.
	const entry = /:resname (\S+) :ressortgroupref \d+ :resorigtbl (\d+) :resorigcol (\d+)/y;
	depth = 0;
	for (let i = 0; i < list.length; i++) {
		const c = list[i];
		if (c === '\\') {
			i++;
			continue;
		}
		if (c === '{' || c === '(') depth++;
		else if (c === '}' || c === ')') depth--;
		else if (depth === 2 && c === ':') {
			entry.lastIndex = i;
			const m = entry.exec(list);
			if (m && m[2] !== '0') out[m[1].replace(/\\(.)/g, '$1')] = [m[2], Number(m[3])];
		}
	}
	return out;
}

/**
 * Resolves the views' columns to base table columns (reading base tables outside the
 * exposed schemas as needed), gives each view without a key its base tables' keys, and
 * returns each view's map from base columns to its own.
 */
export async function resolveViews(db: Sql, views: { qi: QualifiedName; sources: ViewColumnSource }[], tables: Map<string, Table>): Promise<ViewMap[]> {
	// Base tables that views read from, possibly outside the exposed schemas; a view over
	// views is followed down to the tables (a few levels, as views rarely nest deeper).
	const baseCols = new Map<string, { qi: QualifiedName; cols: Record<string, string>; sources: ViewColumnSource | null; pk: string[] }>();
	let pending = [...new Set(views.flatMap((v) => Object.values(v.sources).map(([oid]) => oid)))];
	for (let level = 0; pending.length && level < 8; level++) {
		const next: string[] = [];
		for (const row of await db.unsafe(BASE_TABLES_SQL, [pending])) {
			const sources = row.view_def ? viewColumnSources(row.view_def) : null;
			baseCols.set(row.oid, { qi: { schema: row.schema, name: row.name }, cols: row.cols, sources, pk: row.pk });
			if (sources) next.push(...Object.values(sources).map(([oid]) => oid).filter((oid) => !baseCols.has(oid)));
		}
		pending = [...new Set(next)];
	}
	/** The table column a view column passes through unchanged, through views over views. */
	const throughViews = ([oid, attnum]: [string, number]): [string, number] | null => {
		for (let level = 0; level < 8; level++) {
			const base = baseCols.get(oid);
			if (!base?.sources) return [oid, attnum];
			const source = base.sources[base.cols[String(attnum)]];
			if (!source) return null;
			[oid, attnum] = source;
		}
		return null;
	};
	for (const v of views) {
		for (const [column, source] of Object.entries(v.sources)) {
			const resolved = throughViews(source);
			if (resolved) v.sources[column] = resolved;
			else delete v.sources[column];
		}
	}
	const basePks = new Map([...baseCols.values()].map((b) => [qiKey(b.qi), b.pk]));
	/** For a view: base table key → (base column → view columns). */
	const viewMaps = views.map((v) => {
		const byBase = new Map<string, Map<string, string[]>>();
		for (const [viewCol, [oid, attnum]] of Object.entries(v.sources)) {
			const base = baseCols.get(oid);
			const baseCol = base?.cols[String(attnum)];
			if (!base || !baseCol) continue;
			const key = qiKey(base.qi);
			const m = byBase.get(key) ?? new Map<string, string[]>();
			m.set(baseCol, [...(m.get(baseCol) ?? []), viewCol]);
			byBase.set(key, m);
		}
		return { qi: v.qi, byBase };
	});
	// Views inherit the primary keys of the base tables whose key columns they expose (all of
	// them, as PostgREST: a view joining two keyed tables has both keys).
	for (const v of viewMaps) {
		const table = tables.get(qiKey(v.qi))!;
		if (table.pk.length) continue;
		const pk: string[] = [];
		for (const [baseKey, cols] of v.byBase) {
			const [schema, ...rest] = baseKey.split('.');
			// Base tables outside the exposed schemas are not in `tables`: their key comes with their columns.
			const basePk = (tables.get(baseKey) ?? [...tables.values()].find((t) => t.schema === schema && t.name === rest.join('.')))?.pk ?? basePks.get(baseKey) ?? [];
			if (basePk.length && basePk.every((c) => cols.has(c))) {
				for (const c of basePk) if (!pk.includes(cols.get(c)![0])) pk.push(cols.get(c)![0]);
			}
		}
		table.pk = pk;
	}
	return viewMaps;
}
