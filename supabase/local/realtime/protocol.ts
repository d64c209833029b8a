/**
 * The Phoenix channel wire format as realtime-js speaks it, in both serializer versions:
 *
 * - `1.0.0`: every frame is a JSON object `{join_ref, ref, topic, event, payload}`.
 * - `2.0.0`: text frames are JSON arrays `[join_ref, ref, topic, event, payload]`; binary
 *   frames carry broadcasts. The client pushes kind 3 ("user broadcast push": header,
 *   join_ref, ref, topic, user event, metadata, then the JSON or binary user payload) and
 *   receives kind 4 ("user broadcast": header, topic, user event, metadata, payload).
 *
 * Outgoing broadcasts are described once ({@link OutgoingBroadcast}) and encoded at most once
 * per serializer, so a fan-out to a thousand sockets costs one encoding per version.
 */

export type Vsn = '1.0.0' | '2.0.0';

export interface Frame {
	joinRef: string | null;
	ref: string | null;
	topic: string;
	event: string;
	payload: unknown;
}

/** A broadcast pushed by a v2 client as a binary frame (kind 3). */
export interface UserBroadcastPush {
	joinRef: string | null;
	ref: string | null;
	topic: string;
	userEvent: string;
	encoding: 'json' | 'binary';
	/** The user payload: UTF-8 JSON text (encoding json) or raw bytes. */
	data: Buffer;
	metadata: Record<string, unknown> | null;
}

export type Incoming = { kind: 'frame'; frame: Frame } | { kind: 'user_broadcast'; push: UserBroadcastPush };

export class ProtocolError extends Error {
	/** Fields recovered from the broken frame, so an error can still be replied to. */
	readonly topic: string | null;
	readonly ref: string | null;
	readonly joinRef: string | null;
	constructor(message: string, recovered: { topic?: unknown; ref?: unknown; joinRef?: unknown } = {}) {
		super(message);
		this.topic = typeof recovered.topic === 'string' ? recovered.topic : null;
		this.ref = typeof recovered.ref === 'string' ? recovered.ref : null;
		this.joinRef = typeof recovered.joinRef === 'string' ? recovered.joinRef : null;
	}
}

const KIND_PUSH = 0;
const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;

const refOrNull = (value: unknown): string | null =>
	value === null || value === undefined ? null : typeof value === 'string' ? value : String(value);

function checkFields(topic: unknown, event: unknown, recovered: { topic?: unknown; ref?: unknown; joinRef?: unknown }) {
	if (typeof topic !== 'string' || typeof event !== 'string') {
		throw new ProtocolError('expected a message with a string topic and event', recovered);
	}
}

/** Decodes a text frame. Throws {@link ProtocolError} for anything that is not a message. */
export function decodeText(vsn: Vsn, text: string): Frame {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new ProtocolError(`invalid JSON: ${(error as Error).message}`);
	}
	if (vsn === '2.0.0') {
		if (!Array.isArray(parsed) || parsed.length < 5) {
			throw new ProtocolError('expected V2 array [join_ref, ref, topic, event, payload]');
		}
		const [joinRef, ref, topic, event, payload] = parsed;
		const recovered = { topic, ref, joinRef };
		checkFields(topic, event, recovered);
		return { joinRef: refOrNull(joinRef), ref: refOrNull(ref), topic: topic as string, event: event as string, payload };
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ProtocolError('expected V1 object {topic, event, payload, ref}');
	}
	const message = parsed as Record<string, unknown>;
	const recovered = { topic: message.topic, ref: message.ref, joinRef: message.join_ref };
	checkFields(message.topic, message.event, recovered);
	return {
		joinRef: refOrNull(message.join_ref),
		ref: refOrNull(message.ref),
		topic: message.topic as string,
		event: message.event as string,
		payload: message.payload
	};
}

