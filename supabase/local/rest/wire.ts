/**
 * A minimal PostgreSQL client for one job: send several parameterised statements and a
 * single Sync, so they run in one implicit transaction in one round trip, the way
 * PostgREST's pipeline mode does. postgres.js ends every query with its own Sync (one
 * transaction boundary each), which costs a `begin` and a `commit` per request on top.
 *
 * Only what the REST service needs: startup with SCRAM-SHA-256 / MD5 / cleartext
 * passwords (`wire-auth.ts`), the extended protocol with text parameters of unspecified
 * type (PostgreSQL infers them; the bytes in `wire-codec.ts`), statements prepared once per
 * connection, text results.
 */
import { connect, type Socket } from 'node:net';
import { PasswordAuth, WireAuthError } from './wire-auth.ts';
import { encodePipeline, parseFields, startupMessage, Writer } from './wire-codec.ts';

export interface WireStatement {
	text: string;
	params: (string | number | null)[];
}

export type WireRow = Record<string, string | null>;

/** An ErrorResponse from the server, with PostgreSQL's field names as postgres.js has them. */
export class WireError extends Error {
	code: string;
	detail?: string;
	hint?: string;
	severity?: string;
	constructor(fields: Record<string, string>) {
		super(fields.M ?? 'unknown error');
		this.code = fields.C ?? 'XX000';
		if (fields.D !== undefined) this.detail = fields.D;
		if (fields.H !== undefined) this.hint = fields.H;
		this.severity = fields.S;
	}
}

/** The connection broke (or never opened): PostgREST answers 503 for these. */
export class WireConnectionError extends Error {
	code = 'CONNECTION_CLOSED';
}

interface Pending {
	results: { rows: WireRow[]; error: WireError | null }[];
	expected: number;
	resolve: (r: { rows: WireRow[]; error: WireError | null }[]) => void;
	reject: (e: Error) => void;
}

export interface WireOptions {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	applicationName?: string;
	/** A Unix socket path to connect through instead of host and port. */
	socketPath?: string;
	/** Prepared statements kept per connection before falling back to unnamed ones. */
	maxPrepared?: number;
}

export class WireConnection {
	private socket: Socket | null = null;
	private buffer: Buffer = Buffer.alloc(0);
	private queue: Pending[] = [];
	/**
	 * Statements prepared on this connection, by text. `ready` once a pipeline that parsed
	 * it got past it; until then later pipelines (sent before that answer came) parse it
	 * unnamed, as they cannot know yet whether it will exist.
	 */
	private prepared = new Map<string, { name: string; ready: boolean }>();
	/** Called whenever the last pipeline in flight has been answered (or the connection broke). */
	onIdle: (() => void) | null = null;
	/** Writes of one event-loop turn leave in one system call. */
	private corked = false;
	/** This turn's first pipeline found the connection idle (see `gathering`). */
	private idleAtTurn = false;
	private counter = 0;
	private ready: Promise<void> | null = null;
	private onStartup: ((message: { type: string; body: Buffer }) => void) | null = null;
	private options: WireOptions;
	closed = false;

	constructor(options: WireOptions) {
		this.options = options;
	}

	private open(): Promise<void> {
		this.ready ??= new Promise<void>((resolve, reject) => {
			const socket = this.options.socketPath ? connect({ path: this.options.socketPath }) : connect({ host: this.options.host, port: this.options.port });
			socket.setNoDelay(true);
			this.socket = socket;
			let started = false;
			const fail = (error: Error) => {
				this.closed = true;
				if (!started) reject(error);
				for (const p of this.queue.splice(0)) p.reject(new WireConnectionError(error.message));
				this.onIdle?.();
			};
			socket.on('error', (error) => fail(new WireConnectionError(error.message)));
			socket.on('close', () => fail(new WireConnectionError('connection closed')));
			socket.on('data', (chunk: Buffer) => this.receive(chunk));
			socket.once('connect', () => {
				const { user, database, applicationName = 'postgrest' } = this.options;
				socket.write(startupMessage({ user, database, application_name: applicationName, client_encoding: 'UTF8' }));
			});
			const auth = new PasswordAuth(this.options.user, this.options.password);
			this.onStartup = (m) => {
				if (m.type === 'E') {
					socket.destroy();
					reject(new WireError(parseFields(m.body)));
				} else if (m.type === 'Z') {
					started = true;
					this.onStartup = null;
					resolve();
				} else if (m.type === 'R') {
					auth.reply(m.body).then(
						(answer) => {
							if (answer) socket.write(answer);
						},
						(error: Error) => {
							socket.destroy();
							reject(error instanceof WireAuthError ? new WireConnectionError(error.message) : error);
						}
					);
				}
			};
		});
		return this.ready;
	}

	private pendingChunks: Buffer[] = [];
	private pendingSize = 0;
	/** Bytes needed before the next message is complete (0: unknown yet). */
	private need = 0;

