/**
 * The channel registry: one {@link TopicHub} per topic (public and private topics of the
 * same name are distinct, as on Supabase), fanning messages out to the channels joined on
 * it. A hub lives only while something is joined or present, so memory follows the
 * sockets that are actually there.
 */
import { encodeBroadcast, encodeText, type Encoded, type OutgoingBroadcast, type Vsn } from './protocol.ts';
import { PresenceTracker, type PresenceDiff } from './presence.ts';

/** What the registry needs of a joined channel. */
export interface Subscriber {
	readonly vsn: Vsn;
	/** The topic as the client joined it: `realtime:<name>`. */
	readonly joinTopic: string;
	/** Whether this subscriber receives broadcasts (RLS `select` for private channels). */
	broadcastRead: boolean;
	/** Ids of stored messages already replayed to this subscriber. */
	replayedIds?: Set<string> | null;
	/** Whether this subscriber receives presence diffs (enabled, and RLS allows it). */
	presenceListening(): boolean;
	/** Writes an already-encoded frame to the subscriber's socket. */
	deliver(frame: Encoded): void;
}

export const hubKey = (subTopic: string, isPrivate: boolean) => (isPrivate ? `private:${subTopic}` : `public:${subTopic}`);

export class TopicHub {
	readonly key: string;
	readonly joinTopic: string;
	readonly subscribers = new Set<Subscriber>();
	readonly presence = new PresenceTracker<Subscriber>();
	private registry: ChannelRegistry;

	constructor(registry: ChannelRegistry, key: string, joinTopic: string) {
		this.registry = registry;
		this.key = key;
		this.joinTopic = joinTopic;
	}

	/** Sends a broadcast to every reader, except `from` when given (self: false). */
	broadcast(message: OutgoingBroadcast, from: Subscriber | null = null): number {
		let v1: Encoded | undefined;
		let v2: Encoded | undefined;
		let delivered = 0;
		const id = message.kind === 'user' ? message.meta?.id : undefined;
		for (const sub of this.subscribers) {
			if (sub === from || !sub.broadcastRead) continue;
			if (typeof id === 'string' && sub.replayedIds?.has(id)) continue;
			let frame: Encoded;
			if (sub.vsn === '2.0.0') frame = v2 === undefined ? (v2 = encodeBroadcast('2.0.0', this.joinTopic, message)) : v2;
			else frame = v1 === undefined ? (v1 = encodeBroadcast('1.0.0', this.joinTopic, message)) : v1;
			if (frame) {
				sub.deliver(frame);
				delivered++;
			}
		}
		return delivered;
	}

	/** Sends a presence diff to every subscriber listening to presence. */
	presenceDiff(diff: PresenceDiff) {
		let v1: Encoded | undefined;
		let v2: Encoded | undefined;
		for (const sub of this.subscribers) {
			if (!sub.presenceListening()) continue;
			const encode = (vsn: Vsn): Encoded => ({
				data: Buffer.from(encodeText(vsn, { joinRef: null, ref: null, topic: this.joinTopic, event: 'presence_diff', payload: diff })),
				binary: false
			});
			sub.deliver(sub.vsn === '2.0.0' ? (v2 ??= encode('2.0.0')) : (v1 ??= encode('1.0.0')));
		}
	}

	track(sub: Subscriber, key: string, payload: Record<string, unknown>) {
		const diff = this.presence.track(sub, key, payload);
		if (diff) this.presenceDiff(diff);
	}

	untrack(sub: Subscriber) {
		const diff = this.presence.untrack(sub);
		if (diff) this.presenceDiff(diff);
	}

	leave(sub: Subscriber) {
		this.subscribers.delete(sub);
		this.untrack(sub);
		if (this.subscribers.size === 0 && this.presence.size === 0) this.registry.drop(this);
	}
}

export class ChannelRegistry {
	private hubs = new Map<string, TopicHub>();

	get size(): number {
		return this.hubs.size;
	}

	join(subTopic: string, isPrivate: boolean, sub: Subscriber): TopicHub {
		const key = hubKey(subTopic, isPrivate);
		let hub = this.hubs.get(key);
		if (!hub) this.hubs.set(key, (hub = new TopicHub(this, key, `realtime:${subTopic}`)));
		hub.subscribers.add(sub);
		return hub;
	}

	get(subTopic: string, isPrivate: boolean): TopicHub | undefined {
		return this.hubs.get(hubKey(subTopic, isPrivate));
	}

	drop(hub: TopicHub) {
		if (this.hubs.get(hub.key) === hub) this.hubs.delete(hub.key);
	}
}
