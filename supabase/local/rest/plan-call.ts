/**
 * The call plan: which function `/rpc/<name>` means (PostgREST's overload resolution by
 * argument names, or one unnamed argument for a raw body), how its arguments are passed,
 * and, for its result, a read plan (rows) or the filters and order on the scalar itself.
 */
import { closest, schemaCacheError } from './errors.ts';
import { readPlan, type CallArgs, type CallPlan, type CallSource, type PlanContext } from './plan.ts';
import { findTable } from './plan-names.ts';
import type { ApiRequest } from './request.ts';
import type { Routine, SchemaCache, Table } from './schema-cache.ts';

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
