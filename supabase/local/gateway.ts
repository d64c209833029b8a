/**
 * The API gateway on port 54321: what Kong does in front of Supabase's services. It
 * answers CORS, checks the `apikey` (header or, for WebSockets, query parameter) against
 * the project's keys, turns an opaque `sb_…` key into the role's JWT, and hands the
 * request to the service that owns the path prefix. A request without any key passes,
 * as through the CLI's gateway; a wrong key is refused, as on hosted Supabase.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayRequest, RuntimeContext, Service } from './context.ts';
import { roleOfOpaqueKey } from './keys.ts';

const CORS_HEADERS = {
	'access-control-allow-origin': '*',
	'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
	'access-control-expose-headers':
		'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit, X-Supabase-Api-Version',
	'access-control-max-age': '3600'
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
	res.end(text);
}

function clientIp(req: IncomingMessage): string {
	const remote = req.socket.remoteAddress ?? '';
	const loopback = remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1';
	const forwarded = req.headers['x-forwarded-for'];
	if (loopback && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0].trim();
	return remote.replace(/^::ffff:/, '');
}

export interface KeyCheck {
	role: 'anon' | 'service_role' | null;
	/** The JWT the key stands for (legacy keys are JWTs themselves). */
	keyJwt: string | null;
	error: { status: number; body: { message: string; hint?: string } } | null;
}

/** Checks an API key the way Supabase's gateway does. */
export function checkApiKey(ctx: RuntimeContext, apikey: string | null): KeyCheck {
	if (!apikey) {
		return {
			role: null,
			keyJwt: null,
			error: { status: 401, body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } }
		};
	}
	const opaque = roleOfOpaqueKey(ctx.keys, apikey);
	if (opaque) return { role: opaque, keyJwt: opaque === 'anon' ? ctx.keys.anonKey : ctx.keys.serviceRoleKey, error: null };
	if (apikey === ctx.keys.anonKey) return { role: 'anon', keyJwt: apikey, error: null };
	if (apikey === ctx.keys.serviceRoleKey) return { role: 'service_role', keyJwt: apikey, error: null };
	const legacy = legacyKeyRole(ctx.keys.jwtSecret, apikey);
	if (legacy) return { role: legacy, keyJwt: apikey, error: null };
	return {
		role: null,
		keyJwt: null,
		error: { status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } }
	};
}

/**
 * A legacy API key: a JWT signed with the project's JWT secret (HS256), unexpired, whose
 * role is anon or service_role. Supabase keeps accepting such keys next to the project's
 * own (a key minted with another expiry, or the demo keys after signing keys were set up).
 */
function legacyKeyRole(secret: string, key: string): 'anon' | 'service_role' | null {
	const parts = key.split('.');
	if (parts.length !== 3) return null;
	try {
		const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown };
		if (header.alg !== 'HS256') return null;
		const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
		const given = Buffer.from(parts[2], 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
		const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { role?: unknown; exp?: unknown };
		if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return null;
		return claims.role === 'anon' || claims.role === 'service_role' ? claims.role : null;
	} catch {
		return null;
	}
}

/** The bearer token to act with: a real user JWT wins; an opaque key is replaced by its JWT. */
export function bearerToken(ctx: RuntimeContext, authorization: string | undefined, keyJwt: string | null): string | null {
	const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
	const token = match?.[1]?.trim() ?? null;
	if (!token) return keyJwt;
	const opaque = roleOfOpaqueKey(ctx.keys, token);
	if (opaque) return opaque === 'anon' ? ctx.keys.anonKey : ctx.keys.serviceRoleKey;
	return token;
}

export class Gateway {
	private server: Server;
	private services: Service[] = [];
	private ctx: RuntimeContext;
	url = '';

	constructor(ctx: RuntimeContext) {
		this.ctx = ctx;
		this.server = createServer((req, res) => void this.route(req, res));
		this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
		this.server.keepAliveTimeout = 65_000;
	}

	use(service: Service) {
		this.services.push(service);
		// Longest prefix first, so /realtime/v1/api wins over /realtime/v1 if both exist.
		this.services.sort((a, b) => b.prefix.length - a.prefix.length);
	}

	private find(pathname: string): Service | undefined {
		return this.services.find((s) => pathname === s.prefix || pathname.startsWith(s.prefix + '/'));
	}

	private async route(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (req.method === 'OPTIONS') {
			res.writeHead(200, {
				...CORS_HEADERS,
				'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization, x-client-info, apikey, content-type',
				'content-length': '0'
			});
			return res.end();
		}
		for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
		const service = this.find(url.pathname);
		if (!service) return sendJson(res, 404, { message: 'no Route matched with those values' });
		const path = url.pathname.slice(service.prefix.length) || '/';
		const apikeyHeader = req.headers['apikey'];
		const apikey = (Array.isArray(apikeyHeader) ? apikeyHeader[0] : apikeyHeader) ?? url.searchParams.get('apikey');
		// No key at all passes, as through the CLI's gateway (its Kong has no key check; the
		// request then acts as its Authorization token, or as anon). A key that is not one of
		// the project's is refused, as hosted Supabase refuses it.
		const check = checkApiKey(this.ctx, apikey ?? null);
		if (check.error && apikey) return sendJson(res, check.error.status, check.error.body);
		const request: GatewayRequest = {
			req,
			res,
			url,
			path,
			apiKeyRole: check.role,
			token: bearerToken(this.ctx, req.headers.authorization, check.keyJwt),
			ip: clientIp(req)
		};
		try {
			await service.handle(request);
		} catch (error) {
			this.ctx.log(`[${service.prefix}] ${req.method} ${url.pathname}: ${(error as Error).stack ?? error}`);
			if (!res.headersSent) sendJson(res, 500, { code: 500, error_code: 'unexpected_failure', msg: 'Unexpected failure, please check server logs for more information' });
			else res.end();
		}
	}

	private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const service = this.find(url.pathname);
		if (!service?.upgrade) {
			socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		service.upgrade(req, socket, head, url);
	}

	async listen(port: number, host = '127.0.0.1'): Promise<number> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const address = this.server.address();
		const actual = typeof address === 'object' && address ? address.port : port;
		this.url = `http://${host}:${actual}`;
		return actual;
	}

	async close(): Promise<void> {
		for (const service of this.services) await service.close?.().catch(() => {});
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
