/**
 * The REST service's connections to PostgreSQL: a fixed number of wire connections, used
 * two ways.
 *
 * - `shared()`: a request whose whole transaction is one pipeline (settings, statement,
 *   Sync) may queue behind others on the same connection. Each pipeline ends with its own
 *   Sync, so each is still its own transaction; what is shared is the socket, and with it
 *   the system calls and wake-ups that dominate a small request's cost. Requests of one
 *   event-loop turn join one write on a connection that was idle at the turn's start (up
 *   to GATHER_MAX); otherwise an idle connection is preferred, so under light load every
 *   request has one to itself, and only when none is idle does a pipeline queue behind
 *   older ones, on the least busy connection.
 * - `acquire()` / `release()`: a request that must look at an answer before it ends its
 *   transaction (BEGIN … COMMIT or ROLLBACK) gets a connection to itself, with nothing
 *   queued before or after it until it is released.
 */
import { WireConnection, type WireOptions } from './wire.ts';

/** No connection became free in time. */
export class WirePoolTimeout extends Error {
	code = 'POOL_TIMEOUT';
}

/** Pipelines one turn's write may carry on one connection. */
const GATHER_MAX = 8;

interface Waiter {
	exclusive: boolean;
	resolve: (c: WireConnection) => void;
}

export class WirePool {
	private conns: WireConnection[] = [];
	private exclusive = new Set<WireConnection>();
	/** A connection set aside for an exclusive waiter: it takes no new pipelines. */
	private draining: WireConnection | null = null;
	private waiting: Waiter[] = [];
	private size: number;
	private options: WireOptions;
	private acquireTimeoutMs: number;
	private ended = false;

	constructor(url: string, size: number, applicationName = 'postgrest', acquireTimeoutMs = 10_000, socketPath?: string) {
		this.acquireTimeoutMs = acquireTimeoutMs;
		const u = new URL(url);
		this.options = {
			host: u.hostname,
			port: Number(u.port || 5432),
			user: decodeURIComponent(u.username),
			password: decodeURIComponent(u.password),
			database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
			applicationName,
			...(socketPath ? { socketPath } : {})
		};
		this.size = size;
	}

	/** A connection to send one single-Sync pipeline on. Nothing to release. */
	shared(): Promise<WireConnection> {
		return this.take(false);
	}

	/** A connection for this caller alone, until `release`. */
	acquire(): Promise<WireConnection> {
		return this.take(true);
	}

	release(c: WireConnection) {
		this.exclusive.delete(c);
		this.dispatch();
	}

	end() {
		this.ended = true;
		for (const c of this.conns) c.end();
		this.conns = [];
		this.exclusive.clear();
		this.draining = null;
	}

	private take(exclusive: boolean): Promise<WireConnection> {
		const found = this.find(exclusive);
		if (found) return Promise.resolve(found);
		// Every connection busy: wait, but not forever (PostgREST's db-pool-acquisition-timeout).
		return new Promise((resolve, reject) => {
			const waiter: Waiter = {
				exclusive,
				resolve: (c) => {
					clearTimeout(timer);
					resolve(c);
				}
			};
			const timer = setTimeout(() => {
				this.waiting = this.waiting.filter((w) => w !== waiter);
				reject(new WirePoolTimeout());
			}, this.acquireTimeoutMs);
			this.waiting.push(waiter);
			if (exclusive) this.drainOne();
		});
	}

	/** A connection for the caller now, or null if it has to wait. */
	private find(exclusive: boolean): WireConnection | null {
		this.prune();
		let best: WireConnection | null = null;
		// Pipelines arriving in the same event-loop turn join one write on a connection that
		// was idle at the turn's start: one system call and one wake-up of its backend for
		// several requests, and nothing older queued ahead of them.
		if (!exclusive) {
			for (const c of this.conns) if (c.gathering && c.inFlight < GATHER_MAX && !this.exclusive.has(c) && c !== this.draining) return c;
		}
		for (const c of this.conns) {
			if (this.exclusive.has(c) || c === this.draining) continue;
			if (!best || c.inFlight < best.inFlight) best = c;
		}
		if (best && best.inFlight === 0) return this.hand(best, exclusive);
		if (this.conns.length < this.size) return this.hand(this.open(), exclusive);
		// No idle connection: a shared pipeline queues on the least busy one, unless an
		// exclusive caller is already waiting (it would otherwise never see one go idle).
		if (!exclusive && best && !this.waiting.some((w) => w.exclusive)) return best;
		return null;
	}

	private hand(c: WireConnection, exclusive: boolean): WireConnection {
		if (exclusive) this.exclusive.add(c);
		return c;
	}

	private open(): WireConnection {
		const c = new WireConnection(this.options);
		c.onIdle = () => this.dispatch();
		this.conns.push(c);
		return c;
	}

	/** Connections that broke are dropped (a reset, a restart); new ones open on demand. */
	private prune() {
		if (!this.conns.some((c) => c.closed)) return;
		for (const c of this.conns) if (c.closed) this.exclusive.delete(c);
		if (this.draining?.closed) this.draining = null;
		this.conns = this.conns.filter((c) => !c.closed);
	}

	/** Sets the least busy shared connection aside, so it goes idle for an exclusive waiter. */
	private drainOne() {
		this.prune();
		if (this.draining || this.conns.length < this.size) return;
		let best: WireConnection | null = null;
		for (const c of this.conns) if (!this.exclusive.has(c) && (!best || c.inFlight < best.inFlight)) best = c;
		this.draining = best;
	}

	/** Hands idle connections to waiters, in order. */
	private dispatch() {
		if (this.ended) return;
		while (this.waiting.length) {
			const next = this.waiting[0];
			if (next.exclusive && this.draining && this.draining.inFlight === 0 && !this.draining.closed) {
				const c = this.draining;
				this.draining = null;
				this.waiting.shift();
				this.exclusive.add(c);
				next.resolve(c);
				continue;
			}
			const found = this.find(next.exclusive);
			if (!found) {
				if (next.exclusive) this.drainOne();
				return;
			}
			this.waiting.shift();
			next.resolve(found);
		}
		// Nobody waits for the set-aside connection any more: back into use.
		if (this.draining && !this.waiting.some((w) => w.exclusive)) this.draining = null;
	}
}
