/**
 * The load generator the HTTP benchmarks share: `clients` concurrent loops calling `once`
 * for `seconds` after a one-second warm-up that is not counted, with latency percentiles.
 */

export interface Figures {
	requests: number;
	errors: number;
	/** Completed calls per second. */
	rps: number;
	p50: number;
	p99: number;
}

export function percentile(sorted: number[], p: number): number {
	if (!sorted.length) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Figures from raw latencies (ms) over `seconds`. */
export function figures(latencies: number[], errors: number, seconds: number): Figures {
	const sorted = [...latencies].sort((a, b) => a - b);
	return { requests: sorted.length, errors, rps: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Raw latencies (ms) and errors of one slice of load, and how long it ran (s). */
export interface Slice {
	latencies: number[];
	errors: number;
	seconds: number;
}

/** `clients` loops calling `once` for `ms`; `counter` numbers the calls across slices. */
export async function loadSlice(clients: number, ms: number, once: (n: number, client: number) => Promise<boolean>, counter = { n: 0 }): Promise<Slice> {
	const latencies: number[] = [];
	let errors = 0;
	const started = performance.now();
	const end = started + ms;
	await Promise.all(
		Array.from({ length: clients }, async (_, client) => {
			while (performance.now() < end) {
				const t0 = performance.now();
				const ok = await once(counter.n++, client).catch(() => false);
				latencies.push(performance.now() - t0);
				if (!ok) errors++;
			}
		})
	);
	return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

/** Figures over several slices of the same target. */
export function figuresOf(slices: Slice[]): Figures {
	return figures(
		slices.flatMap((s) => s.latencies),
		slices.reduce((sum, s) => sum + s.errors, 0),
		slices.reduce((sum, s) => sum + s.seconds, 0)
	);
}

/**
 * Runs `once(n, client)` from `clients` loops; `n` counts calls across all loops, `client`
 * is the loop's index. A call that throws or answers false counts as an error.
 */
export async function load(clients: number, seconds: number, once: (n: number, client: number) => Promise<boolean>): Promise<Figures> {
	let counter = 0;
	const run = async (ms: number) => {
		const latencies: number[] = [];
		let errors = 0;
		const end = performance.now() + ms;
		await Promise.all(
			Array.from({ length: clients }, async (_, client) => {
				while (performance.now() < end) {
					const t0 = performance.now();
					const ok = await once(counter++, client).catch(() => false);
					latencies.push(performance.now() - t0);
					if (!ok) errors++;
				}
			})
		);
		return { latencies, errors };
	};
	await run(1000);
	const started = performance.now();
	const { latencies, errors } = await run(seconds * 1000);
	return figures(latencies, errors, (performance.now() - started) / 1000);
}
