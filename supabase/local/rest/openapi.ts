/**
 * The root endpoint (`GET /rest/v1/`): PostgREST's OpenAPI (Swagger 2.0) description of the
 * exposed schema, shaped as PostgREST 14 writes it (`Response/OpenAPI.hs`): a path per
 * table or view and per function, a definition per relation with PostgREST's type mapping,
 * comments, defaults, enum labels, key notes, and the shared parameters.
 *
 * With `openapi-mode` follow-privileges (the default) only the relations and functions the
 * request's role may use are listed; that is asked of the database in the request's own
 * transaction (`accessStatement`), as PostgREST does, so its argument types are also named
 * under the request's search_path. The columns come from the schema cache.
 */
import type { Column, Relationship, SchemaCache, Table } from './schema-cache.ts';
import { qiKey } from './schema-cache.ts';

/** What the request's role may see, read in its transaction. */
export interface OpenApiAccess {
	/** Relations of the schema with any privilege (or owned through membership). */
	tables: string[];
	routines: ApiRoutine[];
	/** The schema's comment. */
	description: string | null;
}

export interface ApiRoutine {
	name: string;
	description: string | null;
	volatility: 'i' | 's' | 'v';
	params: { name: string; type: string; required: boolean; variadic: boolean }[];
}

export interface OpenApiOptions {
	/** `pgrst.openapi_security_active`: adds the JWT security definition. */
	securityActive: boolean;
	/** `pgrst.openapi_server_proxy_uri`: host, base path and scheme the document announces. */
	proxyUri: string | null;
}

/** The PostgREST release whose document this one follows (the Supabase CLI's image). */
const POSTGREST_VERSION = '14.12';
const DOCS_VERSION = 'v14';

/**
 * The relations, functions and schema comment for the request's role. `$1` is the schema,
 * `$2` the mode: with `ignore-privileges` nothing is filtered by privilege. Functions are
 * those PostgREST's schema cache holds: plain functions not returning a trigger, with all
 * input arguments named or a single unnamed one of a raw-body type. Argument types are
 * printed as `regtype` does under the request's search_path.
 */
export const ACCESS_SQL = `
with ns as (select oid from pg_namespace where nspname = $1),
args as (
  select p.oid,
    json_agg(json_build_object('name', coalesce(a.name, ''), 'type', a.type::regtype::text,
      'required', a.idx <= p.pronargs - p.pronargdefaults, 'variadic', coalesce(a.mode = 'v', false)) order by a.idx) as params,
    case count(*) - count(a.name)
      when 0 then true
      when 1 then (array_agg(a.type order by a.idx))[1] in ('bytea'::regtype, 'json'::regtype, 'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)
      else false end as callable
  from pg_proc p, unnest(p.proargnames, p.proargtypes::oid[], p.proargmodes) with ordinality as a(name, type, mode, idx)
  where p.pronamespace = (select oid from ns) and a.type is not null
  group by p.oid
)
select
  (select coalesce(json_agg(c.relname order by c.relname), '[]') from pg_class c
    where c.relnamespace = (select oid from ns) and c.relkind in ('v','r','m','f','p') and not c.relispartition
      and ($2 = 'ignore-privileges' or pg_has_role(c.relowner, 'USAGE')
        or has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        or has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))) as tables,
  (select coalesce(json_agg(json_build_object('name', p.proname, 'description', d.description, 'volatility', p.provolatile,
      'params', coalesce(a.params, '[]')) order by p.oid), '[]')
    from pg_proc p left join args a on a.oid = p.oid
    left join pg_description d on d.objoid = p.oid and d.classoid = 'pg_proc'::regclass and d.objsubid = 0
    where p.pronamespace = (select oid from ns) and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
      and coalesce(a.callable, true) and ($2 = 'ignore-privileges' or has_function_privilege(p.oid, 'execute'))) as routines,
  obj_description((select oid from ns), 'pg_namespace') as description`;

/** The statement reading `OpenApiAccess` (one row) for a schema. */
export function accessStatement(schema: string, mode: string) {
	return { text: ACCESS_SQL, params: [schema, mode] };
}

export function accessOf(row: Record<string, unknown>): OpenApiAccess {
	const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
	return { tables: json(row.tables) ?? [], routines: json(row.routines) ?? [], description: (row.description as string | null) ?? null };
}

