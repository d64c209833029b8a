/**
 * The Realtime service (`/realtime/v1`): Supabase Realtime's behaviour as
 * `@supabase/realtime-js` speaks it.
 *
 *   protocol.ts            serializers 1.0.0 / 2.0.0 (JSON objects, arrays, binary broadcasts)
 *   socket.ts              one WebSocket: heartbeats, routing, per-socket limits
 *   channel.ts             one joined topic: config, token, RLS verdicts, broadcast, presence
 *   registry.ts            one hub per topic fanning out to its channels
 *   presence.ts            presence state and diffs
 *   authorization.ts       RLS on realtime.messages, evaluated as the user and rolled back
 *   db-broadcast.ts        realtime.send() / broadcast_changes() after commit (NOTIFY)
 *   postgres-changes.ts    postgres_changes subscriptions and delivery, filtered by RLS
 *   replication-stream.ts  the logical replication slot those changes come from
 *   change-filters.ts      postgres_changes filters: parsing and matching
 *   http.ts                POST /api/broadcast and /api/broadcast/<topic>/events/<event>
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import postgres from 'postgres';
import { WebSocketServer } from 'ws';
import type { RuntimeContext, RuntimeControl, Service } from '../context.ts';
import { checkApiKey, sendJson } from '../gateway.ts';
import type { RealtimeServer } from './channel.ts';
import { listenForDbBroadcasts } from './db-broadcast.ts';
import { createBroadcastApi } from './http.ts';
import { heartbeatTimeoutMs, type Limits } from './limits.ts';
import { PostgresChanges } from './postgres-changes.ts';
import type { Vsn } from './protocol.ts';
import { ChannelRegistry } from './registry.ts';
import { RealtimeSocket } from './socket.ts';

/** How long realtime.messages rows are kept (Supabase keeps its partitions for days). */
const MESSAGE_RETENTION = '3 days';

function refuseUpgrade(socket: Duplex, status: number, statusText: string, body: unknown) {
	const text = JSON.stringify(body);
	socket.end(
		`HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
	);
}

export async function createRealtimeService(ctx: RuntimeContext, _runtime?: RuntimeControl): Promise<Service> {
	if (!ctx.config.realtime.enabled) {
		const body = { message: 'Realtime is disabled ([realtime] enabled = false in supabase/config.toml)' };
		return {
			prefix: '/realtime/v1',
			handle: async ({ res }) => sendJson(res, 503, body),
			upgrade: (_req, socket) => refuseUpgrade(socket, 503, 'Service Unavailable', body)
		};
	}
	const limits: Limits = {
		maxEventsPerSecond: ctx.config.realtime.maxEventsPerSecond,
		maxPayloadBytes: ctx.config.realtime.maxPayloadBytes,
		heartbeatTimeoutMs: heartbeatTimeoutMs(),
		maxBufferedBytes: Math.max(16 * 1024 * 1024, ctx.config.realtime.maxPayloadBytes * 4)
	};
	const db = postgres(ctx.dbUrl, {
		max: 5,
		onnotice: () => {},
		connection: { application_name: 'supabase_local_realtime', TimeZone: 'UTC' }
	});
	const registry = new ChannelRegistry();
	const log = (line: string) => ctx.log(line);
	const changes = new PostgresChanges({ dbUrl: ctx.dbUrl, db, log });
	const server: RealtimeServer = { ctx, db, registry, changes, limits, log };
	const sockets = new Set<RealtimeSocket>();
	const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes + 64 * 1024, perMessageDeflate: false });
	const api = createBroadcastApi(server);

	const stopDbBroadcasts = await listenForDbBroadcasts({ db, registry, maxPayloadBytes: limits.maxPayloadBytes, log });
	await changes.start();
	ctx.onSchemaChange(() => changes.schemaChanged());

	const sweepEvery = Math.max(50, Math.min(5000, Math.floor(limits.heartbeatTimeoutMs / 4)));
	const sweeper = setInterval(() => {
		const cutoff = Date.now() - limits.heartbeatTimeoutMs;
		for (const socket of sockets) if (socket.lastSeen < cutoff) socket.close(1000, 'heartbeat timeout');
	}, sweepEvery);
	sweeper.unref();

	const pruneMessages = () =>
		db.unsafe(`delete from realtime.messages where inserted_at < now() - interval '${MESSAGE_RETENTION}'`).catch(() => {});
	void pruneMessages();
	const pruner = setInterval(pruneMessages, 60 * 60_000);
	pruner.unref();

	return {
		prefix: '/realtime/v1',

		async handle(request) {
			if (await api(request)) return;
			sendJson(request.res, 404, { message: 'Not found' });
		},

		upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) {
			if (url.pathname !== '/realtime/v1/websocket' && url.pathname !== '/realtime/v1/websocket/') {
				return refuseUpgrade(socket, 404, 'Not Found', { message: 'Not found' });
			}
			const header = req.headers['apikey'];
			const apikey = url.searchParams.get('apikey') ?? (Array.isArray(header) ? header[0] : header) ?? null;
			const check = checkApiKey(ctx, apikey);
			if (check.error || !check.keyJwt) {
				return refuseUpgrade(socket, check.error?.status ?? 401, 'Unauthorized', check.error?.body ?? { message: 'Invalid API key' });
			}
			const requested = url.searchParams.get('vsn') ?? '1.0.0';
			const vsn: Vsn | null = /^1\.0\.\d+$/.test(requested) ? '1.0.0' : /^2\.0\.\d+$/.test(requested) ? '2.0.0' : null;
			if (!vsn) {
				return refuseUpgrade(socket, 403, 'Forbidden', {
					error: `The client's requested transport version "${requested}" does not match server's version requirements of "~> 1.0.0" or "~> 2.0.0"`
				});
			}
			const keyJwt = check.keyJwt;
			wss.handleUpgrade(req, socket, head, (ws) => {
				const conn = new RealtimeSocket(server, ws, vsn, keyJwt);
				sockets.add(conn);
				ws.on('close', () => sockets.delete(conn));
			});
		},

		async close() {
			clearInterval(sweeper);
			clearInterval(pruner);
			for (const socket of sockets) socket.close(1001, 'server shutting down');
			sockets.clear();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
			await stopDbBroadcasts();
			await changes.stop();
			await db.end({ timeout: 2 });
		}
	};
}