/** Decodes a binary frame (serializer 2.0.0 only). */
export function decodeBinary(data: Buffer): Incoming {
	if (data.length < 1) throw new ProtocolError('empty binary frame');
	const kind = data[0];
	if (kind === KIND_USER_BROADCAST_PUSH) {
		if (data.length < 7) throw new ProtocolError('truncated user broadcast frame');
		const [joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = data.subarray(1, 7);
		let offset = 7;
		const take = (size: number) => {
			if (offset + size > data.length) throw new ProtocolError('truncated user broadcast frame');
			const part = data.subarray(offset, offset + size);
			offset += size;
			return part;
		};
		const joinRef = take(joinRefSize).toString('utf8');
		const ref = take(refSize).toString('utf8');
		const topic = take(topicSize).toString('utf8');
		const userEvent = take(eventSize).toString('utf8');
		const metaText = take(metaSize).toString('utf8');
		const recovered = { topic, ref, joinRef };
		let metadata: Record<string, unknown> | null = null;
		if (metaText) {
			try {
				const parsed = JSON.parse(metaText);
				metadata = parsed && typeof parsed === 'object' ? parsed : null;
			} catch {
				throw new ProtocolError('invalid JSON in broadcast metadata', recovered);
			}
		}
		if (encoding !== 0 && encoding !== 1) throw new ProtocolError(`unknown payload encoding ${encoding}`, recovered);
		return {
			kind: 'user_broadcast',
			push: {
				joinRef: joinRef || null,
				ref: ref || null,
				topic,
				userEvent,
				encoding: encoding === 1 ? 'json' : 'binary',
				data: Buffer.from(data.subarray(offset)),
				metadata
			}
		};
	}
	if (kind === KIND_PUSH) {
		if (data.length < 5) throw new ProtocolError('truncated push frame');
		const [joinRefSize, refSize, topicSize, eventSize] = data.subarray(1, 5);
		let offset = 5;
		const take = (size: number) => {
			if (offset + size > data.length) throw new ProtocolError('truncated push frame');
			const part = data.subarray(offset, offset + size).toString('utf8');
			offset += size;
			return part;
		};
		const joinRef = take(joinRefSize);
		const ref = take(refSize);
		const topic = take(topicSize);
		const event = take(eventSize);
		return {
			kind: 'frame',
			frame: { joinRef: joinRef || null, ref: ref || null, topic, event, payload: Buffer.from(data.subarray(offset)) }
		};
	}
	throw new ProtocolError(`unknown binary frame kind ${kind}`);
}

/** Encodes a server message as a text frame for the socket's serializer. */
export function encodeText(vsn: Vsn, frame: Frame): string {
	if (vsn === '2.0.0') return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
	return JSON.stringify({ join_ref: frame.joinRef, ref: frame.ref, topic: frame.topic, event: frame.event, payload: frame.payload });
}

export function encodeReply(vsn: Vsn, topic: string, joinRef: string | null, ref: string | null, status: 'ok' | 'error', response: unknown): string {
	return encodeText(vsn, { joinRef, ref, topic, event: 'phx_reply', payload: { status, response } });
}

/**
 * A broadcast on its way to subscribers. `json` carries an already-built payload
 * `{type, event, payload, meta?}`; `user` carries the user payload as bytes (JSON text or
 * binary) exactly as it arrived, so it is never parsed on the hot path.
 */
export type OutgoingBroadcast =
	| { kind: 'json'; payload: Record<string, unknown> }
	| { kind: 'user'; event: string; encoding: 'json' | 'binary'; data: Buffer; meta: Record<string, unknown> | null };

/** A fan-out payload as a text string or binary buffer; null when the serializer cannot carry it. */
export type Encoded = { data: Buffer; binary: boolean } | null;

export function encodeBroadcast(vsn: Vsn, joinTopic: string, message: OutgoingBroadcast): Encoded {
	if (message.kind === 'json') {
		const text = encodeText(vsn, { joinRef: null, ref: null, topic: joinTopic, event: 'broadcast', payload: message.payload });
		return { data: Buffer.from(text), binary: false };
	}
	if (vsn === '2.0.0') {
		const topic = Buffer.from(joinTopic);
		const event = Buffer.from(message.event);
		const meta = message.meta ? Buffer.from(JSON.stringify(message.meta)) : Buffer.alloc(0);
		if (topic.length > 255 || event.length > 255 || meta.length > 255) return null;
		const header = Buffer.from([KIND_USER_BROADCAST, topic.length, event.length, meta.length, message.encoding === 'json' ? 1 : 0]);
		return { data: Buffer.concat([header, topic, event, meta, message.data]), binary: true };
	}
	// Serializer 1.0.0 cannot carry binary payloads; JSON ones are spliced in as they came.
	if (message.encoding === 'binary') return null;
	const meta = message.meta ? `,"meta":${JSON.stringify(message.meta)}` : '';
	const payload = `{"event":${JSON.stringify(message.event)},"payload":${message.data.toString('utf8')},"type":"broadcast"${meta}}`;
	const text = `{"join_ref":null,"ref":null,"topic":${JSON.stringify(joinTopic)},"event":"broadcast","payload":${payload}}`;
	return { data: Buffer.from(text), binary: false };
}

/** Byte size of a broadcast's user payload, for the payload limit. */
export function broadcastSize(message: OutgoingBroadcast): number {
	if (message.kind === 'user') return message.data.length;
	return Buffer.byteLength(JSON.stringify(message.payload.payload ?? null));
}
