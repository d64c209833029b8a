/**
 * Token buckets keyed by client IP (or e-mail address), as GoTrue's limiters: a bucket
 * holds up to `burst` requests and refills at `limit` per `periodMs`. Idle buckets are
 * dropped so memory stays bounded.
 */
export class RateLimiter {
	private readonly buckets = new Map<string, { tokens: number; at: number }>();
	private readonly burst: number;
	private readonly perMs: number;
	private readonly idleMs: number;

	constructor(limit: number, periodMs: number, burst: number = limit) {
		this.burst = Math.max(0, Math.floor(burst));
		this.perMs = limit > 0 ? limit / periodMs : 0;
		this.idleMs = Math.max(periodMs, 60 * 60 * 1000);
	}

	/** Takes one token for `key`; false when the bucket is empty. */
	take(key: string, now = Date.now()): boolean {
		let bucket = this.buckets.get(key);
		if (!bucket) {
			if (this.buckets.size >= 100_000) this.sweep(now);
			bucket = { tokens: this.burst, at: now };
			this.buckets.set(key, bucket);
		} else {
			bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
			bucket.at = now;
		}
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	private sweep(now: number) {
		for (const [key, bucket] of this.buckets) if (now - bucket.at > this.idleMs) this.buckets.delete(key);
		if (this.buckets.size >= 100_000) this.buckets.clear();
	}
}

/** A Go duration (`1s`, `60s`, `1m30s`, `500ms`) in milliseconds; null when unreadable. */
export function parseGoDuration(value: string): number | null {
	const text = value.trim();
	if (text === '0') return 0;
	const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
	const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
	let total = 0;
	let matched = 0;
	re.lastIndex = 0;
	for (;;) {
		const m = re.exec(text);
		if (!m) break;
		total += Number(m[1]) * units[m[2]];
		matched = re.lastIndex;
	}
	return matched === text.length && matched > 0 ? total : null;
}