type JsonObject = Record<string, unknown>;

/** PostgREST's PostgreSQL → Swagger type mapping; `undefined` for json/jsonb (any value). */
function swaggerType(type: string): string | undefined {
	switch (type) {
		case 'character varying':
		case 'character':
		case 'text':
			return 'string';
		case 'boolean':
			return 'boolean';
		case 'smallint':
		case 'integer':
		case 'bigint':
			return 'integer';
		case 'numeric':
		case 'real':
		case 'double precision':
			return 'number';
		case 'json':
		case 'jsonb':
			return undefined;
		default:
			return type.endsWith('[]') ? 'array' : 'string';
	}
}

function swaggerFormat(type: string): string {
	if (type === 'smallint' || type === 'integer') return 'int32';
	if (type === 'bigint') return 'int64';
	return type;
}

/** `items` of an array type: the element's type only. */
function itemsOf(type: string): JsonObject | undefined {
	if (swaggerType(type) !== 'array') return undefined;
	const element = swaggerType(type.slice(0, -2));
	return element === undefined ? {} : { type: element };
}

/** Drops `undefined` members, so absent facts leave no key (as Haskell's `Maybe` fields). */
function compact<T extends JsonObject>(o: T): T {
	for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
	return o;
}

/** First line, and the rest without leading newlines: PostgREST's summary/description split. */
function splitComment(comment: string | null | undefined): [string | undefined, string | undefined] {
	if (comment === null || comment === undefined) return [undefined, undefined];
	const nl = comment.indexOf('\n');
	if (nl < 0) return [comment, ''];
	return [comment.slice(0, nl), comment.slice(nl).replace(/^\n+/, '')];
}

/**
 * `public.` qualifiers outside string literals removed: the cache prints expressions under
 * the search_path `pg_catalog`, PostgREST's under `"$user", public`.
 */
