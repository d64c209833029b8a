/**
 * `/rest/v1`: PostgREST's behaviour as supabase-js uses it. A request flows one way:
 * request.ts (parse) → actions.ts (per kind of request: plan.ts checks against the schema
 * cache, query.ts writes the SQL) → db.ts (one transaction, one round trip, as the JWT's
 * role) → response.ts. This file: the service, its connections and schema cache, the
 * JWT, and the transaction's settings.
 */
import type { GatewayRequest, RuntimeContext, RuntimeControl, Service } from '../context.ts';
import { JwtError, type Claims } from '../jwt.ts';
import { runTransaction } from './db.ts';
import { WirePool, WirePoolTimeout } from './pool.ts';
import { apiRequestError, fromPgError, jwtError, PgrstError, schemaCacheError, type PgServerError } from './errors.ts';
import type { PlanContext } from './plan.ts';
import { ident } from './query-node.ts';
import type { Statement } from './query.ts';
import {
	contentTypeOf,
	parseAccept,
	parseCookies,
	parsePayload,
	parsePreferences,
	parseQueryParams,
	readBody,
	resourceOf,
	schemaOf,
	topLevelRange,
	type ApiRequest
} from './request.ts';
import { send, sendError } from './response.ts';
import { loadSchemaCache, type Routine, type SchemaCache } from './schema-cache.ts';
import { answerCall, answerRead, answerRoot, answerWrite, type ActionContext, type RunOptions } from './actions.ts';


interface Auth {
	role: string;
	claims: Claims;
}

class JwtCache {
	private entries = new Map<string, { claims: Claims; exp: number }>();
	get(token: string): Claims | undefined {
		const hit = this.entries.get(token);
		if (!hit) return undefined;
		if (hit.exp && hit.exp * 1000 <= Date.now()) {
			this.entries.delete(token);
			return undefined;
		}
		return hit.claims;
	}
	set(token: string, claims: Claims) {
		if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value!);
		this.entries.set(token, { claims, exp: typeof claims.exp === 'number' ? claims.exp : 0 });
	}
}

function authenticatorUrl(dbUrl: string): string {
	const url = new URL(dbUrl);
	url.username = 'authenticator';
	url.password = 'postgres';
	return url.toString();
}

export class RestService {
	private ctx: RuntimeContext;
	private pool: WirePool;
	private cache: Promise<SchemaCache>;
	private jwtCache = new JwtCache();
	private unlisten: (() => Promise<void>) | null = null;
	private closed = false;

	constructor(ctx: RuntimeContext) {
		this.ctx = ctx;
		this.pool = this.makePool();
		this.cache = this.load();
		void this.listen();
		ctx.onSchemaChange(async () => {
			await this.reload();
			void this.listen();
		});
	}

	/** Connected as the superuser (no authenticator login on this server): roles are checked here. */
	private superuserFallback = false;

	/** Until the first login as `authenticator` has been tried, requests wait for its outcome. */
	private probing: Promise<void> | null = null;

	private makePool(): WirePool {
		const pool = new WirePool(this.superuserFallback ? this.ctx.dbUrl : authenticatorUrl(this.ctx.dbUrl), 10, 'postgrest', 10_000, this.ctx.dbSocket);
		if (!this.superuserFallback) {
			const probing = this.probe(pool).finally(() => {
				if (this.probing === probing) this.probing = null;
			});
			this.probing = probing;
		}
		return pool;
	}

	/** A database named by DATABASE_URL may not let `authenticator` log in: fall back to the URL's own user. */
	private async probe(pool: WirePool) {
		const conn = await pool.acquire();
		try {
			await conn.run([{ text: 'select 1', params: [] }]);
		} catch (error) {
			const code = (error as { code?: string }).code ?? '';
			if (code.startsWith('28') && !this.closed) {
				this.ctx.log(`[rest] authenticator cannot log in (${(error as Error).message}); using the database URL's user and checking roles itself`);
				this.superuserFallback = true;
				const old = this.pool;
				this.pool = this.makePool();
				old.end();
			}
		} finally {
			pool.release(conn);
		}
	}

	private load(): Promise<SchemaCache> {
		const promise = loadSchemaCache(this.ctx.db, this.ctx.config.api.schemas);
		promise.catch((e) => this.ctx.log(`[rest] schema cache: ${e}`));
		return promise;
	}

