/**
 * The root endpoint (`GET /rest/v1/`): a Swagger 2.0 description of the exposed schema's
 * tables, views and functions, shaped like PostgREST's (enough for tools that list them).
 */
import type { SchemaCache } from './schema-cache.ts';

function jsonType(udt: string, isArray: boolean): Record<string, unknown> {
	if (isArray) return { type: 'array', items: jsonType(udt, false) };
	if (/^int[248]$/.test(udt)) return { type: 'integer', format: udt === 'int8' ? 'bigint' : 'integer' };
	if (/^(float[48]|numeric)$/.test(udt)) return { type: 'number', format: udt };
	if (udt === 'bool') return { type: 'boolean', format: 'boolean' };
	if (udt === 'json' || udt === 'jsonb') return { format: udt };
	return { type: 'string', format: udt };
}

export function openApi(cache: SchemaCache, schema: string, apiUrl: string) {
	const paths: Record<string, unknown> = { '/': { get: { produces: ['application/openapi+json', 'application/json'], responses: { 200: { description: 'OK' } } } } };
	const definitions: Record<string, unknown> = {};
	for (const table of cache.tables.values()) {
		if (table.schema !== schema) continue;
		const properties: Record<string, unknown> = {};
		for (const c of table.columns.values()) properties[c.name] = { ...jsonType(c.udt, c.isArray), ...(c.default ? { default: c.default } : {}) };
		definitions[table.name] = {
			type: 'object',
			required: [...table.columns.values()].filter((c) => !c.nullable && c.default === null).map((c) => c.name),
			properties
		};
		const ops: Record<string, unknown> = { get: { tags: [table.name], responses: { 200: { description: 'OK' } } } };
		if (table.insertable) ops.post = { tags: [table.name], responses: { 201: { description: 'Created' } } };
		if (table.updatable) ops.patch = { tags: [table.name], responses: { 204: { description: 'No Content' } } };
		if (table.deletable) ops.delete = { tags: [table.name], responses: { 204: { description: 'No Content' } } };
		paths[`/${table.name}`] = ops;
	}
	for (const [key, routines] of cache.routines) {
		if (!key.startsWith(`${schema}.`)) continue;
		const r = routines[0];
		const op = { tags: ['(rpc) ' + r.name], responses: { 200: { description: 'OK' } } };
		paths[`/rpc/${r.name}`] = r.volatility === 'v' ? { post: op } : { get: op, post: op };
	}
	const url = new URL(apiUrl || 'http://127.0.0.1');
	return {
		swagger: '2.0',
		info: { description: '', title: 'standard public schema', version: '12.2.0' },
		host: url.host,
		basePath: '/',
		schemes: [url.protocol.replace(':', '')],
		consumes: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
		produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
		paths,
		definitions
	};
}
