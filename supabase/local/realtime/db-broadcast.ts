/**
 * Broadcast from the database: `realtime.send()` / `realtime.broadcast_changes()` write a
 * `realtime.messages` row and `pg_notify` it; PostgreSQL delivers the notification only
 * after commit. Here the notifications are turned into broadcasts on the topic's private
 * or public hub, in the order they were committed, carrying `meta.id` as Supabase does.
 */
import type { Sql } from 'postgres';
import type { OutgoingBroadcast } from './protocol.ts';
import type { ChannelRegistry } from './registry.ts';

export const NOTIFY_CHANNEL = 'supabase_realtime_broadcast';

interface Note {
	id: string;
	topic: string;
	event: string | null;
	private: boolean;
	payload?: unknown;
	binary?: string;
	fetch?: boolean;
}

export interface DbBroadcastOptions {
	db: Sql;
	registry: ChannelRegistry;
	maxPayloadBytes: number;
	log(line: string): void;
}

/** Listens for database broadcasts; returns a function that stops listening. */
export async function listenForDbBroadcasts(options: DbBroadcastOptions): Promise<() => Promise<void>> {
	let chain: Promise<void> = Promise.resolve();
	const handle = async (text: string) => {
		const note = JSON.parse(text) as Note;
		let payload = note.payload;
		let binary = note.binary !== undefined ? Buffer.from(note.binary, 'base64') : null;
		if (note.fetch) {
			const [row] = await options.db`select payload, binary_payload from realtime.messages where id = ${note.id}`;
			if (!row) return;
			payload = row.payload;
			binary = row.binary_payload ?? null;
		}
		const hub = options.registry.get(note.topic, note.private === true);
		if (!hub) return;
		const data = binary ?? Buffer.from(JSON.stringify(payload ?? null));
		if (data.length > options.maxPayloadBytes) {
			options.log(`[realtime] database broadcast on ${note.topic} dropped: payload exceeds ${options.maxPayloadBytes} bytes`);
			return;
		}
		const message: OutgoingBroadcast = {
			kind: 'user',
			event: note.event ?? '',
			encoding: binary ? 'binary' : 'json',
			data,
			meta: { id: note.id }
		};
		hub.broadcast(message);
	};
	const { unlisten } = await options.db.listen(NOTIFY_CHANNEL, (text) => {
		chain = chain.then(() => handle(text)).catch((error) => options.log(`[realtime] database broadcast: ${(error as Error).message}`));
	});
	return async () => {
		await unlisten().catch(() => {});
		await chain;
	};
}
