/**
 * Supabase Auth as an OAuth 2.1 server, client management, through supabase-js's
 * `auth.admin.oauth` against a runtime whose config switches `[auth.oauth_server]` on:
 * client ids and one-time secrets (only a SHA-256 hash stored), public and confidential
 * clients, redirect URI rules, partial updates, soft deletion, the unpaginated list, dynamic
 * registration, and GoTrue's errors. (With the server off, auth-conformance.test.ts.)
 */
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { startTestRuntime } from '../support/runtime.ts';
import { adminClient, authClient, fixture } from './auth-support.ts';

describe('auth: OAuth 2.1 server client management', () => {
	let runtime: LocalSupabase;
	let admin: SupabaseClient;
	let sql: postgres.Sql;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: fixture('auth-oauth-server') });
		admin = adminClient(runtime);
		sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
	});
	afterAll(async () => {
		await sql?.end();
		await runtime?.stop();
	});

	/** A raw request to `/auth/v1` with the service-role key. */
	const raw = (path: string, init: RequestInit = {}, key = runtime.serviceRoleKey) =>
		fetch(`${runtime.url}/auth/v1${path}`, {
			...init,
			headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) }
		});

	it('creates a confidential client with a one-time secret, of which only a SHA-256 hash is kept', async () => {
		const { data, error } = await admin.auth.admin.oauth.createClient({
			client_name: 'Lifecycle',
			redirect_uris: ['https://example.com/callback', 'http://localhost:3000/cb', 'myapp://callback'],
			client_uri: 'https://example.com',
			logo_uri: 'https://example.com/logo.png'
		} as never);
		expect(error).toBeNull();
		expect(data).toMatchObject({
			client_type: 'confidential',
			registration_type: 'manual',
			token_endpoint_auth_method: 'client_secret_basic',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			redirect_uris: ['https://example.com/callback', 'http://localhost:3000/cb', 'myapp://callback'],
			client_name: 'Lifecycle'
		});
		expect(data!.client_id).toMatch(/^[0-9a-f-]{36}$/);
		expect(data!.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const [row] = await sql`select client_secret_hash from auth.oauth_clients where id = ${data!.client_id}`;
		expect(row.client_secret_hash).toBe(createHash('sha256').update(data!.client_secret!).digest('base64url'));

		const got = await admin.auth.admin.oauth.getClient(data!.client_id);
		expect(got.error).toBeNull();
		expect(got.data).toMatchObject({ client_id: data!.client_id, client_name: 'Lifecycle', logo_uri: 'https://example.com/logo.png' });
		expect(got.data).not.toHaveProperty('client_secret');

		const regenerated = await admin.auth.admin.oauth.regenerateClientSecret(data!.client_id);
		expect(regenerated.error).toBeNull();
		expect(regenerated.data!.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(regenerated.data!.client_secret).not.toBe(data!.client_secret);
	});

	it('makes a public client from token_endpoint_auth_method none, with no secret to regenerate', async () => {
		const { data, error } = await admin.auth.admin.oauth.createClient({
			client_name: 'SPA',
			redirect_uris: ['https://spa.example.com/cb'],
			token_endpoint_auth_method: 'none'
		} as never);
		expect(error).toBeNull();
		expect(data).toMatchObject({ client_type: 'public', token_endpoint_auth_method: 'none' });
		expect(data).not.toHaveProperty('client_secret');
		const regenerated = await admin.auth.admin.oauth.regenerateClientSecret(data!.client_id);
		expect(regenerated.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Cannot regenerate secret for public client' });
		const update = await admin.auth.admin.oauth.updateClient(data!.client_id, { token_endpoint_auth_method: 'client_secret_post' } as never);
		expect(update.error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: "token_endpoint_auth_method 'client_secret_post' is not valid for client_type 'public'; valid methods: [none]"
		});
	});

	it('updates only the fields given and refuses an empty update', async () => {
		const { data } = await admin.auth.admin.oauth.createClient({ client_name: 'Partial', redirect_uris: ['https://example.com/cb'] });
		const id = data!.client_id;
		const updated = await admin.auth.admin.oauth.updateClient(id, { logo_uri: 'https://example.com/new.png' });
		expect(updated.error).toBeNull();
		expect(updated.data).toMatchObject({ client_name: 'Partial', logo_uri: 'https://example.com/new.png', redirect_uris: ['https://example.com/cb'] });
		const renamed = await admin.auth.admin.oauth.updateClient(id, { client_name: 'Renamed', grant_types: ['authorization_code'] });
		expect(renamed.data).toMatchObject({ client_name: 'Renamed', grant_types: ['authorization_code'], logo_uri: 'https://example.com/new.png' });
		const empty = await admin.auth.admin.oauth.updateClient(id, {});
		expect(empty.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'No fields provided for update' });
		const noUris = await admin.auth.admin.oauth.updateClient(id, { redirect_uris: [] });
		expect(noUris.error).toMatchObject({ status: 400, message: 'redirect_uris cannot be empty' });
	});

	it('refuses bad registrations with GoTrue\'s messages', async () => {
		const cases: [Record<string, unknown>, string][] = [
			[{ client_name: 'x', redirect_uris: [] }, '400: redirect_uris is required'],
			[{ redirect_uris: ['http://example.com/cb'] }, "400: invalid redirect_uri 'http://example.com/cb': HTTP scheme only allowed for localhost"],
			[{ redirect_uris: ['https://example.com/cb#frag'] }, "400: invalid redirect_uri 'https://example.com/cb#frag': fragment not allowed in redirect URI"],
			[{ redirect_uris: ['javascript://x/alert'] }, "400: invalid redirect_uri 'javascript://x/alert': scheme 'javascript' is not allowed for security reasons"],
			[{ redirect_uris: ['/relative'] }, "400: invalid redirect_uri '/relative': must have scheme and host"],
			[{ redirect_uris: ['https://example.com:port/cb'] }, "400: invalid redirect_uri 'https://example.com:port/cb': invalid URL format"],
			[{ redirect_uris: ['https://a.example/cb'], client_uri: 'mailto:team@example.com' }, '400: client_uri must be a valid URL'],
			[{ redirect_uris: ['https://a.example/cb'], client_name: 'é'.repeat(513) }, '400: client_name cannot exceed 1024 characters'],
			[{ redirect_uris: ['https://a.example/cb'], grant_types: ['implicit'] }, "400: grant_types must only contain 'authorization_code' and/or 'refresh_token'"],
			[
				{ redirect_uris: ['https://a.example/cb'], client_type: 'public', token_endpoint_auth_method: 'client_secret_basic' },
				"400: client_type 'public' is inconsistent with token_endpoint_auth_method 'client_secret_basic' (expected client_type 'confidential')"
			]
		];
		for (const [body, message] of cases) {
			const { data, error } = await admin.auth.admin.oauth.createClient(body as never);
			expect(data).toBeNull();
			expect(error, message).toMatchObject({ status: 400, code: 'validation_failed', message });
		}
		const badJson = await raw('/admin/oauth/clients', { method: 'POST', body: '{"redirect_uris":"https://a.example/cb"}' });
		expect(badJson.status).toBe(400);
		expect(await badJson.json()).toMatchObject({ error_code: 'bad_json', msg: 'Invalid JSON body' });
	});

	it('deletes softly, lists unpaginated newest first, and answers unknown or malformed ids', async () => {
		const created: string[] = [];
		for (const name of ['L1', 'L2', 'L3']) {
			const { data } = await admin.auth.admin.oauth.createClient({ client_name: name, redirect_uris: ['https://example.com/cb'] });
			created.push(data!.client_id);
		}
		const list = await admin.auth.admin.oauth.listClients({ page: 1, perPage: 2 });
		expect(list.error).toBeNull();
		const ids = list.data.clients.map((c) => c.client_id);
		expect(ids.length).toBeGreaterThan(2);
		expect(ids.indexOf(created[2])).toBeLessThan(ids.indexOf(created[0]));

		expect((await admin.auth.admin.oauth.deleteClient(created[1])).error).toBeNull();
		const gone = await admin.auth.admin.oauth.getClient(created[1]);
		expect(gone.data).toBeNull();
		expect(gone.error).toMatchObject({ status: 404, code: 'oauth_client_not_found', message: 'OAuth client not found' });
		expect((await admin.auth.admin.oauth.deleteClient(created[1])).error).toMatchObject({ status: 404 });
		const [row] = await sql`select deleted_at from auth.oauth_clients where id = ${created[1]}`;
		expect(row.deleted_at).not.toBeNull();
		expect((await admin.auth.admin.oauth.listClients()).data.clients.map((c) => c.client_id)).not.toContain(created[1]);

		const malformed = await admin.auth.admin.oauth.getClient('not-a-uuid');
		expect(malformed.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'invalid client_id format' });
	});

	it('keeps the admin routes to admins and opens dynamic registration to anyone', async () => {
		const asAnon = await authClient(runtime).auth.admin.oauth.listClients();
		expect(asAnon.error?.status).toBe(403);
		const res = await raw('/oauth/clients/register', { method: 'POST', body: JSON.stringify({ client_name: 'DCR', redirect_uris: ['https://dcr.example/cb'] }) }, runtime.anonKey);
		expect(res.status).toBe(201);
		const body = await res.json();
		expect(body).toMatchObject({ registration_type: 'dynamic', client_type: 'confidential', client_name: 'DCR' });
		expect(body.client_secret).toBeTruthy();
	});
	it('publishes the authorization server metadata with the registration endpoint, and no grants for a user', async () => {
		const issuer = `${runtime.url}/auth/v1`;
		for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
			const res = await raw(path, {}, runtime.anonKey);
			expect(res.status).toBe(200);
			expect(await res.json()).toMatchObject({ issuer, registration_endpoint: `${issuer}/oauth/clients/register`, token_endpoint: `${issuer}/oauth/token` });
		}
		const sb = authClient(runtime);
		const { data, error } = await sb.auth.signUp({ email: `grants-${Date.now()}@example.com`, password: 'correct-horse-1' });
		expect(error).toBeNull();
		const token = data.session!.access_token;
		const grants = await raw('/user/oauth/grants', { headers: { authorization: `Bearer ${token}` } }, runtime.anonKey);
		expect(grants.status).toBe(200);
		expect(await grants.json()).toEqual([]);
		const revoke = (query: string) => raw(`/user/oauth/grants${query}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }, runtime.anonKey);
		expect(await (await revoke('')).json()).toMatchObject({ error_code: 'validation_failed', msg: 'client_id query parameter is required' });
		const missing = await revoke('?client_id=00000000-0000-0000-0000-000000000000');
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({ error_code: 'oauth_consent_not_found' });
	});
});