function unqualifyPublic(expr: string): string {
	let out = '';
	let quoted = false;
	for (let i = 0; i < expr.length; i++) {
		const c = expr[i];
		if (c === "'") quoted = !quoted;
		if (!quoted && expr.startsWith('public.', i) && (i === 0 || /[^\w."]/.test(expr[i - 1]))) {
			i += 'public.'.length - 1;
			continue;
		}
		out += c;
	}
	return out;
}

/**
 * A column default as PostgREST shows it: for string types the literal without its cast and
 * quotes; anything else only when the expression is JSON itself (`42`, `true`).
 */
function defaultOf(type: string, expr: string | null): unknown {
	if (expr === null) return undefined;
	let text = unqualifyPublic(expr);
	if (swaggerType(type) === 'string') {
		const suffix = `::${type}`;
		if (text.endsWith(suffix)) text = text.slice(0, -suffix.length).replace(/^'+|'+$/g, '');
		text = `"${text}"`;
	}
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The single-column foreign key a column is, if any: to a table before a view. */
function foreignKeyNote(table: Table, rels: Relationship[], column: string): string | undefined {
	const candidates = rels.filter(
		(r) =>
			r.foreignTable.schema === table.schema &&
			(r.cardinality === 'M2O' || (r.cardinality === 'O2O' && !r.isParent)) &&
			r.columns.length === 1 &&
			r.columns[0][0] === column
	);
	const rel = candidates.find((r) => !r.foreignTableIsView) ?? candidates[0];
	if (!rel) return undefined;
	const [ft, fc] = [rel.foreignTable.name, rel.columns[0][1]];
	return `This is a Foreign Key to \`${ft}.${fc}\`.<fk table='${ft}' column='${fc}'/>`;
}

function columnType(c: Column): string {
	return c.apiType ?? c.type;
}

function property(table: Table, rels: Relationship[], c: Column): JsonObject {
	const type = columnType(c);
	const notes = ['Note:'];
	if (table.pk.includes(c.name)) notes.push('This is a Primary Key.<pk/>');
	const fk = foreignKeyNote(table, rels, c.name);
	if (fk) notes.push(fk);
	const description = notes.length > 1 ? (c.description ? `${c.description}\n\n` : '') + notes.join('\n') : (c.description ?? undefined);
	return compact({
		default: defaultOf(type, c.default),
		description,
		enum: c.enum && c.enum.length ? c.enum : undefined,
		format: swaggerFormat(type),
		items: itemsOf(type),
		maxLength: c.maxLength ?? undefined,
		type: swaggerType(type)
	});
}

function definition(table: Table, rels: Relationship[]): JsonObject {
	const columns = [...table.columns.values()];
	const required = columns.filter((c) => !c.nullable || c.domainNotNull).map((c) => c.name);
	return compact({
		description: table.description ?? undefined,
		required: required.length ? required : undefined,
		properties: Object.fromEntries(columns.map((c) => [c.name, property(table, rels, c)])),
		type: 'object'
	});
}

const ref = (name: string) => ({ $ref: `#/parameters/${name}` });

function tablePath(table: Table): JsonObject {
	const tn = table.name;
	const [summary, description] = splitComment(table.description);
	const op = (o: JsonObject) => compact({ description: description || undefined, ...o, summary, tags: [tn] });
	const rowFilters = [...table.columns.keys()].map((c) => ref(`rowFilter.${tn}.${c}`));
	const item: JsonObject = {
		get: op({
			parameters: [...rowFilters, ...['select', 'order', 'range', 'rangeUnit', 'offset', 'limit', 'preferCount'].map(ref)],
			responses: {
				200: { description: 'OK', schema: { items: { $ref: `#/definitions/${tn}` }, type: 'array' } },
				206: { description: 'Partial Content' }
			}
		})
	};
	// Writes are listed when the relation takes any (not by the role's privileges, as PostgREST).
	if (table.insertable || table.updatable || table.deletable) {
		item.post = op({ parameters: [ref(`body.${tn}`), ref('select'), ref('preferPost')], responses: { 201: { description: 'Created' } } });
		item.delete = op({ parameters: [...rowFilters, ref('preferReturn')], responses: { 204: { description: 'No Content' } } });
		item.patch = op({ parameters: [...rowFilters, ref(`body.${tn}`), ref('preferReturn')], responses: { 204: { description: 'No Content' } } });
	}
	return item;
}

const RPC_PRODUCES = ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json'];

function routinePath(r: ApiRoutine): JsonObject {
	const [summary, description] = splitComment(r.description);
	const op = (o: JsonObject) =>
		compact({ description: description || undefined, ...o, produces: RPC_PRODUCES, responses: { 200: { description: 'OK' } }, summary, tags: [`(rpc) ${r.name}`] });
	const getParams = r.params.map((p) => {
		if (p.variadic) {
			const element = p.type.endsWith('[]') ? p.type.slice(0, -2) : p.type;
			return compact({
				collectionFormat: 'multi',
				in: 'query',
				items: compact({ format: swaggerFormat(element), type: swaggerType(element) }),
				name: p.name,
				required: p.required,
				type: swaggerType(p.type) ?? 'string'
			});
		}
		// In a query string an array is written `{…}` and any value is a string.
		const type = swaggerType(p.type);
		return { format: swaggerFormat(p.type), in: 'query', name: p.name, required: p.required, type: type === undefined || type === 'array' ? 'string' : type };
	});
	const required = r.params.filter((p) => p.required).map((p) => p.name);
	const bodySchema = compact({
		description: r.description ?? undefined,
		properties: r.params.length
			? Object.fromEntries(r.params.map((p) => [p.name, compact({ format: swaggerFormat(p.type), items: itemsOf(p.type), type: swaggerType(p.type) })]))
			: undefined,
		required: required.length ? required : undefined,
		type: 'object'
	});
	const post = op({ parameters: [{ in: 'body', name: 'args', required: true, schema: bodySchema }, ref('preferParams')] });
	if (r.volatility === 'v') return { post };
	return { get: op({ parameters: getParams.length ? getParams : undefined }), post };
}

function prefer(values: string[]): JsonObject {
	return compact({ name: 'Prefer', description: 'Preference', required: false, in: 'header', type: 'string', enum: values.length ? values : undefined });
}

function queryParam(name: string, description: string): JsonObject {
	return { name, description, required: false, in: 'query', type: 'string' };
}

function sharedParameters(tables: Table[]): JsonObject {
	const out: JsonObject = {
		preferParams: prefer([]),
		preferReturn: prefer(['return=representation', 'return=minimal', 'return=none']),
		preferCount: prefer(['count=none']),
		preferPost: prefer(['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates']),
		select: queryParam('select', 'Filtering Columns'),
		on_conflict: queryParam('on_conflict', 'On Conflict'),
		order: queryParam('order', 'Ordering'),
		range: { name: 'Range', description: 'Limiting and Pagination', required: false, in: 'header', type: 'string' },
		rangeUnit: { name: 'Range-Unit', description: 'Limiting and Pagination', required: false, in: 'header', type: 'string', default: 'items' },
		offset: queryParam('offset', 'Limiting and Pagination'),
		limit: queryParam('limit', 'Limiting and Pagination')
	};
	for (const t of tables) {
		out[`body.${t.name}`] = { name: t.name, description: t.name, required: false, in: 'body', schema: { $ref: `#/definitions/${t.name}` } };
		for (const c of t.columns.values()) {
			out[`rowFilter.${t.name}.${c.name}`] = compact({ name: c.name, description: c.description ?? undefined, required: false, in: 'query', type: 'string' });
		}
	}
	return out;
}

/** Scheme, host (with port) and base path: PostgREST's own address unless a proxy URI is set. */
function serverOf(proxyUri: string | null): { scheme: string; host: string; basePath: string } {
	if (proxyUri) {
		try {
			const url = new URL(proxyUri);
			const scheme = url.protocol.replace(':', '').toLowerCase();
			if (scheme === 'http' || scheme === 'https') {
				const port = url.port || (scheme === 'https' ? '443' : '80');
				return { scheme, host: `${url.hostname}:${port}`, basePath: url.pathname || '/' };
			}
		} catch {
			// PostgREST refuses a malformed proxy URI at start-up; here it is ignored.
		}
	}
	// PostgREST's defaults (server-host `!4`, port 3000), as the Supabase CLI runs it.
	return { scheme: 'http', host: '0.0.0.0:3000', basePath: '/' };
}

/** Of overloads, PostgREST's document keeps the one it sorts last (most parameters). */
function oneRoutinePerName(routines: ApiRoutine[]): ApiRoutine[] {
	const byName = new Map<string, ApiRoutine>();
	for (const r of routines) {
		const seen = byName.get(r.name);
		if (!seen || r.params.length >= seen.params.length) byName.set(r.name, r);
	}
	return [...byName.values()];
}

export function openApi(cache: SchemaCache, schema: string, access: OpenApiAccess, options: OpenApiOptions): JsonObject {
	const visible = new Set(access.tables);
	const tables = [...cache.tables.values()].filter((t) => t.schema === schema && visible.has(t.name));
	const routines = oneRoutinePerName(access.routines);
	const paths: JsonObject = {
		'/': {
			get: {
				produces: ['application/openapi+json', 'application/json'],
				responses: { 200: { description: 'OK' } },
				summary: 'OpenAPI description (this document)',
				tags: ['Introspection']
			}
		}
	};
	for (const t of tables) paths[`/${t.name}`] = tablePath(t);
	for (const r of routines) paths[`/rpc/${r.name}`] = routinePath(r);
	const definitions = Object.fromEntries(tables.map((t) => [t.name, definition(t, cache.relationships.get(qiKey(t)) ?? [])]));
	const [title, description] = splitComment(access.description);
	const server = serverOf(options.proxyUri);
	const mediaTypes = ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'];
	const doc: JsonObject = {
		swagger: '2.0',
		info: { description: description ?? 'This is a dynamic API generated by PostgREST', title: title ?? 'PostgREST API', version: POSTGREST_VERSION },
		host: server.host,
		basePath: server.basePath,
		schemes: [server.scheme],
		consumes: mediaTypes,
		produces: mediaTypes,
		paths,
		definitions,
		parameters: sharedParameters(tables),
		externalDocs: { description: 'PostgREST Documentation', url: `https://postgrest.org/en/${DOCS_VERSION}/references/api.html` }
	};
	if (options.securityActive) {
		doc.securityDefinitions = {
			JWT: { description: 'Add the token prepending "Bearer " (without quotes) to it', in: 'header', name: 'Authorization', type: 'apiKey' }
		};
		doc.security = [{ JWT: [] }];
	}
	return doc;
}
