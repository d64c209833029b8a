/**
 * Supabase Auth as an OAuth 2.1 server (`[auth.oauth_server]`): the admin client routes
 * (`/admin/oauth/clients…`) and dynamic client registration (`POST /oauth/clients/register`),
 * as GoTrue's `oauthserver` package serves them. A client's id is its public `client_id`;
 * a confidential client gets a random secret, shown once (on creation and regeneration),
 * of which only a SHA-256 hash is stored. Lists are stored comma-joined, deletion is soft.
 * The authorization, consent and token flow is not served.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isoTime, isUuid } from './db.ts';
import { AuthError, badRequest, forbidden, notFound, sendJson } from './errors.ts';
import type { AuthRequest, AuthState } from './state.ts';

interface ClientRow {
	id: string;
	client_secret_hash: string | null;
	registration_type: string;
	client_type: string;
	token_endpoint_auth_method: string;
	redirect_uris: string;
	grant_types: string;
	client_name: string | null;
	client_uri: string | null;
	logo_uri: string | null;
	created_at: string;
	updated_at: string;
}

const COLUMNS = 'id, client_secret_hash, registration_type::text, client_type::text, token_endpoint_auth_method, redirect_uris, grant_types, client_name, client_uri, logo_uri, created_at, updated_at';
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'];
/** Go's `%v` of a string slice. */
/** Spaces and control characters, which Go's URL parser refuses. */
const hasControlOrSpace = (text: string) => [...text].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f);
const goList = (items: string[]) => `[${items.join(' ')}]`;

/** GoTrue's `requireOAuthServerEnabled`. */
export function requireOAuthServerEnabled(state: AuthState): void {
	if (!state.ctx.config.auth.oauthServer.enabled) throw notFound('feature_disabled', 'OAuth server is disabled');
}

/** `OAuthServerClientResponse`: empty lists and strings left out, the secret only when given. */
function clientJson(row: ClientRow, secret = ''): Record<string, unknown> {
	const out: Record<string, unknown> = { client_id: row.id };
	if (secret) out.client_secret = secret;
	out.client_type = row.client_type;
	const uris = row.redirect_uris ? row.redirect_uris.split(',') : [];
	if (uris.length) out.redirect_uris = uris;
	if (row.token_endpoint_auth_method) out.token_endpoint_auth_method = row.token_endpoint_auth_method;
	const grants = row.grant_types ? row.grant_types.split(',') : [];
	if (grants.length) out.grant_types = grants;
	out.response_types = ['code'];
	if (row.client_name) out.client_name = row.client_name;
	if (row.client_uri) out.client_uri = row.client_uri;
	if (row.logo_uri) out.logo_uri = row.logo_uri;
	out.registration_type = row.registration_type;
	out.created_at = isoTime(row.created_at);
	out.updated_at = isoTime(row.updated_at);
	return out;
}

type Body = Record<string, string | string[] | undefined>;

/**
 * The body as `json.NewDecoder(r.Body).Decode(&params)` reads it: keys matched exactly or
 * case-insensitively, unknown keys and `null` ignored, any syntax or type error (a list that
 * is not a list of strings, a string field that is not a string) "Invalid JSON body".
 */
async function decodeBody(r: AuthRequest, fields: Record<string, 'string' | 'list'>): Promise<Body> {
	const invalid = () => badRequest('bad_json', 'Invalid JSON body');
	let raw: unknown;
	try {
		raw = JSON.parse(await r.body());
	} catch {
		throw invalid();
	}
	if (raw === null) return {};
	if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid();
	const out: Body = {};
	for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
		const field = key in fields ? key : Object.keys(fields).find((name) => name.toLowerCase() === key.toLowerCase());
		if (!field || value === null) continue;
		if (fields[field] === 'string') {
			if (typeof value !== 'string') throw invalid();
			out[field] = value;
		} else {
			if (!Array.isArray(value) || value.some((item) => item !== null && typeof item !== 'string')) throw invalid();
			out[field] = value.map((item) => (item === null ? '' : (item as string)));
		}
	}
	return out;
}