	/** Reloads the schema cache (connections the server closed are replaced as they are taken). */
	async reload(): Promise<void> {
		if (this.closed) return;
		this.cache = this.load();
		await this.cache.catch(() => {});
	}

	private async listen() {
		try {
			await this.unlisten?.().catch(() => {});
			const sub = await this.ctx.db.listen('pgrst', (payload) => {
				if (payload === 'reload schema' || payload === 'reload config' || payload === '') void this.reload();
			});
			this.unlisten = () => sub.unlisten();
		} catch (e) {
			this.ctx.log(`[rest] listen: ${e}`);
		}
	}

	async close() {
		this.closed = true;
		await this.unlisten?.().catch(() => {});
		this.pool.end();
	}

	private async authenticate(token: string | null, authorization: string | undefined): Promise<Auth> {
		// `Authorization: Bearer` with nothing after it reaches PostgREST through the CLI's Kong.
		if (authorization !== undefined && /^bearer$/i.test(authorization.trim())) throw jwtError.decode('Empty JWT is sent in Authorization header');
		if (!token) return { role: 'anon', claims: {} };
		let claims = this.jwtCache.get(token);
		if (!claims) {
			const parts = token.split('.').length;
			if (parts !== 3) throw jwtError.decode(`Expected 3 parts in JWT; got ${parts}`);
			try {
				// Keys picked and errors worded as PostgREST's JWT.decode with the CLI's JWKS;
				// the claims are PostgREST's own to check (below, with 30 seconds of skew).
				claims = await this.ctx.verifyJwt(token, 'postgrest');
			} catch (error) {
				if (!(error instanceof JwtError)) throw error;
				if (error.reason === 'invalid_claims') throw jwtError.claims(error.message);
				throw new PgrstError(401, 'PGRST301', error.message, error.details, null, jwtError.decode(error.message).headers);
			}
			checkTimeClaims(claims!);
			this.jwtCache.set(token, claims!);
		}
		const role = typeof claims!.role === 'string' && claims!.role ? claims!.role : 'anon';
		return { role, claims: claims! };
	}

