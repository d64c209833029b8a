/**
 * Running one request's statements in one transaction, in one round trip: `begin`, the
 * settings (role, claims, request.*), the optional pre-request function, the statement
 * and `commit` are written to a reserved connection together (postgres.js pipelines
 * queries issued on one connection before their answers arrive). When the answer decides
 * between commit and rollback (single-object writes, max-affected), the end of the
 * transaction waits for it instead.
 */
import postgres, { type Options, type Sql } from 'postgres';
import type { Statement } from './query.ts';

/**
 * A pool of single-connection clients. Each request takes one client for itself, so the
 * statements it sends queue on one connection and travel together. (postgres.js's own
 * `reserve()` can stall when the connection it hands out is still opening.)
 */
export class ConnectionPool {
	private idle: Sql[] = [];
	private all: Sql[] = [];
	private waiting: ((sql: Sql) => void)[] = [];
	constructor(url: string, size: number, options: Options<Record<string, postgres.PostgresType>>) {
		for (let i = 0; i < size; i++) {
			const sql = postgres(url, { ...options, max: 1 }) as unknown as Sql;
			this.all.push(sql);
			this.idle.push(sql);
		}
	}
	acquire(): Promise<Sql> {
		const sql = this.idle.pop();
		if (sql) return Promise.resolve(sql);
		return new Promise((resolve) => this.waiting.push(resolve));
	}
	release(sql: Sql) {
		const next = this.waiting.shift();
		if (next) next(sql);
		else this.idle.push(sql);
	}
	async end(timeout = 2) {
		await Promise.all(this.all.map((sql) => sql.end({ timeout }).catch(() => {})));
	}
}

export interface TxOptions {
	readOnly: boolean;
	setup: Statement[];
	main: Statement;
	/** Extra statements after the main one (planned counts). */
	after?: Statement[];
	/** Given the main statement's rows: an error means roll back and fail. */
	decide?: (rows: Row[]) => Error | null;
}

export type Row = Record<string, unknown>;

export interface TxResult {
	rows: Row[];
	after: Row[][];
}

export async function runTransaction(pool: ConnectionPool, options: TxOptions): Promise<TxResult> {
	const conn = await pool.acquire();
	let clean = false;
	try {
		const queries = [
			conn.unsafe(options.readOnly ? 'begin isolation level read committed read only' : 'begin isolation level read committed read write'),
			...options.setup.map((s) => conn.unsafe(s.text, s.params as never[])),
			conn.unsafe(options.main.text, options.main.params as never[]),
			...(options.after ?? []).map((s) => conn.unsafe(s.text, s.params as never[]))
		];
		const mainIndex = 1 + options.setup.length;
		if (!options.decide) queries.push(conn.unsafe('commit'));
		const settled = await Promise.allSettled(queries);
		const failed = settled.find((s) => s.status === 'rejected');
		if (failed) {
			if (options.decide) await conn.unsafe('rollback');
			clean = true;
			throw (failed as PromiseRejectedResult).reason;
		}
		const value = (i: number) => [...((settled[i] as PromiseFulfilledResult<Row[]>).value ?? [])];
		const rows = value(mainIndex);
		const after = (options.after ?? []).map((_, i) => value(mainIndex + 1 + i));
		if (options.decide) {
			const error = options.decide(rows);
			await conn.unsafe(error ? 'rollback' : 'commit');
			clean = true;
			if (error) throw error;
		}
		clean = true;
		return { rows, after };
	} finally {
		if (!clean) await conn.unsafe('rollback').catch(() => {});
		pool.release(conn);
	}
}
