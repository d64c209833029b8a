/**
 * One joined channel: a topic on one socket, with the join's config (broadcast self/ack,
 * presence key, private, postgres_changes), the token it acts with and, for private
 * channels, the RLS verdicts taken at join (and again on token change).
 */
import type { Sql } from 'postgres';
import type { RuntimeContext } from '../context.ts';
import type { Claims } from '../jwt.ts';
import { authorizeTopic, type Policies } from './authorization.ts';
import type { Limits } from './limits.ts';
import { encodeBroadcast, encodeText, type Encoded, type Frame, type OutgoingBroadcast, type UserBroadcastPush, type Vsn } from './protocol.ts';
import type { ChannelRegistry, Subscriber, TopicHub } from './registry.ts';
import { checkToken, tokenOf } from './tokens.ts';

/** What a channel asks of the postgres_changes extension. */
export interface ChangeFeed {
	/** Registers the channel's subscriptions; returns the join reply entries or an error per entry. */
	subscribe(owner: ChangeListener, params: unknown[], claims: Claims): Promise<{ replies: Record<string, unknown>[]; errors: string[] }>;
	updateClaims(owner: ChangeListener, claims: Claims): void;
	unsubscribe(owner: ChangeListener): void;
	readonly ready: boolean;
}

export interface ChangeListener {
	deliverChange(ids: number[], data: string): void;
}

/** What a channel needs of the service around it. */
export interface RealtimeServer {
	ctx: RuntimeContext;
	db: Sql;
	registry: ChannelRegistry;
	changes: ChangeFeed;
	limits: Limits;
	log(line: string): void;
}

/** What a channel needs of its socket. */
export interface SocketPort {
	readonly vsn: Vsn;
	readonly keyJwt: string;
	readonly channelCount: number;
	send(text: string): void;
	deliver(frame: Encoded): void;
	reply(topic: string, joinRef: string | null, ref: string | null, status: 'ok' | 'error', response: unknown): void;
	/** Called when a channel ends, so the socket forgets it. */
	forget(channel: Channel): void;
	/** Counts one client event against the socket's rate limit; false when over it. */
	countEvent(): boolean;
}

type JoinConfig = {
	selfBroadcast: boolean;
	ackBroadcast: boolean;
	presenceKey: string;
	presenceEnabled: boolean;
	isPrivate: boolean;
	postgresChanges: unknown[];
};

const asRecord = (value: unknown): Record<string, unknown> =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
/** Supabase's FlexibleBoolean: true, or the string "true" in any case. */
const flag = (value: unknown) => value === true || (typeof value === 'string' && value.toLowerCase() === 'true');

function parseConfig(payload: Record<string, unknown>): JoinConfig {
	const config = asRecord(payload.config);
	const broadcast = asRecord(config.broadcast);
	const presence = asRecord(config.presence);
	const key = presence.key;
	return {
		selfBroadcast: flag(broadcast.self),
		ackBroadcast: flag(broadcast.ack),
		presenceKey: typeof key === 'string' && key ? key : typeof key === 'number' ? String(key) : crypto.randomUUID(),
		presenceEnabled: flag(presence.enabled),
		isPrivate: flag(config.private),
		postgresChanges: Array.isArray(config.postgres_changes) ? config.postgres_changes.filter((p) => p != null) : []
	};
}

interface Replayed {
	id: string;
	event: string;
	payload: unknown;
	binary: Buffer | null;
}

/** The last `limit` (at most 25) broadcasts stored for a private topic since `since` (ms), oldest first. */
async function fetchReplay(db: Sql, topic: string, since: number, limit: number): Promise<Replayed[]> {
	const rows = await db`select id, event, payload, binary_payload from realtime.messages
		where topic = ${topic} and private is true and extension = 'broadcast'
		and inserted_at >= (to_timestamp(${since / 1000}) at time zone 'utc') and inserted_at < now() + interval '1 minute'
		order by inserted_at desc limit ${Math.max(1, Math.min(25, limit))}`;
	return rows.reverse().map((r) => ({ id: r.id as string, event: (r.event as string) ?? '', payload: r.payload, binary: (r.binary_payload as Buffer) ?? null }));
}

const TOKEN_RECHECK_MS = 5 * 60_000;

