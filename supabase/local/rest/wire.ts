/**
 * A minimal PostgreSQL client for one job: send several parameterised statements and a
 * single Sync, so they run in one implicit transaction in one round trip, the way
 * PostgREST's pipeline mode does. postgres.js ends every query with its own Sync (one
 * transaction boundary each), which costs a `begin` and a `commit` per request on top.
 *
 * Only what the REST service needs: startup with SCRAM-SHA-256 / MD5 / cleartext
 * passwords, the extended protocol with text parameters of unspecified type (PostgreSQL
 * infers them), statements prepared once per connection, text results.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

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

class Writer {
	private parts: Buffer[] = [];
	message(type: string, body: Buffer) {
		const header = Buffer.alloc(5);
		header.write(type, 0, 'latin1');
		header.writeInt32BE(body.length + 4, 1);
		this.parts.push(header, body);
	}
	take(): Buffer {
		const out = Buffer.concat(this.parts);
		this.parts = [];
		return out;
	}
}

const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int32 = (n: number) => {
	const b = Buffer.alloc(4);
	b.writeInt32BE(n);
	return b;
};

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
				const params = Buffer.concat([
					int32(196608),
					cstr('user'),
					cstr(this.options.user),
					cstr('database'),
					cstr(this.options.database),
					cstr('application_name'),
					cstr(this.options.applicationName ?? 'postgrest'),
					cstr('client_encoding'),
					cstr('UTF8'),
					Buffer.from([0])
				]);
				socket.write(Buffer.concat([int32(params.length + 4), params]));
			});
			let scram: { nonce: string; clientFirstBare: string; serverSignature?: Buffer } | null = null;
			this.onStartup = (m) => {
				void (async () => {
					if (m.type === 'E') {
						const error = new WireError(parseFields(m.body));
						socket.destroy();
						reject(error);
						return;
					}
					if (m.type === 'Z') {
						started = true;
						this.onStartup = null;
						resolve();
						return;
					}
					if (m.type !== 'R') return;
					const kind = m.body.readInt32BE(0);
					const w = new Writer();
					if (kind === 3) {
						w.message('p', cstr(this.options.password));
					} else if (kind === 5) {
						const salt = m.body.subarray(4, 8);
						const inner = createHash('md5').update(this.options.password + this.options.user).digest('hex');
						w.message('p', cstr('md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')));
					} else if (kind === 10) {
						const nonce = randomBytes(18).toString('base64');
						const clientFirstBare = `n=,r=${nonce}`;
						scram = { nonce, clientFirstBare };
						const data = Buffer.from(`n,,${clientFirstBare}`);
						w.message('p', Buffer.concat([cstr('SCRAM-SHA-256'), int32(data.length), data]));
					} else if (kind === 11 && scram) {
						const serverFirst = m.body.subarray(4).toString();
						const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
						if (!attrs.r?.startsWith(scram.nonce)) throw new WireConnectionError('SCRAM: server nonce mismatch');
						const salted = await pbkdf2Async(this.options.password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
						const clientKey = createHmac('sha256', salted).update('Client Key').digest();
						const storedKey = createHash('sha256').update(clientKey).digest();
						const finalWithoutProof = `c=biws,r=${attrs.r}`;
						const authMessage = `${scram.clientFirstBare},${serverFirst},${finalWithoutProof}`;
						const signature = createHmac('sha256', storedKey).update(authMessage).digest();
						const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
						const serverKey = createHmac('sha256', salted).update('Server Key').digest();
						scram.serverSignature = createHmac('sha256', serverKey).update(authMessage).digest();
						w.message('p', Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`));
					} else if (kind === 12 && scram) {
						const v = m.body.subarray(4).toString().replace(/^v=/, '');
						if (!scram.serverSignature || Buffer.from(v, 'base64').compare(scram.serverSignature) !== 0) {
							socket.destroy();
							reject(new WireConnectionError('SCRAM: server signature mismatch'));
						}
						return;
					} else if (kind === 0) {
						return;
					} else {
						socket.destroy();
						reject(new WireConnectionError(`unsupported authentication method ${kind}`));
						return;
					}
					socket.write(w.take());
				})().catch((error: Error) => {
					socket.destroy();
					reject(error);
				});
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

/**
 * Parse (where needed), Bind, Describe and Execute for each statement, then one Sync, written
 * into a single buffer: sizes are counted first, so a request costs one allocation here
 * rather than a few dozen small ones.
 */
function encodePipeline(statements: WireStatement[], names: { name: string; parse: boolean }[]): Buffer {
	const values: (string | null)[][] = [];
	let size = 5; // Sync
	statements.forEach((st, i) => {
		const { name, parse } = names[i];
		const nameBytes = Buffer.byteLength(name);
		if (parse) size += 5 + nameBytes + 1 + Buffer.byteLength(st.text) + 1 + 2;
		const texts = st.params.map((v) => (v === null ? null : String(v)));
		values.push(texts);
		size += 5 + 1 + nameBytes + 1 + 2 + 2 + 2;
		for (const t of texts) size += 4 + (t === null ? 0 : Buffer.byteLength(t));
		size += 5 + 2; // Describe portal ''
		size += 5 + 1 + 4; // Execute portal '', no row limit
	});
	const out = Buffer.allocUnsafe(size);
	let at = 0;
	const head = (type: number, length: number) => {
		out[at] = type;
		out.writeInt32BE(length, at + 1);
		at += 5;
	};
	const cstring = (s: string) => {
		at += out.write(s, at, 'utf8');
		out[at++] = 0;
	};
	statements.forEach((st, i) => {
		const { name, parse } = names[i];
		if (parse) {
			const start = at;
			head(0x50, 0); // P
			cstring(name);
			cstring(st.text);
			at = out.writeInt16BE(0, at);
			out.writeInt32BE(at - start - 1, start + 1);
		}
		const start = at;
		head(0x42, 0); // B
		out[at++] = 0; // portal ''
		cstring(name);
		at = out.writeInt16BE(0, at);
		at = out.writeInt16BE(values[i].length, at);
		for (const t of values[i]) {
			if (t === null) at = out.writeInt32BE(-1, at);
			else {
				const length = out.write(t, at + 4, 'utf8');
				out.writeInt32BE(length, at);
				at += 4 + length;
			}
		}
		at = out.writeInt16BE(0, at);
		out.writeInt32BE(at - start - 1, start + 1);
		head(0x44, 6); // D
		out[at++] = 0x50; // 'P'ortal
		out[at++] = 0;
		head(0x45, 9); // E
		out[at++] = 0;
		at = out.writeInt32BE(0, at);
	});
	head(0x53, 4); // S
	return out;
}

function parseFields(body: Buffer): Record<string, string> {
	const fields: Record<string, string> = {};
	let at = 0;
	while (at < body.length && body[at] !== 0) {
		const key = String.fromCharCode(body[at]);
		const end = body.indexOf(0, at + 1);
		fields[key] = body.toString('utf8', at + 1, end);
		at = end + 1;
	}
	return fields;
}
