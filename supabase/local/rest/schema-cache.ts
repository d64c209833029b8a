/**
 * What PostgREST knows about the database: tables and views of the exposed schemas with
 * their columns and primary keys, the relationships between them (foreign keys, the
 * inverse direction, one-to-one refinements, many-to-many through junction tables, and
 * the same carried over to views through their base tables' columns), the functions
 * with their arguments, return types and volatility, and the roles the authenticator may
 * become. Loaded with a handful of catalog queries and rebuilt on `NOTIFY pgrst`.
 */
import type { Sql } from 'postgres';
import { buildRelationships, type ForeignKeyRow } from './relationships.ts';
import { FKS_SQL, REPRESENTATIONS_SQL, ROLES_SQL, ROLE_SETTINGS_SQL, ROUTINES_SQL, SETTINGS_SQL, TABLES_SQL } from './schema-queries.ts';
import { resolveViews, viewColumnSources, type ViewColumnSource } from './schema-views.ts';

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

	const viewMaps = await resolveViews(db, views, tables);
	const relationships = buildRelationships(fkRows as unknown as ForeignKeyRow[], tables, viewMaps, schemas);

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