/**
 * The `system` message of a channel closed over its token: Supabase's own text for expired,
 * malformed and incomplete tokens, and the bare error term (`:signature_error`) otherwise.
 */
function shutdownReason(checked: { code: string; message: string }): string {
	if (checked.code === 'JwtSignatureError') return ':signature_error';
	return checked.message;
}
/** Supabase's default `max_channels_per_client`. */
const MAX_CHANNELS_PER_SOCKET = 100;

export class Channel implements Subscriber, ChangeListener {
	readonly vsn: Vsn;
	readonly joinTopic: string;
	readonly subTopic: string;
	readonly joinRef: string | null;
	broadcastRead = true;
	/** Ids of stored messages replayed at join, not to be delivered twice. */
	replayedIds: Set<string> | null = null;
	private server: RealtimeServer;
	private socket: SocketPort;
	private config: JoinConfig;
	private hub: TopicHub | null = null;
	private policies: Policies | null = null;
	private token = '';
	private claims: Claims = {};
	private expiryTimer: NodeJS.Timeout | null = null;
	private closed = false;

	private constructor(server: RealtimeServer, socket: SocketPort, frame: Frame, config: JoinConfig) {
		this.server = server;
		this.socket = socket;
		this.vsn = socket.vsn;
		this.joinTopic = frame.topic;
		this.subTopic = frame.topic.slice('realtime:'.length);
		this.joinRef = frame.joinRef ?? frame.ref;
		this.config = config;
	}

	get isPrivate() {
		return this.config.isPrivate;
	}

	/**
	 * Handles `phx_join`: checks the token, authorises private topics, subscribes, and
	 * replies. Returns the channel, or null when the join was refused (already replied).
	 */
	static async join(server: RealtimeServer, socket: SocketPort, frame: Frame): Promise<Channel | null> {
		const refuse = (reason: string) => {
			socket.reply(frame.topic, frame.joinRef ?? frame.ref, frame.ref, 'error', { reason });
			return null;
		};
		if (frame.topic === 'realtime:') return refuse('TopicNameRequired: You must provide a topic name');
		if (socket.channelCount >= MAX_CHANNELS_PER_SOCKET) return refuse('ChannelRateLimitReached: Too many channels');
		const payload = asRecord(frame.payload);
		const channel = new Channel(server, socket, frame, parseConfig(payload));
		const token = tokenOf(payload.access_token ?? payload.user_token, socket.keyJwt);
		const checked = await checkToken(server.ctx, token);
		if (!checked.ok) return refuse(`${checked.code}: ${checked.message}`);
		channel.token = token;
		channel.claims = checked.claims;
		if (channel.config.isPrivate) {
			const verdict = await channel.authorize();
			if (verdict) return refuse(verdict);
		}
		const replay = asRecord(asRecord(payload.config).broadcast).replay;
		let replayed: Replayed[] = [];
		if (replay !== undefined && replay !== null) {
			if (!channel.config.isPrivate) return refuse('UnableToReplayMessages: Replay is not allowed for public channels');
			if (!channel.policies?.broadcastRead) return refuse(`Unauthorized: You do not have permissions to read from this Channel topic: ${channel.subTopic}`);
			const { since, limit } = asRecord(replay);
			if (!Number.isInteger(since) || (limit !== undefined && !Number.isInteger(limit))) {
				return refuse('UnableToReplayMessages: Replay params are not valid');
			}
			try {
				replayed = await fetchReplay(server.db, channel.subTopic, since as number, (limit as number | undefined) ?? 25);
			} catch {
				return refuse('UnableToReplayMessages: Realtime was unable to replay messages');
			}
			channel.replayedIds = new Set(replayed.map((m) => m.id));
		}
		const changes = await server.changes.subscribe(channel, channel.config.postgresChanges, channel.claims);
		channel.hub = server.registry.join(channel.subTopic, channel.config.isPrivate, channel);
		channel.scheduleExpiry(checked.exp);
		socket.reply(frame.topic, channel.joinRef, frame.ref, 'ok', { postgres_changes: changes.replies });
		for (const message of replayed) {
			const meta = { replayed: true, id: message.id };
			if (message.binary) {
				channel.deliver(encodeBroadcast(channel.vsn, channel.joinTopic, { kind: 'user', event: message.event, encoding: 'binary', data: message.binary, meta }));
			} else {
				channel.push('broadcast', { payload: message.payload, event: message.event, type: 'broadcast', meta });
			}
		}
		if (channel.config.presenceEnabled && channel.presenceReadable()) channel.push('presence_state', channel.hub.presence.state());
		if (asRecord(asRecord(payload.config).broadcast).replication_ready === true) {
			if (server.changes.ready) channel.system('system', 'ok', 'Replication connection established');
			else channel.shutdown('Replication connection was not established in time');
		}
		if (channel.config.postgresChanges.length > 0) {
			if (changes.errors.length > 0) {
				for (const error of changes.errors) channel.system('postgres_changes', 'error', error);
			} else {
				channel.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
			}
		}
		return channel;
	}

