/**
 * The REST root (`GET /rest/v1/`): PostgREST's OpenAPI (Swagger 2.0) document of the exposed
 * schema, as the Supabase stack serves it — its shape, PostgREST's type mapping, comments,
 * defaults and key notes, functions under `/rpc/`, and only what the request's role may use.
 */
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { restFixture, signUserJwt } from '../support/rest.ts';
import { startTestRuntime } from '../support/runtime.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('REST OpenAPI root', () => {
	let runtime: LocalSupabase;
	let doc: Doc;
	let response: Response;
	const root = (headers: Record<string, string>) => fetch(`${runtime.url}/rest/v1/`, { headers });

	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: path.join(restFixture, 'openapi') });
		response = await root({ apikey: runtime.secretKey });
		doc = await response.json();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('answers a Swagger 2.0 document with PostgREST’s frame, as the CLI’s PostgREST announces itself', () => {
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
		expect(response.headers.get('content-profile')).toBe('public');
		expect(doc).toMatchObject({
			swagger: '2.0',
			// PostgreSQL's own comment on the public schema gives the title.
			info: { title: 'standard public schema', description: '' },
			host: '0.0.0.0:3000',
			basePath: '/',
			schemes: ['http'],
			externalDocs: { description: 'PostgREST Documentation' }
		});
		expect(doc.consumes).toEqual(['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv']);
		expect(doc.paths['/'].get.tags).toEqual(['Introspection']);
		expect(doc.security).toBeUndefined();
		expect(doc.parameters.preferCount).toEqual({ name: 'Prefer', description: 'Preference', required: false, in: 'header', type: 'string', enum: ['count=none'] });
		expect(doc.parameters.preferParams.enum).toBeUndefined();
	});

	it('serves every key, as the CLI’s gateway does, each seeing what its role may use', async () => {
		for (const apikey of [runtime.anonKey, runtime.publishableKey, runtime.serviceRoleKey]) {
			const res = await root({ apikey });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
		}
		const anon = await (await root({ apikey: runtime.anonKey })).json();
		expect(anon.paths['/authors']).toBeDefined();
		expect(anon.paths['/secrets']).toBeUndefined();
		expect(anon.paths['/rpc/admin_only']).toBeUndefined();
	});

	it('describes a table’s columns with PostgREST’s types, formats, defaults, enums, lengths and comments', () => {
		const authors = doc.definitions.authors;
		expect(authors.description).toBe('People who write\n\nOne row per author.');
		expect(authors.required).toEqual(['id', 'name', 'tags', 'active', 'created_at']);
		expect(authors.properties).toEqual({
			id: { description: 'Note:\nThis is a Primary Key.<pk/>', format: 'int64', type: 'integer' },
			name: { description: 'Display name', format: 'character varying', maxLength: 80, type: 'string' },
			mood: { default: 'happy', enum: ['happy', 'sad'], format: 'mood', type: 'string' },
			tags: { format: 'text[]', items: { type: 'string' }, type: 'array' },
			meta: { format: 'jsonb' },
			score: { default: 4.5, format: 'numeric', type: 'number' },
			active: { default: true, format: 'boolean', type: 'boolean' },
			created_at: { default: 'now()', format: 'timestamp with time zone', type: 'string' }
		});
	});

	it('notes foreign keys and keys, also on a view, and lists rows filters per column', () => {
		const fk = "Note:\nThis is a Foreign Key to `authors.id`.<fk table='authors' column='id'/>";
		expect(doc.definitions.books.properties.author_id).toEqual({ description: fk, format: 'int64', type: 'integer' });
		expect(doc.definitions.books.properties.title).toEqual({ default: 'Untitled', format: 'text', type: 'string' });
		expect(doc.definitions.book_titles.properties.id.description).toBe('Note:\nThis is a Primary Key.<pk/>');
		expect(doc.definitions.book_titles.properties.author_id.description).toBe(fk);
		expect(doc.definitions.book_titles.required).toBeUndefined();
		expect(doc.parameters['rowFilter.authors.name']).toEqual({ name: 'name', description: 'Display name', required: false, in: 'query', type: 'string' });
		expect(doc.parameters['body.books']).toEqual({ name: 'books', description: 'books', required: false, in: 'body', schema: { $ref: '#/definitions/books' } });
	});

	it('gives each table its operations with the table comment as summary and description', () => {
		const item = doc.paths['/authors'];
		expect(Object.keys(item)).toEqual(['get', 'post', 'delete', 'patch']);
		expect(item.get.summary).toBe('People who write');
		expect(item.get.description).toBe('One row per author.');
		expect(item.get.parameters.map((p: Doc) => p.$ref.replace('#/parameters/', ''))).toEqual([
			...['id', 'name', 'mood', 'tags', 'meta', 'score', 'active', 'created_at'].map((c) => `rowFilter.authors.${c}`),
			...['select', 'order', 'range', 'rangeUnit', 'offset', 'limit', 'preferCount']
		]);
		expect(item.get.responses['200'].schema).toEqual({ items: { $ref: '#/definitions/authors' }, type: 'array' });
		expect(item.post.parameters).toEqual([{ $ref: '#/parameters/body.authors' }, { $ref: '#/parameters/select' }, { $ref: '#/parameters/preferPost' }]);
		expect(item.patch.responses).toEqual({ 204: { description: 'No Content' } });
	});

	it('lists functions under /rpc/: GET and POST unless volatile, arguments as query parameters and body', () => {
		const add = doc.paths['/rpc/add'];
		expect(add.get.summary).toBe('Adds two numbers');
		expect(add.get.tags).toEqual(['(rpc) add']);
		expect(add.get.parameters).toEqual([
			{ format: 'int32', in: 'query', name: 'a', required: true, type: 'integer' },
			{ format: 'int32', in: 'query', name: 'b', required: false, type: 'integer' }
		]);
		expect(add.post.parameters).toEqual([
			{
				in: 'body',
				name: 'args',
				required: true,
				schema: { description: 'Adds two numbers', properties: { a: { format: 'int32', type: 'integer' }, b: { format: 'int32', type: 'integer' } }, required: ['a'], type: 'object' }
			},
			{ $ref: '#/parameters/preferParams' }
		]);
		expect(Object.keys(doc.paths['/rpc/bump'])).toEqual(['post']);
	});

	it('lists only the tables and functions the request’s role may use', async () => {
		expect(doc.paths['/secrets']).toBeDefined();
		expect(doc.paths['/rpc/admin_only']).toBeDefined();
		const user = await signUserJwt(runtime);
		const res = await root({ apikey: runtime.secretKey, authorization: `Bearer ${user.jwt}` });
		const seen = await res.json();
		expect(seen.paths['/authors']).toBeDefined();
		expect(seen.paths['/secrets']).toBeUndefined();
		expect(seen.definitions.secrets).toBeUndefined();
		expect(seen.parameters['body.secrets']).toBeUndefined();
		expect(seen.paths['/rpc/add']).toBeDefined();
		expect(seen.paths['/rpc/admin_only']).toBeUndefined();
	});

	it('describes the schema named by Accept-Profile, titled by its comment, and answers 406 to other media types', async () => {
		const res = await root({ apikey: runtime.secretKey, 'accept-profile': 'inventory' });
		expect(res.headers.get('content-profile')).toBe('inventory');
		const inventory = await res.json();
		expect(inventory.info).toMatchObject({ title: 'Inventory API', description: 'Stock levels.' });
		expect(Object.keys(inventory.paths)).toEqual(['/', '/stock']);
		const csv = await root({ apikey: runtime.secretKey, accept: 'text/csv' });
		expect(csv.status).toBe(406);
		expect((await csv.json()).code).toBe('PGRST107');
	});

	it('follows pgrst.openapi_security_active and pgrst.openapi_mode set on the authenticator', async () => {
		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		const reload = async (statement: string) => {
			await sql.unsafe(statement);
			await sql.unsafe(`notify pgrst, 'reload config'`);
			await new Promise((resolve) => setTimeout(resolve, 300));
		};
		try {
			await reload(`alter role authenticator set pgrst.openapi_security_active = 'true'`);
			const secured = await (await root({ apikey: runtime.secretKey })).json();
			expect(secured.security).toEqual([{ JWT: [] }]);
			expect(secured.securityDefinitions.JWT).toMatchObject({ type: 'apiKey', name: 'Authorization', in: 'header' });
			await reload(`alter role authenticator set pgrst.openapi_mode = 'disabled'`);
			const disabled = await root({ apikey: runtime.secretKey });
			expect(disabled.status).toBe(404);
			expect((await disabled.json()).code).toBe('PGRST126');
		} finally {
			await sql.unsafe(`alter role authenticator reset pgrst.openapi_security_active`);
			await reload(`alter role authenticator reset pgrst.openapi_mode`);
			await sql.end();
		}
	});
});