/** Go's `url.Parse` reduced to what the checks use: lower-cased scheme, host name, fragment. */
function parseUrl(uri: string): { scheme: string; host: string; hostname: string; fragment: string } | null {
	if (hasControlOrSpace(uri)) return null;
	const hash = uri.indexOf('#');
	const fragment = hash >= 0 ? uri.slice(hash + 1) : '';
	const rest = hash >= 0 ? uri.slice(0, hash) : uri;
	const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
	if (!scheme && /^[^/?]*:/.test(rest)) return null; // "missing protocol scheme"
	const afterScheme = scheme ? rest.slice(scheme[0].length) : rest;
	let host = '';
	if (afterScheme.startsWith('//')) {
		const authority = afterScheme.slice(2).split(/[/?]/, 1)[0];
		host = authority.slice(authority.lastIndexOf('@') + 1);
		// A port, if any, is digits ("invalid port" otherwise).
		const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.includes(':') ? host.slice(host.lastIndexOf(':')) : '';
		if (port && !/^:\d*$/.test(port)) return null;
	}
	const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']') >= 0 ? host.indexOf(']') : undefined) : host.replace(/:\d*$/, '');
	return { scheme: scheme ? scheme[1].toLowerCase() : '', host, hostname, fragment };
}

/** `validateRedirectURI`: absolute, no fragment, no script-like scheme, plain HTTP only on loopback. */
function redirectUriProblem(uri: string): string | null {
	if (!uri) return 'redirect URI cannot be empty';
	const url = parseUrl(uri);
	if (!url) return 'invalid URL format';
	if (!url.scheme || !url.host) return 'must have scheme and host';
	if (['javascript', 'data', 'file', 'vbscript', 'about', 'blob'].includes(url.scheme)) {
		return `scheme '${url.scheme}' is not allowed for security reasons`;
	}
	if (url.scheme === 'http' && !['localhost', '127.0.0.1', '::1'].includes(url.hostname)) return 'HTTP scheme only allowed for localhost';
	if (url.fragment) return 'fragment not allowed in redirect URI';
	return null;
}

