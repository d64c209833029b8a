/**
 * Broadcast over HTTP, as Supabase Realtime serves it:
 *
 * - `POST /api/broadcast` with `{messages: [{topic, event, payload, private?, id?}]}`: what
 *   realtime-js falls back to when a channel is not joined, and what servers use. Private
 *   messages go out only for topics the token may write to (RLS insert policy); others are
 *   dropped silently, as on Supabase. Answered 202.
 * - `POST /api/broadcast/<topic>/events/<event>[?private=true]` with a JSON or
 *   `application/octet-stream` body (`httpSend`): 202, 403 when a private topic is not
 *   writable, 422 on bad input.
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayRequest } from '../context.ts';
import { sendJson } from '../gateway.ts';
import type { Claims } from '../jwt.ts';
import { AuthorizationError, canWriteTopic } from './authorization.ts';
import type { RealtimeServer } from './channel.ts';
import { RateCounter } from './limits.ts';
import type { OutgoingBroadcast } from './protocol.ts';
import { checkToken } from './tokens.ts';

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) throw new BodyTooLarge();
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

export function createBroadcastApi(server: RealtimeServer) {
	// One budget per client address, like the per-socket limit.
	const counters = new Map<string, RateCounter>();
	const overLimit = (ip: string, count: number) => {
		let counter = counters.get(ip);
		if (!counter) {
			if (counters.size > 10_000) counters.clear();
			counters.set(ip, (counter = new RateCounter(server.limits.maxEventsPerSecond)));
		}
		for (let i = 0; i < count; i++) if (!counter.hit()) return true;
		return false;
	};

	async function claimsOf(request: GatewayRequest): Promise<Claims | null> {
		if (!request.token) return null;
		const checked = await checkToken(server.ctx, request.token);
		return checked.ok ? checked.claims : null;
	}

	function send(topic: string, isPrivate: boolean, message: OutgoingBroadcast) {
		server.registry.get(topic, isPrivate)?.broadcast(message);
	}

	async function batch(request: GatewayRequest, claims: Claims) {
		const { req, res } = request;
		const body = await readBody(req, server.ctx.config.maxBodyBytes);
		let parsed: unknown;
		try {
			parsed = JSON.parse(body.toString('utf8') || '{}');
		} catch {
			// Phoenix's body parser refuses it before the controller runs.
			return sendJson(res, 400, 'Bad Request');
		}
		const list = (parsed as { messages?: unknown })?.messages;
		if (list !== undefined && list !== null && !Array.isArray(list)) return sendJson(res, 422, { errors: { messages: ['is invalid'] } });
		if (!Array.isArray(list) || list.length === 0) return sendJson(res, 422, { errors: { messages: ["can't be blank"] } });
		const messageErrors: Record<string, string[]>[] = [];
		const messages = list.map((raw) => {
			const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
			const errors: Record<string, string[]> = {};
			for (const field of ['topic', 'event', 'payload'] as const) if (m[field] === undefined || m[field] === null || m[field] === '') errors[field] = ["can't be blank"];
			if (m.topic !== undefined && typeof m.topic !== 'string') errors.topic = ['is invalid'];
			if (m.event !== undefined && typeof m.event !== 'string') errors.event = ['is invalid'];
			if (m.payload !== undefined && (typeof m.payload !== 'object' || Array.isArray(m.payload))) errors.payload = ['is invalid'];
			else if (Buffer.byteLength(JSON.stringify(m.payload ?? null)) > server.limits.maxPayloadBytes) errors.payload = ['Payload size exceeds tenant limit'];
			messageErrors.push(errors);
			return m;
		});
		if (messageErrors.some((e) => Object.keys(e).length > 0)) return sendJson(res, 422, { errors: { messages: messageErrors } });
		if (overLimit(request.ip, messages.length)) return sendJson(res, 429, { message: 'You have exceeded your rate limit' });
		const writable = new Map<string, boolean>();
		for (const m of messages) {
			const topic = m.topic as string;
			const isPrivate = m.private === true || m.private === 'true';
			if (isPrivate) {
				if (!writable.has(topic)) writable.set(topic, await canWriteTopic(server.db, topic, claims).catch(() => false));
				if (!writable.get(topic)) continue;
			}
			const payload: Record<string, unknown> = { payload: m.payload, event: m.event, type: 'broadcast' };
			if (typeof m.id === 'string' && m.id) payload.meta = { id: m.id };
			send(topic, isPrivate, { kind: 'json', payload });
		}
		res.writeHead(202, { 'content-length': '0' });
		res.end();
	}

	async function single(request: GatewayRequest, claims: Claims, topic: string, event: string) {
		const { req, res, url } = request;
		// No Content-Type is taken as JSON, as Supabase does for older callers.
		const type = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
		const binary = type === 'application/octet-stream';
		if (!binary && type !== 'application/json') {
			return sendJson(res, 415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' });
		}
		let body = await readBody(req, server.ctx.config.maxBodyBytes);
		if (binary && body.length === 0) return sendJson(res, 422, { errors: { payload: ["can't be blank"] } });
		if (!binary) {
			// Phoenix's JSON parser reads an empty body as `{}` and refuses what is not JSON (400).
			if (body.toString('utf8').trim() === '') body = Buffer.from('{}');
			try {
				JSON.parse(body.toString('utf8'));
			} catch {
				return sendJson(res, 400, 'Bad Request');
			}
		}
		if (body.length > server.limits.maxPayloadBytes) return sendJson(res, 422, { errors: { payload: ['Payload size exceeds tenant limit'] } });
		if (overLimit(request.ip, 1)) return sendJson(res, 429, { message: 'You have exceeded your rate limit' });
		const isPrivate = url.searchParams.get('private') === 'true';
		if (isPrivate) {
			let allowed: boolean;
			try {
				allowed = await canWriteTopic(server.db, topic, claims);
			} catch (error) {
				if (error instanceof AuthorizationError) return sendJson(res, 422, { message: 'RLS policy error' });
				throw error;
			}
			if (!allowed) return sendJson(res, 403, { message: 'Unauthorized' });
		}
		send(topic, isPrivate, { kind: 'user', event, encoding: binary ? 'binary' : 'json', data: body, meta: null });
		res.writeHead(202, { 'content-length': '0' });
		res.end();
	}

	return async function handle(request: GatewayRequest): Promise<boolean> {
		const { req, res, path } = request;
		const isBatch = path === '/api/broadcast';
		const single_ = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
		if (!isBatch && !single_) return false;
		if (req.method !== 'POST') {
			sendJson(res, 405, { message: 'Method not allowed' });
			return true;
		}
		const claims = await claimsOf(request);
		if (!claims) {
			sendJson(res, 401, { message: 'Unauthorized' });
			return true;
		}
		try {
			if (isBatch) await batch(request, claims);
			else await single(request, claims, decodeURIComponent(single_![1]), decodeURIComponent(single_![2]));
		} catch (error) {
			if (error instanceof BodyTooLarge) sendJson(res, 413, { message: 'Payload too large' });
			else throw error;
		}
		return true;
	};
}