	async handle(g: GatewayRequest): Promise<void> {
		const { req, res } = g;
		const method = req.method ?? 'GET';
		try {
			const auth = await this.authenticate(g.token, req.headers.authorization);
			const request = await this.parse(g, method);
			const cache = await this.cache.catch(() => {
				throw schemaCacheError.noSchemaCache();
			});
			try {
				await this.respond(g, request, auth, cache);
			} catch (error) {
				if (!(error instanceof ExplainDone)) throw error;
				send(g.res, 200, { 'content-type': error.contentType }, error.body, request.method === 'HEAD');
			}
		} catch (error) {
			if (error instanceof PgrstError) return sendError(res, error);
			const pg = error as PgServerError;
			if (pg && typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code)) return sendError(res, fromPgError(pg, true));
			if (error instanceof WirePoolTimeout) return sendError(res, new PgrstError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.'));
			if (pg && typeof pg.code === 'string' && /^(CONNECTION|CONNECT_)/.test(pg.code)) {
				return sendError(res, new PgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', String((error as Error).message)));
			}
			throw error;
		}
	}

	private async parse(g: GatewayRequest, method: string): Promise<ApiRequest> {
		const { req, url } = g;
		const resource = resourceOf(g.path);
		if (resource.kind === 'routine' && !['GET', 'HEAD', 'POST', 'OPTIONS'].includes(method)) throw apiRequestError.invalidRpcMethod(method);
		if (resource.kind === 'relation' && !['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method)) throw apiRequestError.unsupportedMethod(method);
		if (resource.kind === 'schema' && !['GET', 'HEAD', 'OPTIONS'].includes(method)) throw apiRequestError.unsupportedMethod(method);
		const { schema, negotiated } = schemaOf(method, req.headers, this.ctx.config.api.schemas);
		const isRpcRead = resource.kind === 'routine' && (method === 'GET' || method === 'HEAD');
		const query = parseQueryParams(url.searchParams, isRpcRead);
		const prefer = parsePreferences(req.headers);
		const topLimit = query.ranges.get('');
		if (method === 'PUT' && topLimit) throw apiRequestError.putLimitNotAllowed();
		const rangeHeader = req.headers['range'];
		const topRange = topLevelRange(method, Array.isArray(rangeHeader) ? rangeHeader[0] : rangeHeader, topLimit);
		const contentType = contentTypeOf(req.headers['content-type']);
		let payload = null;
		if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
			const body = await readBody(req, this.ctx.config.maxBodyBytes);
			payload = parsePayload(contentType, body, resource.kind === 'relation' && query.columns === null);
		}
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) if (k !== 'cookie' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
		return {
			method,
			resource,
			schema,
			negotiatedByProfile: negotiated,
			query,
			prefer,
			topRange,
			mutateRange: topLimit ?? { offset: 0, limit: null },
			accept: parseAccept(req.headers['accept']),
			contentType,
			payload,
			headers,
			cookies: parseCookies(req.headers['cookie']),
			// PostgREST sits behind the gateway, which strips /rest/v1: it sees /films, /rpc/fn.
			path: g.path
		};
	}

	private setup(request: ApiRequest, auth: Auth, cache: SchemaCache, readOnly: boolean, routine: Routine | null): Statement[] {
		if (this.superuserFallback && !cache.assumableRoles.has(auth.role)) {
			// What PostgreSQL answers the authenticator for a role it may not become.
			throw cache.roles.has(auth.role)
				? fromPgError({ code: '42501', message: `permission denied to set role "${auth.role}"` }, auth.role !== 'anon')
				: fromPgError({ code: '22023', message: `role "${auth.role}" does not exist` }, auth.role !== 'anon');
		}
		const config = this.ctx.config;
		// As PostgREST writes it: the request's schema, then extra_search_path (not deduplicated).
		const searchPath = [request.schema, ...config.api.extraSearchPath].map(ident).join(', ');
		// One statement, in PostgREST's order: search_path, the role's own settings (such as
		// statement_timeout), role, claims (with the role), request.*, timezone.
		const params: (string | null)[] = [];
		const calls: string[] = [];
		const set = (name: string | null, value: string) => {
			if (name !== null) params.push(name);
			const nameSql = name === null ? null : `$${params.length}`;
			params.push(value);
			return nameSql;
		};
		const add = (constantName: string, value: string) => {
			set(null, value);
			calls.push(`set_config('${constantName}', $${params.length}, true)`);
		};
		add('search_path', searchPath);
		// A search_path among the role's own settings would override PostgREST's: skipped.
		for (const [key, value] of (cache.roleSettings.get(auth.role) ?? []).filter(([k]) => k !== 'search_path')) {
			const nameSql = set(key, value);
			calls.push(`set_config(${nameSql}, $${params.length}, true)`);
		}
		add('role', auth.role);
		add('request.jwt.claims', JSON.stringify({ ...auth.claims, role: auth.role }));
		add('request.method', request.method);
		add('request.path', request.path);
		add('request.headers', JSON.stringify(request.headers));
		add('request.cookies', JSON.stringify(request.cookies));
		if (request.prefer.timezone) add('timezone', request.prefer.timezone);
		for (const [key, value] of routine?.hoistedSettings ?? []) {
			const nameSql = set(key, value);
			calls.push(`set_config(${nameSql}, $${params.length}, true)`);
		}
		add('transaction_read_only', readOnly ? 'on' : 'off');
		const statements: Statement[] = [{ text: `select ${calls.join(', ')}`, params }];
		// db-pre-request: from config, else PostgREST's in-database config (pgrst.db_pre_request).
		const preRequest = config.dbPreRequest ?? cache.settings.get('db_pre_request') ?? null;
		if (preRequest) {
			const parts = preRequest.split('.');
			statements.push({ text: `select ${parts.map(ident).join('.')}()`, params: [] });
		}
		return statements;
	}

	private async respond(g: GatewayRequest, request: ApiRequest, auth: Auth, cache: SchemaCache) {
		const { res } = g;
		const head = request.method === 'HEAD';
		const prefer = request.prefer;
		if (prefer.handling === 'strict' && prefer.invalid.length) throw apiRequestError.invalidPreferences(prefer.invalid);
		// db-tx-end (pgrst.db_tx_end): `Prefer: tx=` only counts where it may override the end.
		const txEnd = cache.settings.get('db_tx_end') ?? 'commit';
		if (!txEnd.endsWith('-allow-override')) delete prefer.tx;
		const rollback = prefer.tx === 'rollback' || (txEnd.startsWith('rollback') && prefer.tx !== 'commit');
		// EXPLAIN (application/vnd.pgrst.plan), when pgrst.db_plan_enabled is on: the plan of
		// the statement the request would run, in the media type named by `for`.
		const explain = explainOf(request, cache);
		if (explain) request.accept = [{ type: explain.forType, params: {} }];
		const headers: Record<string, string> = {};
		if (request.negotiatedByProfile) headers['content-profile'] = request.schema;
		const ctx: PlanContext = {
			cache,
			schema: request.schema,
			aggregatesEnabled: cache.settings.get('db_aggregates_enabled') === 'true',
			counter: { n: 1 }
		};
		const maxRows = this.ctx.config.api.maxRows > 0 ? this.ctx.config.api.maxRows : null;
		const authed = auth.role !== 'anon';
		const run = async ({ readOnly, routine = null, ...options }: RunOptions) => {
			try {
				if (this.probing) await this.probing;
				if (explain) {
					const main = { text: `EXPLAIN (${explain.options.join(', ')}) ${options.main.text}`, params: options.main.params };
					const setup = this.setup(request, auth, cache, readOnly, routine);
					const { rows } = await runTransaction(this.pool, { setup, main, rollback: rollback || (explain.analyze && !readOnly) });
					const plan = rows.map((r) => r['QUERY PLAN']);
					const body = explain.json ? (typeof plan[0] === 'string' ? plan[0] : JSON.stringify(plan[0])) : plan.join('\n');
					throw new ExplainDone(explain.contentType, body);
				}
				return await runTransaction(this.pool, { ...options, rollback, setup: this.setup(request, auth, cache, readOnly, routine) });
			} catch (error) {
				if (error instanceof PgrstError) throw error;
				const pg = error as PgServerError;
				if (pg && typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code)) throw fromPgError(pg, authed);
				throw error;
			}
		};
		const action: ActionContext = { res, head, request, cache, ctx, prefer, headers, maxRows, run };
		const resource = request.resource;
		if (resource.kind === 'schema') return answerRoot(action);
		if (resource.kind === 'relation') return request.method === 'GET' || request.method === 'HEAD' ? answerRead(action, resource.name) : answerWrite(action, resource.name);
		return answerCall(action, resource.name);
	}
}

/** PostgREST's checks of exp, nbf, iat (30 seconds of clock skew allowed) and aud. */
function checkTimeClaims(claims: Claims) {
	const now = Math.floor(Date.now() / 1000);
	const skew = 30;
	for (const name of ['exp', 'nbf', 'iat'] as const) {
		if (claims[name] !== undefined && typeof claims[name] !== 'number') throw jwtError.claims(`The JWT '${name}' claim must be a number`);
	}
	if (claims.exp !== undefined && now > claims.exp + skew) throw jwtError.claims('JWT expired');
	if (claims.nbf !== undefined && now < claims.nbf - skew) throw jwtError.claims('JWT not yet valid');
	if (claims.iat !== undefined && claims.iat > now + skew) throw jwtError.claims('JWT issued at future');
	const aud = claims.aud as unknown;
	if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string')))
		throw jwtError.claims("The JWT 'aud' claim must be a string or an array of strings");
}

/** Carries an EXPLAIN answer out of the request's normal response path. */
class ExplainDone extends Error {
	contentType: string;
	body: string;
	constructor(contentType: string, body: string) {
		super('explain');
		this.contentType = contentType;
		this.body = body;
	}
}

const EXPLAIN_OPTIONS = new Set(['analyze', 'verbose', 'settings', 'buffers', 'wal']);

function explainOf(request: ApiRequest, cache: SchemaCache) {
	const range = request.accept[0];
	const m = range ? /^application\/vnd\.pgrst\.plan(\+json|\+text)?$/.exec(range.type) : null;
	if (!m || cache.settings.get('db_plan_enabled') !== 'true') return null;
	const json = m[1] === '+json';
	const forType = (range.params.for ?? 'application/json').replace(/^"|"$/g, '');
	const flags = (range.params.options ?? '').split('|').filter((o) => EXPLAIN_OPTIONS.has(o));
	const options = [`FORMAT ${json ? 'JSON' : 'TEXT'}`, ...flags.map((f) => f.toUpperCase())];
	return { json, forType, options, analyze: flags.includes('analyze'), contentType: `application/vnd.pgrst.plan+${json ? 'json' : 'text'}; for="${forType}"; charset=utf-8` };
}

export function createRestService(ctx: RuntimeContext, _runtime?: RuntimeControl): Service {
	const service = new RestService(ctx);
	return {
		prefix: '/rest/v1',
		handle: (request) => service.handle(request),
		close: () => service.close()
	};
}