/** Go's `url.ParseRequestURI`: an absolute path, or a scheme followed by one (`mailto:x` is refused). */
const isRequestUri = (uri: string) => !hasControlOrSpace(uri) && (uri.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:\//.test(uri));

/** The checks register and update share; messages as GoTrue words them. */
function validateCommon(body: Body, registering: boolean): string | null {
	const uris = body.redirect_uris as string[] | undefined;
	if (registering || uris) {
		if (registering && !uris?.length) return 'redirect_uris is required';
		if (!uris?.length) return 'redirect_uris cannot be empty';
		if (uris.length > 10) return 'redirect_uris cannot exceed 10 items';
		for (const uri of uris) {
			const problem = redirectUriProblem(uri);
			if (problem) return `invalid redirect_uri '${uri}': ${problem}`;
		}
	}
	const grants = body.grant_types as string[] | undefined;
	if (grants && (registering ? grants.length > 0 : true)) {
		if (!grants.length) return 'grant_types cannot be empty';
		if (grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
			return "grant_types must only contain 'authorization_code' and/or 'refresh_token'";
		}
	}
	const name = body.client_name as string | undefined;
	// Go's len(): bytes, not characters.
	if (name !== undefined && Buffer.byteLength(name) > 1024) return 'client_name cannot exceed 1024 characters';
	for (const field of ['client_uri', 'logo_uri']) {
		const value = body[field] as string | undefined;
		if (!value) continue;
		if (Buffer.byteLength(value) > 2048) return `${field} cannot exceed 2048 characters`;
		if (!isRequestUri(value)) return `${field} must be a valid URL`;
	}
	return null;
}

const newSecret = () => randomBytes(32).toString('base64url');
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

const REGISTER_FIELDS = {
	redirect_uris: 'list',
	client_type: 'string',
	token_endpoint_auth_method: 'string',
	grant_types: 'list',
	client_name: 'string',
	client_uri: 'string',
	logo_uri: 'string'
} as const;

/** `registerOAuthServerClient`; a validation failure is a 400 `validation_failed` whose message carries the inner error's "400: ". */
async function register(state: AuthState, r: AuthRequest, registrationType: 'manual' | 'dynamic'): Promise<void> {
	const body = await decodeBody(r, REGISTER_FIELDS);
	const fail = (msg: string) => badRequest('validation_failed', `400: ${msg}`);
	const problem = validateCommon(body, true);
	if (problem) throw fail(problem);
	const explicitType = (body.client_type as string | undefined) ?? '';
	const method = (body.token_endpoint_auth_method as string | undefined) ?? '';
	if (explicitType && explicitType !== 'public' && explicitType !== 'confidential') throw fail("client_type must be 'public' or 'confidential'");
	if (method && !AUTH_METHODS.includes(method)) throw fail(`token_endpoint_auth_method must be one of: ${goList(AUTH_METHODS)}`);
	const inferred = method === 'none' ? 'public' : 'confidential';
	if (explicitType && method && explicitType !== inferred) {
		throw fail(`client_type '${explicitType}' is inconsistent with token_endpoint_auth_method '${method}' (expected client_type '${inferred}')`);
	}
	const clientType = explicitType || (method ? inferred : 'confidential');
	const authMethod = method || (clientType === 'public' ? 'none' : 'client_secret_basic');
	const grants = (body.grant_types as string[] | undefined)?.length ? (body.grant_types as string[]) : ['authorization_code', 'refresh_token'];
	const secret = clientType === 'confidential' ? newSecret() : '';
	const [row] = await state.sql<ClientRow[]>`
		insert into auth.oauth_clients (id, client_secret_hash, registration_type, client_type, token_endpoint_auth_method,
			redirect_uris, grant_types, client_name, client_uri, logo_uri, created_at, updated_at)
		values (${randomUUID()}, ${secret ? hashSecret(secret) : null}, ${registrationType}, ${clientType}, ${authMethod},
			${(body.redirect_uris as string[]).join(',')}, ${grants.join(',')}, ${(body.client_name as string) || null},
			${(body.client_uri as string) || null}, ${(body.logo_uri as string) || null}, now(), now())
		returning ${state.sql.unsafe(COLUMNS)}`;
	sendJson(r.res, 201, clientJson(row, secret));
}

/** `LoadOAuthServerClient`: a UUID naming a client that is not deleted. */
async function loadClient(state: AuthState, id: string): Promise<ClientRow> {
	if (!isUuid(id)) throw badRequest('validation_failed', 'invalid client_id format');
	const [row] = await state.sql<ClientRow[]>`select ${state.sql.unsafe(COLUMNS)} from auth.oauth_clients where id = ${id} and deleted_at is null`;
	if (!row) throw notFound('oauth_client_not_found', 'OAuth client not found');
	return row;
}

export async function createClient(state: AuthState, r: AuthRequest): Promise<void> {
	requireOAuthServerEnabled(state);
	await register(state, r, 'manual');
}

/** `POST /oauth/clients/register` (RFC 7591), open to anyone when `allow_dynamic_registration` is on. */
export async function registerClient(state: AuthState, r: AuthRequest): Promise<void> {
	requireOAuthServerEnabled(state);
	if (!state.ctx.config.auth.oauthServer.allowDynamicRegistration) {
		throw forbidden('oauth_dynamic_client_registration_disabled', 'Dynamic client registration is not enabled');
	}
	await register(state, r, 'dynamic');
}

/** All clients, newest first: GoTrue does not paginate this list (no `page`, no `Link` header). */
export async function listClients(state: AuthState, r: AuthRequest): Promise<void> {
	requireOAuthServerEnabled(state);
	const rows = await state.sql<ClientRow[]>`select ${state.sql.unsafe(COLUMNS)} from auth.oauth_clients where deleted_at is null order by created_at desc`;
	// `clients` is `omitempty`: no clients, an empty object.
	sendJson(r.res, 200, rows.length ? { clients: rows.map((row) => clientJson(row)) } : {});
}

export async function getClient(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	requireOAuthServerEnabled(state);
	sendJson(r.res, 200, clientJson(await loadClient(state, id)));
}

/** Only the fields given change; `token_endpoint_auth_method` must suit the client's type. */
export async function updateClient(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	requireOAuthServerEnabled(state);
	const client = await loadClient(state, id);
	const body = await decodeBody(r, {
		redirect_uris: 'list',
		grant_types: 'list',
		client_name: 'string',
		client_uri: 'string',
		logo_uri: 'string',
		token_endpoint_auth_method: 'string'
	});
	if (Object.keys(body).length === 0) throw badRequest('validation_failed', 'No fields provided for update');
	const problem = validateCommon(body, false);
	if (problem) throw badRequest('validation_failed', problem);
	const method = body.token_endpoint_auth_method as string | undefined;
	if (method !== undefined) {
		if (!AUTH_METHODS.includes(method)) throw badRequest('validation_failed', `invalid token_endpoint_auth_method: must be one of ${goList(AUTH_METHODS)}`);
		const valid = client.client_type === 'public' ? ['none'] : ['client_secret_basic', 'client_secret_post'];
		if (!valid.includes(method)) {
			throw badRequest('validation_failed', `token_endpoint_auth_method '${method}' is not valid for client_type '${client.client_type}'; valid methods: ${goList(valid)}`);
		}
	}
	const next = {
		redirect_uris: body.redirect_uris ? (body.redirect_uris as string[]).join(',') : client.redirect_uris,
		grant_types: body.grant_types ? (body.grant_types as string[]).join(',') : client.grant_types,
		client_name: body.client_name !== undefined ? (body.client_name as string) || null : client.client_name,
		client_uri: body.client_uri !== undefined ? (body.client_uri as string) || null : client.client_uri,
		logo_uri: body.logo_uri !== undefined ? (body.logo_uri as string) || null : client.logo_uri,
		token_endpoint_auth_method: method ?? client.token_endpoint_auth_method
	};
	const [row] = await state.sql<ClientRow[]>`
		update auth.oauth_clients set ${state.sql(next)}, updated_at = now()
		where id = ${client.id} returning ${state.sql.unsafe(COLUMNS)}`;
	sendJson(r.res, 200, clientJson(row));
}

/** Soft deletion: the client is gone from every route, its row kept with `deleted_at`. */
export async function deleteClient(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	requireOAuthServerEnabled(state);
	const client = await loadClient(state, id);
	await state.sql`update auth.oauth_clients set deleted_at = now(), updated_at = now() where id = ${client.id}`;
	r.res.writeHead(204);
	r.res.end();
}

export async function regenerateSecret(state: AuthState, r: AuthRequest, id: string): Promise<void> {
	requireOAuthServerEnabled(state);
	const client = await loadClient(state, id);
	if (client.client_type !== 'confidential') throw badRequest('validation_failed', 'Cannot regenerate secret for public client');
	const secret = newSecret();
	const [row] = await state.sql<ClientRow[]>`
		update auth.oauth_clients set client_secret_hash = ${hashSecret(secret)}, updated_at = now()
		where id = ${client.id} returning ${state.sql.unsafe(COLUMNS)}`;
	sendJson(r.res, 200, clientJson(row, secret));
}

/** Whether a route of the flow exists only while the server is on; off, GoTrue's 404. */
export function oauthFlowNotServed(state: AuthState): never {
	requireOAuthServerEnabled(state);
	throw new AuthError(501, 'not_implemented', 'The OAuth 2.1 authorization flow is not served by the local runtime');
}

/**
 * `GET /user/oauth/grants`: the clients the user has consented to. Consent is part of the
 * flow, which is not served, so no user has any: an empty list.
 */
export async function listGrants(state: AuthState, r: AuthRequest): Promise<void> {
	requireOAuthServerEnabled(state);
	sendJson(r.res, 200, []);
}

/** `DELETE /user/oauth/grants?client_id=…`: there is never an active grant to revoke. */
export async function revokeGrant(state: AuthState, r: AuthRequest): Promise<void> {
	requireOAuthServerEnabled(state);
	const clientId = r.url.searchParams.get('client_id') ?? '';
	if (!clientId) throw badRequest('validation_failed', 'client_id query parameter is required');
	if (!isUuid(clientId)) throw badRequest('validation_failed', 'invalid client_id format');
	throw notFound('oauth_consent_not_found', 'No active grant found for this client');
}
