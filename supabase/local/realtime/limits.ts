/**
 * Per-socket limits: events a client may push per second (Supabase's
 * `max_events_per_second`) and the size of a message's payload (`max_payload_bytes`).
 */

/** Counts events in one-second windows; `hit()` is false once the window's budget is spent. */
export class RateCounter {
	private windowStart = 0;
	private count = 0;
	private readonly max: number;

	constructor(maxPerSecond: number) {
		this.max = maxPerSecond;
	}

	hit(now = Date.now()): boolean {
		if (now - this.windowStart >= 1000) {
			this.windowStart = now;
			this.count = 0;
		}
		this.count++;
		return this.count <= this.max;
	}
}

export interface Limits {
	maxEventsPerSecond: number;
	maxPayloadBytes: number;
	/** A socket that sends nothing (not even a heartbeat) for this long is closed. */
	heartbeatTimeoutMs: number;
	/** Bytes queued for a socket that does not read before it is dropped as too slow. */
	maxBufferedBytes: number;
}

/** The heartbeat timeout: Phoenix's 60 s idle timeout, overridable for tests and benches. */
export function heartbeatTimeoutMs(): number {
	const fromEnv = Number(process.env.SUPABASE_REALTIME_HEARTBEAT_TIMEOUT_MS);
	return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 60_000;
}