	/** Evaluates RLS for a private topic; returns a refusal reason or null. */
	private async authorize(): Promise<string | null> {
		try {
			this.policies = await authorizeTopic(this.server.db, this.subTopic, this.claims);
		} catch (error) {
			this.server.log(`[realtime] RlsPolicyError on ${this.subTopic}: ${(error as Error).message}`);
			return `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
		}
		this.broadcastRead = this.policies.broadcastRead;
		// Presence read counts only where presence is enabled (Supabase leaves it unevaluated otherwise).
		if (!this.policies.broadcastRead && !(this.config.presenceEnabled && this.policies.presenceRead)) {
			return `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
		}
		return null;
	}

	private presenceReadable(): boolean {
		return !this.config.isPrivate || (this.policies?.presenceRead ?? false);
	}

	/**
	 * Whether presence diffs reach this channel: on a public topic always (Supabase fans them
	 * out to every subscriber, presence enabled or not); on a private one once presence is
	 * enabled (at join or by a track) and RLS lets it read presence.
	 */
	presenceListening(): boolean {
		return !this.config.isPrivate || (this.config.presenceEnabled && this.presenceReadable());
	}

	deliver(frame: Encoded) {
		this.socket.deliver(frame);
	}

	deliverChange(ids: number[], data: string) {
		if (this.closed) return;
		const payload = `{"ids":${JSON.stringify(ids)},"data":${data}}`;
		const topic = JSON.stringify(this.joinTopic);
		const text =
			this.vsn === '2.0.0'
				? `[null,null,${topic},"postgres_changes",${payload}]`
				: `{"join_ref":null,"ref":null,"topic":${topic},"event":"postgres_changes","payload":${payload}}`;
		this.socket.send(text);
	}

	push(event: string, payload: unknown) {
		this.socket.send(encodeText(this.vsn, { joinRef: this.joinRef, ref: null, topic: this.joinTopic, event, payload }));
	}

	system(extension: string, status: 'ok' | 'error', message: string) {
		this.push('system', { extension, status, message, channel: this.subTopic });
	}

	private reply(frame: { ref: string | null }, status: 'ok' | 'error', response: unknown = {}) {
		if (frame.ref !== null) this.socket.reply(this.joinTopic, this.joinRef, frame.ref, status, response);
	}

