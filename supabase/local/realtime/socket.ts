/**
 * One WebSocket connection speaking the Phoenix protocol: decodes frames, answers
 * heartbeats, routes channel events, enforces the per-socket limits, and replies with the
 * statuses realtime-js expects. Frames for a topic whose join (or token check) is still
 * running wait behind it, so a channel sees its messages in order.
 */
import type { WebSocket } from 'ws';
import { Channel, type RealtimeServer, type SocketPort } from './channel.ts';
import { RateCounter } from './limits.ts';
import { decodeBinary, decodeText, encodeReply, encodeText, ProtocolError, type Encoded, type Frame, type Incoming, type Vsn } from './protocol.ts';

export class RealtimeSocket implements SocketPort {
	readonly vsn: Vsn;
	readonly keyJwt: string;
	lastSeen = Date.now();
	private ws: WebSocket;
	private server: RealtimeServer;
	private channels = new Map<string, Channel>();
	/** Topics with an asynchronous step (join, token change) under way, and what waits on it. */
	private pending = new Map<string, Promise<void>>();
	private rate: RateCounter;
	private closed = false;

	constructor(server: RealtimeServer, ws: WebSocket, vsn: Vsn, keyJwt: string) {
		this.server = server;
		this.ws = ws;
		this.vsn = vsn;
		this.keyJwt = keyJwt;
		this.rate = new RateCounter(server.limits.maxEventsPerSecond);
		ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
		ws.on('close', () => this.onClose());
		ws.on('error', () => this.onClose());
	}

	get channelCount() {
		return this.channels.size;
	}

	send(text: string) {
		if (this.ws.readyState !== this.ws.OPEN) return;
		this.ws.send(text);
		this.checkBackpressure();
	}

	deliver(frame: Encoded) {
		if (!frame || this.ws.readyState !== this.ws.OPEN) return;
		this.ws.send(frame.data, { binary: frame.binary });
		this.checkBackpressure();
	}

	/** A client that stops reading would make the server buffer without end: drop it. */
	private checkBackpressure() {
		if (this.ws.bufferedAmount > this.server.limits.maxBufferedBytes) {
			this.close(1008, 'Client is not reading its messages fast enough');
		}
	}

	reply(topic: string, joinRef: string | null, ref: string | null, status: 'ok' | 'error', response: unknown) {
		this.send(encodeReply(this.vsn, topic, joinRef, ref, status, response));
	}

	forget(channel: Channel) {
		if (this.channels.get(channel.joinTopic) === channel) this.channels.delete(channel.joinTopic);
	}

	countEvent(): boolean {
		return this.rate.hit();
	}

	close(code: number, reason: string) {
		if (this.closed) return;
		this.ws.close(code, reason);
		// A peer that never answers the close handshake is cut off.
		setTimeout(() => this.ws.terminate(), 2000).unref();
		this.onClose();
	}

	private onClose() {
		if (this.closed) return;
		this.closed = true;
		for (const channel of [...this.channels.values()]) channel.close(false);
		this.channels.clear();
	}

	private onMessage(data: Buffer, isBinary: boolean) {
		this.lastSeen = Date.now();
		if (this.closed) return;
		let incoming: Incoming;
		try {
			if (isBinary) {
				if (this.vsn !== '2.0.0') throw new ProtocolError('binary frames need serializer 2.0.0');
				incoming = decodeBinary(data);
			} else {
				incoming = { kind: 'frame', frame: decodeText(this.vsn, data.toString('utf8')) };
			}
		} catch (error) {
			const reason = `MalformedWebSocketMessage: ${(error as Error).message}`;
			this.server.log(`[realtime] ${reason}`);
			if (!this.rate.hit()) return this.close(1008, 'Too many messages per second');
			if (error instanceof ProtocolError && error.topic !== null && error.ref !== null) {
				this.reply(error.topic, error.joinRef, error.ref, 'error', { reason });
			}
			return;
		}
		const topic = incoming.kind === 'frame' ? incoming.frame.topic : incoming.push.topic;
		const waiting = this.pending.get(topic);
		if (waiting) {
			this.queue(topic, waiting.then(() => this.route(incoming)));
		} else {
			const result = this.route(incoming);
			if (result) this.queue(topic, result);
		}
	}

	private queue(topic: string, work: Promise<void>) {
		const tracked = work.catch((error) => this.server.log(`[realtime] ${topic}: ${(error as Error).stack ?? error}`));
		this.pending.set(topic, tracked);
		void tracked.then(() => {
			if (this.pending.get(topic) === tracked) this.pending.delete(topic);
		});
	}

	/** Handles one message; returns a promise when the work is asynchronous. */
	private route(incoming: Incoming): Promise<void> | void {
		if (this.closed) return;
		if (incoming.kind === 'user_broadcast') {
			const push = incoming.push;
			const channel = this.channels.get(push.topic);
			if (!channel) return this.reply(push.topic, null, push.ref, 'error', { reason: 'unmatched topic' });
			return channel.handleBroadcast(push);
		}
		const frame = incoming.frame;
		if (frame.topic === 'phoenix' && frame.event === 'heartbeat') return this.reply('phoenix', null, frame.ref, 'ok', {});
		if (frame.event === 'phx_join') return this.join(frame);
		const channel = this.channels.get(frame.topic);
		if (!channel) {
			// Phoenix: a leave for a topic not joined is acknowledged; anything else is
			// answered "unmatched topic" (that reply carries no join_ref).
			if (frame.event === 'phx_leave') return this.reply(frame.topic, frame.joinRef, frame.ref, 'ok', {});
			return this.reply(frame.topic, null, frame.ref, 'error', { reason: 'unmatched topic' });
		}
		// A message for an earlier join of this topic is stale: Phoenix drops it without a reply.
		if (frame.joinRef !== null && channel.joinRef !== null && frame.joinRef !== channel.joinRef) return;
		switch (frame.event) {
			case 'phx_leave':
				this.reply(frame.topic, channel.joinRef, frame.ref, 'ok', {});
				return channel.close(true);
			case 'broadcast':
				return channel.handleBroadcast(frame);
			case 'presence':
				return channel.handlePresence(frame);
			case 'access_token':
				return channel.handleAccessToken(frame);
			default:
				// Supabase counts and logs an unexpected event, and sends no reply.
				if (!this.countEvent()) return channel.shutdown('Too many messages per second');
				this.server.log(`[realtime] ${frame.topic}: Unexpected message from client of type \`${frame.event}\``);
				return;
		}
	}

	private async join(frame: Frame): Promise<void> {
		if (!frame.topic.startsWith('realtime:')) {
			return this.reply(frame.topic, null, frame.ref, 'error', { reason: 'unmatched topic' });
		}
		// Joining a topic again replaces the earlier channel, as Phoenix does.
		this.channels.get(frame.topic)?.close(true);
		const channel = await Channel.join(this.server, this, frame);
		if (!channel) return;
		if (this.closed) return channel.close(false);
		this.channels.set(frame.topic, channel);
	}

	/** Pushes a message outside any channel reply (used by the service on shutdown). */
	pushRaw(frame: Frame) {
		this.send(encodeText(this.vsn, frame));
	}
}
