/**
 * Running one request's statements in one transaction, in one round trip: the settings
 * (role, claims, request.*, read-only), the optional pre-request function and the
 * statement are sent with a single Sync, so they form one implicit transaction (as
 * PostgREST's pipeline mode does). When the answer decides between commit and rollback
 * (single-object writes, max-affected), the pipeline opens with BEGIN and the end of the
 * transaction waits for the answer instead.
 */
import { WireConnectionError, type WireRow } from './wire.ts';
import type { WirePool } from './pool.ts';
import type { Statement } from './query.ts';

export interface TxOptions {
	setup: Statement[];
	main: Statement;
	/** Extra statements after the main one (planned counts). */
	after?: Statement[];
	/** Given the main statement's rows: an error means roll back and fail. */
	decide?: (rows: Row[]) => Error | null;
	/** End the transaction with a rollback (`Prefer: tx=rollback`, `db-tx-end`). */
	rollback?: boolean;
}

export type Row = WireRow;

export interface TxResult {
	rows: Row[];
	after: Row[][];
}

const BEGIN: Statement = { text: 'begin', params: [] };
const COMMIT: Statement = { text: 'commit', params: [] };
const ROLLBACK: Statement = { text: 'rollback', params: [] };

export async function runTransaction(pool: WirePool, options: TxOptions): Promise<TxResult> {
	// One pipeline may share its connection with others; one that waits for an answer
	// before it ends its transaction needs the connection to itself.
	const exclusive = Boolean(options.decide || options.rollback);
	const conn = exclusive ? await pool.acquire() : await pool.shared();
	try {
		const after = options.after ?? [];
		const statements = [...(exclusive ? [BEGIN] : []), ...options.setup, options.main, ...after];
		const results = await conn.run(statements);
		const failed = results.find((r) => r.error);
		const mainIndex = (exclusive ? 1 : 0) + options.setup.length;
		if (failed) {
			if (exclusive) await conn.run([ROLLBACK]);
			throw failed.error;
		}
		const rows = results[mainIndex].rows;
		const afterRows = after.map((_, i) => results[mainIndex + 1 + i].rows);
		if (exclusive) {
			const error = options.decide?.(rows) ?? null;
			const end = await conn.run([error || options.rollback ? ROLLBACK : COMMIT]);
			if (end[0]?.error) throw end[0].error;
			if (error) throw error;
		}
		return { rows, after: afterRows };
	} catch (error) {
		if (error instanceof WireConnectionError) conn.closed = true;
		throw error;
	} finally {
		if (exclusive) pool.release(conn);
	}
}
