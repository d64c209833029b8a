/**
 * What PostgREST knows about the database: tables and views of the exposed schemas with
 * their columns and primary keys, the relationships between them (foreign keys, the
 * inverse direction, one-to-one refinements, many-to-many through junction tables, and
 * the same carried over to views through their base tables' columns), the functions
 * with their arguments, return types and volatility, and the roles the authenticator may
 * become. Loaded with a handful of catalog queries and rebuilt on `NOTIFY pgrst`.
 */
import type { Sql } from 'postgres';
import { BASE_TABLES_SQL, FKS_SQL, REPRESENTATIONS_SQL, ROLES_SQL, ROLE_SETTINGS_SQL, ROUTINES_SQL, SETTINGS_SQL, TABLES_SQL } from './schema-queries.ts';

export interface Column {
	name: string;
	/** format_type(): `integer`, `text[]`, `public.mood` … */
	type: string;
	/** The base type's name without schema (`int4`, `tsvector`, `_text` for arrays). */
	udt: string;
	nullable: boolean;
	/** Default expression as PostgreSQL prints it (server text, never request text). */
	default: string | null;
	generated: boolean;
	isArray: boolean;
	/** Data representation: the function reading the column's value from a json body. */
	jsonParser?: string;
	/** The type as PostgREST's schema cache names it (`character varying`, `mood`), for OpenAPI. */
	apiType?: string;
	/** The column's comment. */
	description?: string | null;
	/** A NOT NULL domain makes the column non-nullable for PostgREST. */
	domainNotNull?: boolean;
	/** Labels of the (base) enum type. */
	enum?: string[] | null;
	/** Maximum length of a character type. */
	maxLength?: number | null;
}

export interface Table {
	schema: string;
	name: string;
	isView: boolean;
	columns: Map<string, Column>;
	pk: string[];
	insertable: boolean;
	updatable: boolean;
	deletable: boolean;
	/** The table's comment. */
	description?: string | null;
}

export type Cardinality = 'M2O' | 'O2M' | 'O2O' | 'M2M';

export interface Junction {
	table: QualifiedName;
	constraint1: string;
	constraint2: string;
	/** [origin column, junction column] pairs. */
	sourceColumns: [string, string][];
	/** [target column, junction column] pairs. */
	targetColumns: [string, string][];
}

export interface QualifiedName {
	schema: string;
	name: string;
}

export interface Relationship {
	table: QualifiedName;
	foreignTable: QualifiedName;
	isSelf: boolean;
	cardinality: Cardinality;
	constraint: string;
	/** [origin column, target column] pairs (M2O, O2M, O2O). */
	columns: [string, string][];
	junction?: Junction;
	tableIsView: boolean;
	foreignTableIsView: boolean;
	/** A one-to-one seen from the referenced table (PostgREST's `O2O … isParent`). */
	isParent?: boolean;
}

export interface RoutineParam {
	name: string;
	type: string;
	/** The type's name for matching (pg_type.typname). */
	udt: string;
	required: boolean;
	variadic: boolean;
}

export interface Routine {
	schema: string;
	name: string;
	oid: number;
	params: RoutineParam[];
	returnsSet: boolean;
	/** 'scalar' | 'composite' | 'void' */
	returnKind: 'scalar' | 'composite' | 'void';
	returnType: string;
	/** A scalar return type that is a domain named as a media type ("text/html"): its raw output. */
	mediaType?: string | null;
	/** For composite returns of a table or view type: that relation. */
	returnRelation: QualifiedName | null;
	/** OUT / TABLE columns of a function returning records. */
	outColumns: { name: string; type: string; udt: string }[];
	volatility: 'i' | 's' | 'v';
	/** For computed relationships: true when it returns a single row. */
	singleRow: boolean;
	/** `SET` clauses of the function that PostgREST hoists to the transaction (statement_timeout …). */
	hoistedSettings: [string, string][];
}

const RAW_BODY_TYPES = new Set(['bytea', 'json', 'jsonb', 'text', 'xml']);