	private receive(chunk: Buffer) {
		// Large results arrive in many chunks: gather them until the message is whole, then
		// join once (joining on every chunk would copy the growing buffer each time).
		this.pendingChunks.push(chunk);
		this.pendingSize += chunk.length;
		if (this.need && this.pendingSize < this.need) return;
		this.buffer = this.pendingChunks.length === 1 ? this.pendingChunks[0] : Buffer.concat(this.pendingChunks, this.pendingSize);
		this.pendingChunks = [];
		this.pendingSize = 0;
		let offset = 0;
		while (this.buffer.length - offset >= 5) {
			const length = this.buffer.readInt32BE(offset + 1);
			if (this.buffer.length - offset < length + 1) break;
			const type = String.fromCharCode(this.buffer[offset]);
			const body = this.buffer.subarray(offset + 5, offset + 1 + length);
			offset += length + 1;
			if (this.onStartup) this.onStartup({ type, body });
			else this.message(type, body);
		}
		const rest = this.buffer.subarray(offset);
		this.buffer = Buffer.alloc(0);
		this.need = rest.length >= 5 ? rest.readInt32BE(1) + 1 : 0;
		if (rest.length) {
			this.pendingChunks.push(rest);
			this.pendingSize = rest.length;
		}
	}

	private columns: string[] = [];
	private current: { rows: WireRow[]; error: WireError | null } | null = null;

	private message(type: string, body: Buffer) {
		const pending = this.queue[0];
		switch (type) {
			case 'T': {
				const n = body.readInt16BE(0);
				const names: string[] = [];
				let at = 2;
				for (let i = 0; i < n; i++) {
					const end = body.indexOf(0, at);
					names.push(body.toString('utf8', at, end));
					at = end + 1 + 18;
				}
				this.columns = names;
				return;
			}
			case 'D': {
				const n = body.readInt16BE(0);
				const row: WireRow = {};
				let at = 2;
				for (let i = 0; i < n; i++) {
					const len = body.readInt32BE(at);
					at += 4;
					if (len < 0) row[this.columns[i]] = null;
					else {
						row[this.columns[i]] = body.toString('utf8', at, at + len);
						at += len;
					}
				}
				this.current ??= { rows: [], error: null };
				this.current.rows.push(row);
				return;
			}
			case 'C':
			case 'I':
				pending?.results.push(this.current ?? { rows: [], error: null });
				this.current = null;
				this.columns = [];
				return;
			case 'E': {
				const error = new WireError(parseFields(body));
				// A failed statement: it and every later one in this pipeline report the error.
				if (pending) while (pending.results.length < pending.expected) pending.results.push({ rows: [], error });
				this.current = null;
				return;
			}
			case 'Z':
				if (pending) {
					this.queue.shift();
					pending.resolve(pending.results);
					if (!this.queue.length) this.onIdle?.();
				}
				return;
			default:
				// ParseComplete, BindComplete, NoData, ParameterStatus, Notice, Notification …
				return;
		}
	}

	/**
	 * Sends the statements followed by one Sync: they run in one implicit transaction (unless
	 * one of them is BEGIN). Each result is the statement's rows, or the error that stopped
	 * the pipeline at or before it.
	 */
	async run(statements: WireStatement[]): Promise<{ rows: WireRow[]; error: WireError | null }[]> {
		if (this.closed) throw new WireConnectionError('connection closed');
		await this.open();
		const parsedNow: { text: string; index: number }[] = [];
		const names = statements.map((s, index) => {
			const known = this.prepared.get(s.text);
			if (known) return { name: known.ready ? known.name : '', parse: !known.ready };
			if (this.prepared.size >= (this.options.maxPrepared ?? 500)) return { name: '', parse: true };
			const name = `pgrst_${++this.counter}`;
			this.prepared.set(s.text, { name, ready: false });
			parsedNow.push({ text: s.text, index });
			return { name, parse: true };
		});
		const pipeline = encodePipeline(statements, names);
		const results = await new Promise<{ rows: WireRow[]; error: WireError | null }[]>((resolve, reject) => {
			this.queue.push({ results: [], expected: statements.length, resolve, reject });
			this.write(pipeline);
		});
		// After an error the server skipped the rest of the pipeline, so statements parsed at
		// or after the failed one may not exist: forget them (they get new names next time).
		const failedAt = results.findIndex((r) => r.error);
		for (const { text, index } of parsedNow) {
			if (failedAt !== -1 && index >= failedAt) this.prepared.delete(text);
			else this.prepared.get(text)!.ready = true;
		}
		return results;
	}

	/**
	 * Whether a pipeline sent now would share this turn's write behind only pipelines of this
	 * same turn: the connection was idle when the turn began and the write has not left yet.
	 */
	get gathering(): boolean {
		return this.corked && this.idleAtTurn;
	}

	/** Pipelines queued but not yet answered. */
	get inFlight(): number {
		return this.queue.length;
	}

	private write(buffer: Buffer) {
		const socket = this.socket!;
		if (!this.corked) {
			// Pipelines of several requests sent in the same turn share one write.
			this.corked = true;
			this.idleAtTurn = this.queue.length === 1;
			socket.cork();
			setImmediate(() => {
				this.corked = false;
				socket.uncork();
			});
		}
		socket.write(buffer);
	}

	end() {
		this.closed = true;
		if (this.socket && !this.socket.destroyed) {
			const w = new Writer();
			w.message('X', Buffer.alloc(0));
			this.socket.end(w.take());
		}
	}
}