	/** A broadcast pushed by the client, as a JSON message or a v2 binary frame. */
	handleBroadcast(frame: Frame | UserBroadcastPush) {
		if (!this.socket.countEvent()) return this.shutdown('Too many messages per second');
		let message: OutgoingBroadcast;
		let size: number;
		if ('userEvent' in frame) {
			if (frame.encoding === 'json') {
				try {
					JSON.parse(frame.data.toString('utf8'));
				} catch {
					return this.reply(frame, 'error', { reason: 'MalformedWebSocketMessage: broadcast payload is not valid JSON' });
				}
			}
			message = { kind: 'user', event: frame.userEvent, encoding: frame.encoding, data: frame.data, meta: null };
			size = frame.data.length;
		} else {
			const payload = frame.payload;
			if (!payload || typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload)) {
				return this.reply(frame, 'error', { reason: 'Broadcast payload must be an object' });
			}
			message = { kind: 'json', payload: payload as Record<string, unknown> };
			size = Buffer.byteLength(JSON.stringify((payload as Record<string, unknown>).payload ?? null));
		}
		// Without write permission on a private topic the message is dropped with no reply, as on Supabase.
		if (this.config.isPrivate && !this.policies?.broadcastWrite) return;
		if (size > this.server.limits.maxPayloadBytes) {
			// Supabase drops it; only an ack'ing channel hears why (the reply's response is a bare string).
			if (this.config.ackBroadcast) this.reply(frame, 'error', 'payload_size_exceeded');
			return;
		}
		this.hub?.broadcast(message, this.config.selfBroadcast ? null : this);
		if (this.config.ackBroadcast) this.reply(frame, 'ok');
	}

	/** `presence` messages: track / untrack. */
	handlePresence(frame: Frame) {
		if (!this.socket.countEvent()) return this.shutdown('Too many messages per second');
		const payload = asRecord(frame.payload);
		const event = typeof payload.event === 'string' ? payload.event.toLowerCase() : '';
		if (event === 'track') {
			const data = payload.payload ?? {};
			if (!data || typeof data !== 'object' || Array.isArray(data)) {
				return this.reply(frame, 'error', { reason: 'Presence track payload must be a map' });
			}
			if (Buffer.byteLength(JSON.stringify(data)) > this.server.limits.maxPayloadBytes) {
				return this.shutdown('Track message size exceeded');
			}
			// Refused as Supabase refuses it: an error reply with an empty response.
			if (this.config.isPrivate && !this.policies?.presenceWrite) return this.reply(frame, 'error', {});
			this.config.presenceEnabled = true;
			this.hub?.track(this, this.config.presenceKey, data as Record<string, unknown>);
			return this.reply(frame, 'ok');
		}
		if (event === 'untrack') {
			this.hub?.untrack(this);
			return this.reply(frame, 'ok');
		}
		// A presence message without an event is acknowledged and ignored; an unknown event is an
		// error with an empty response (Supabase logs `UnknownPresenceEvent`).
		if (payload.event === undefined) return this.reply(frame, 'ok');
		this.server.log(`[realtime] ${this.joinTopic}: UnknownPresenceEvent ${event}`);
		this.reply(frame, 'error', {});
	}

	/** `access_token`: re-checks the new token, re-authorises, or closes the channel. */
	async handleAccessToken(frame: Frame) {
		const token = asRecord(frame.payload).access_token;
		// An empty string is checked (and refused as malformed), as Supabase does.
		if (typeof token !== 'string' || token.startsWith('sb_') || token === this.token) return;
		const checked = await checkToken(this.server.ctx, token);
		if (this.closed) return;
		if (!checked.ok) return this.shutdown(shutdownReason(checked));
		const previous = this.policies;
		this.token = token;
		this.claims = checked.claims;
		if (this.config.isPrivate) {
			const verdict = await this.authorize();
			if (this.closed) return;
			if (verdict) return this.shutdown(verdict.replace(/^Unauthorized: /, ''));
			const now = this.policies!;
			if ((previous?.broadcastRead && !now.broadcastRead) || (previous?.presenceRead && !now.presenceRead)) {
				return this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
			}
		}
		this.server.changes.updateClaims(this, this.claims);
		this.scheduleExpiry(checked.exp);
	}

	private scheduleExpiry(exp: number) {
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		const inMs = Math.max(0, exp * 1000 - Date.now());
		this.expiryTimer = setTimeout(() => void this.confirmToken(), Math.min(TOKEN_RECHECK_MS, inMs + 50));
		this.expiryTimer.unref();
	}

	private async confirmToken() {
		if (this.closed) return;
		const checked = await checkToken(this.server.ctx, this.token);
		if (this.closed) return;
		if (!checked.ok) return this.shutdown(shutdownReason(checked));
		this.scheduleExpiry(checked.exp);
	}

	/** Ends the channel with a `system` error and `phx_close`, as Supabase's shutdown does. */
	shutdown(message: string) {
		if (this.closed) return;
		this.system('system', 'error', message);
		this.close(true);
	}

	/** Leaves the topic; `notify` sends `phx_close` to the client. */
	close(notify: boolean) {
		if (this.closed) return;
		this.closed = true;
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		this.hub?.leave(this);
		this.hub = null;
		this.server.changes.unsubscribe(this);
		this.socket.forget(this);
		if (notify) {
			this.socket.send(encodeText(this.vsn, { joinRef: this.joinRef, ref: this.joinRef, topic: this.joinTopic, event: 'phx_close', payload: {} }));
		}
	}
}