/** Overloads in PostgREST's order: fewest parameters first, then by parameter names and types. */
function compareRoutines(a: Routine, b: Routine): number {
	if (a.params.length !== b.params.length) return a.params.length - b.params.length;
	for (let i = 0; i < a.params.length; i++) {
		const x = a.params[i];
		const y = b.params[i];
		if (x.name !== y.name) return x.name < y.name ? -1 : 1;
		if (x.type !== y.type) return x.type < y.type ? -1 : 1;
	}
	return 0;
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

/** PostgREST's default db-hoisted-tx-settings. */
const HOISTED = new Set(['statement_timeout', 'plan_filter.statement_cost_limit', 'default_transaction_isolation']);

export interface SchemaCache {
	schemas: string[];
	tables: Map<string, Table>;
	relationships: Map<string, Relationship[]>;
	routines: Map<string, Routine[]>;
	/** Computed fields: `schema.table` → function name → routine (one table-row argument, scalar return). */
	computedFields: Map<string, Map<string, Routine>>;
	/** Computed relationships: `schema.table` → function name → routine returning rows of a relation. */
	computedRelationships: Map<string, Map<string, Routine>>;
	/** Roles the authenticator is a member of (may `set role` to). */
	assumableRoles: Set<string>;
	/** Every role name in the cluster. */
	roles: Set<string>;
	/** Per-role settings (statement_timeout …) to apply when becoming that role. */
	roleSettings: Map<string, [string, string][]>;
	/** `pgrst.*` settings of the authenticator role (in-database config). */
	settings: Map<string, string>;
	/** Data representations: `source|target` type → cast function (`domain|json`, `text|domain`, `json|domain`). */
	representations: Map<string, string>;
}

export const qiKey = (q: QualifiedName) => `${q.schema}.${q.name}`;

interface ViewColumnSource {
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

export async function loadSchemaCache(db: Sql, schemas: string[]): Promise<SchemaCache> {
	// Type names qualified unless in pg_catalog (format_type() follows the search_path): requests
	// run with PostgREST's search_path, where a type of another schema would not be found.
	const [tableRows, fkRows, routineRows, roleRows, settingRows, roleSettingRows, representationRows] = await db.begin(async (tx) => {
		await tx.unsafe('set local search_path = pg_catalog');
		return Promise.all([
			tx.unsafe(TABLES_SQL, [schemas]),
			tx.unsafe(FKS_SQL),
			tx.unsafe(ROUTINES_SQL, [schemas]),
			tx.unsafe(ROLES_SQL),
			tx.unsafe(SETTINGS_SQL),
			tx.unsafe(ROLE_SETTINGS_SQL),
			tx.unsafe(REPRESENTATIONS_SQL)
		]);
	});

	const representations = new Map<string, string>(representationRows.map((r) => [`${r.source}|${r.target}`, String(r.function)]));
	const tables = new Map<string, Table>();
	const oidOf = new Map<string, QualifiedName>();
	const views: { qi: QualifiedName; sources: ViewColumnSource }[] = [];
	for (const row of tableRows) {
		const columns = new Map<string, Column>();
		for (const c of row.columns as Column[]) {
			const parser = representations.get(`json|${c.type}`);
			if (parser) c.jsonParser = parser;
			columns.set(c.name, c);
		}
		const table: Table = {
			schema: row.schema,
			name: row.name,
			isView: row.kind === 'v' || row.kind === 'm',
			columns,
			pk: row.pk,
			insertable: row.insertable,
			updatable: row.updatable,
			deletable: row.deletable,
			description: row.description
		};
		tables.set(qiKey(table), table);
		oidOf.set(row.oid, { schema: row.schema, name: row.name });
		if (row.view_def) views.push({ qi: table, sources: viewColumnSources(row.view_def) });
	}

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

	const routines = new Map<string, Routine[]>();
	const computedFields = new Map<string, Map<string, Routine>>();
	const computedRelationships = new Map<string, Map<string, Routine>>();
	for (const row of routineRows) {
		const args = row.args as { name: string; type: string; udt: string; mode: string }[];
		const inputs = args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
		const nDefaults = Number(row.n_defaults);
		const params: RoutineParam[] = inputs.map((a, i) => ({
			name: a.name,
			type: a.type,
			udt: a.udt,
			required: i < inputs.length - nDefaults,
			variadic: a.mode === 'v'
		}));
		const outs = args.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't');
		const returnKind: Routine['returnKind'] =
			row.return_type === 'void' ? 'void' : row.ret_is_rel || outs.length > 0 ? 'composite' : 'scalar';
		const routine: Routine = {
			schema: row.schema,
			name: row.name,
			oid: Number(row.oid),
			params,
			returnsSet: row.returns_set,
			returnKind,
			returnType: row.return_type,
			mediaType: row.ret_media ?? null,
			returnRelation: row.ret_rel ?? null,
			outColumns: outs.map((a) => ({ name: a.name, type: a.type, udt: a.udt })),
			volatility: row.volatility,
			singleRow: !row.returns_set || Number(row.rows) === 1,
			hoistedSettings: (row.config as string[])
				.map((kv): [string, string] => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
				.filter(([k]) => HOISTED.has(k) && k !== 'default_transaction_isolation')
		};
		// PostgREST's "callable": no unnamed parameter, or exactly one when the first parameter
		// is bytea / json / jsonb / text / xml (a raw body). Others (a row argument: computed
		// fields) are no RPC endpoints.
		const unnamed = params.filter((p) => p.name === '').length;
		const callable = unnamed === 0 || (unnamed === 1 && RAW_BODY_TYPES.has(params[0].type));
		const key = `${row.schema}.${row.name}`;
		if (callable) routines.set(key, [...(routines.get(key) ?? []), routine]);
		// A function taking one row of an exposed table: a computed field or relationship.
		if (params.length === 1 && params[0].name !== undefined) {
			const argTable = [...tables.values()].find((t) => t.name === params[0].udt && t.schema === row.schema) ??
				[...tables.values()].find((t) => t.name === params[0].udt);
			if (argTable) {
				const target = qiKey(argTable);
				if (routine.returnRelation) {
					const m = computedRelationships.get(target) ?? new Map<string, Routine>();
					m.set(row.name, routine);
					computedRelationships.set(target, m);
				} else if (!row.returns_set && returnKind === 'scalar') {
					const m = computedFields.get(target) ?? new Map<string, Routine>();
					m.set(row.name, routine);
					computedFields.set(target, m);
				}
			}
		}
	}

	for (const list of routines.values()) list.sort(compareRoutines);

	const roleSettings = new Map<string, [string, string][]>();
	for (const r of roleSettingRows) roleSettings.set(r.rolname, [...(roleSettings.get(r.rolname) ?? []), [r.key, r.value]]);

	return {
		schemas,
		tables,
		relationships,
		routines,
		computedFields,
		computedRelationships,
		assumableRoles: new Set(roleRows.filter((r) => r.assumable).map((r) => r.rolname as string)),
		roles: new Set(roleRows.map((r) => r.rolname as string)),
		roleSettings,
		representations,
		settings: new Map(settingRows.map((r) => [String(r.key).slice('pgrst.'.length), String(r.value)]))
	};
}
