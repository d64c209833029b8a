/**
 * The replication side of postgres_changes: the tables of the `supabase_realtime`
 * publication read from logical replication (pgoutput on a temporary slot), so only
 * committed transactions are seen and tables added to the publication later are picked
 * up by themselves. It reconnects with back-off, confirms the WAL it has read, and hands
 * on each committed transaction in commit order, the next waiting for the one before.
 */
import postgres, { type Sql } from 'postgres';
import { parsePgOutput, type Relation, type Tuple } from './pgoutput.ts';

export const PUBLICATION = 'supabase_realtime';

export type ChangeAction = 'INSERT' | 'UPDATE' | 'DELETE';

/** One row change of a committed transaction; `relation` as the stream knew it at commit. */
export interface RowChange {
	relation: Relation | undefined;
	action: ChangeAction;
	old: Tuple | null;
	tuple: Tuple | null;
}

export interface ReplicationStreamOptions {
	dbUrl: string;
	log(line: string): void;
	/** A new slot was started: what was cached about types and tables may be stale. */
	restarted(): void;
	/** A Relation message: the definition of that table may have changed. */
	relationChanged(relationId: number): void;
	/** Whether anyone listens; transactions are not handed on otherwise. */
	hasSubscribers(): boolean;
	/** A committed transaction with its changes. */
	transaction(commitTime: Date, changes: RowChange[]): Promise<void>;
}

export class ReplicationStream {
	ready = false;
	private options: ReplicationStreamOptions;
	private log: (line: string) => void;
	private relations = new Map<number, Relation>();
	private repl: Sql | null = null;
	private stopped = false;
	private pendingTx: { commitTime: Date; changes: { relationId: number; action: ChangeAction; old: Tuple | null; tuple: Tuple | null }[] } | null = null;
	private chain: Promise<void> = Promise.resolve();
	private lastLsn = 0n;
	private statusTimer: NodeJS.Timeout | null = null;
	private reconnectTimer: NodeJS.Timeout | null = null;
	private failures = 0;
	private write: ((chunk: Buffer) => void) | null = null;

	constructor(options: ReplicationStreamOptions) {
		this.options = options;
		this.log = options.log;
	}

	/** Starts the slot; a failure is logged once and retried with back-off. */
	async start() {
		if (this.stopped) return;
		await this.connect().then(
			() => {
				this.failures = 0;
			},
			(error) => {
				if (this.failures++ === 0) this.log(`[realtime] postgres_changes: replication not started (retrying): ${(error as Error).message}`);
				this.scheduleReconnect();
			}
		);
	}

	private scheduleReconnect() {
		if (this.stopped || this.reconnectTimer) return;
		this.reconnectTimer = setTimeout(
			() => {
				this.reconnectTimer = null;
				void this.start();
			},
			Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6))
		);
		this.reconnectTimer.unref();
	}

	private async connect() {
		const repl = postgres(this.options.dbUrl, {
			max: 1,
			fetch_types: false,
			idle_timeout: 0,
			max_lifetime: null,
			onnotice: () => {},
			connection: { application_name: 'supabase_local_realtime_replication', replication: 'database' } as Record<string, string>
		});
		this.repl = repl;
		const slot = `supabase_local_realtime_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
		const [created] = await repl.unsafe(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
		const stream = await repl
			.unsafe(`START_REPLICATION SLOT ${slot} LOGICAL ${created.consistent_point} (proto_version '1', publication_names '${PUBLICATION}')`)
			.writable();
		this.relations.clear();
		this.options.restarted();
		this.write = (chunk) => stream.write(chunk);
		stream.on('data', (data: Buffer) => this.onData(data));
		stream.on('error', (error: Error) => this.log(`[realtime] postgres_changes: replication stream: ${error.message}`));
		stream.on('close', () => {
			this.ready = false;
			this.write = null;
			if (this.repl === repl) {
				this.repl = null;
				void repl.end({ timeout: 1 }).catch(() => {});
			}
			this.scheduleReconnect();
		});
		if (this.stopped) {
			await repl.end({ timeout: 1 }).catch(() => {});
			return;
		}
		this.statusTimer ??= setInterval(() => this.sendStatus(false), 10_000);
		this.statusTimer.unref();
		this.ready = true;
	}

	/** Ends replication and waits for the transaction being handed on. */
	async stop() {
		this.stopped = true;
		if (this.statusTimer) clearInterval(this.statusTimer);
		if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
		const repl = this.repl;
		this.repl = null;
		if (repl) await repl.end({ timeout: 1 }).catch(() => {});
		await this.chain;
	}

	private sendStatus(reply: boolean) {
		if (!this.write || this.lastLsn === 0n) return;
		const frame = Buffer.alloc(34);
		frame[0] = 0x72; // r
		frame.writeBigUInt64BE(this.lastLsn, 1);
		frame.writeBigUInt64BE(this.lastLsn, 9);
		frame.writeBigUInt64BE(this.lastLsn, 17);
		frame.writeBigInt64BE(BigInt(Date.now() - Date.UTC(2000, 0, 1)) * 1000n, 25);
		frame[33] = reply ? 1 : 0;
		this.write(frame);
	}

	private onData(data: Buffer) {
		if (data[0] === 0x6b /* k: keepalive */) {
			const walEnd = data.readBigUInt64BE(1);
			if (walEnd > this.lastLsn && !this.pendingTx) this.lastLsn = walEnd;
			if (data[17]) this.sendStatus(false);
			return;
		}
		if (data[0] !== 0x77 /* w: XLogData */) return;
		const message = parsePgOutput(data.subarray(25));
		switch (message.tag) {
			case 'begin':
				this.pendingTx = { commitTime: message.commitTime, changes: [] };
				break;
			case 'relation':
				this.relations.set(message.relation.id, message.relation);
				this.options.relationChanged(message.relation.id);
				break;
			case 'insert':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'INSERT', old: null, tuple: message.tuple });
				break;
			case 'update':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'UPDATE', old: message.old, tuple: message.tuple });
				break;
			case 'delete':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'DELETE', old: message.old, tuple: null });
				break;
			case 'commit': {
				const tx = this.pendingTx;
				this.pendingTx = null;
				this.lastLsn = message.endLsn;
				if (tx && tx.changes.length > 0 && this.options.hasSubscribers()) {
					// Relations are captured now: a later Relation message may replace them.
					const captured = tx.changes.map((c) => ({ ...c, relation: this.relations.get(c.relationId) }));
					this.chain = this.chain
						.then(() => this.options.transaction(tx.commitTime, captured))
						.catch((error) => this.log(`[realtime] postgres_changes: ${(error as Error).stack ?? error}`));
				}
				break;
			}
		}
	}
}
