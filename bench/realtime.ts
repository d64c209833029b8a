/**
 * Realtime benchmark, on loopback (`npm run bench:realtime`):
 *
 * - broadcast latency between two supabase-js clients (p50/p95/p99) with 2, 200 and 1,000
 *   sockets connected and joined (the extra ones are raw protocol sockets on another topic);
 * - fan-out throughput: messages delivered per second to 1,000 subscribers of one topic;
 * - postgres_changes latency, from the INSERT statement to the client (commit included);
 * - the server's memory per 1,000 sockets;
 * - and, in the same run, the same latency and fan-out over a bare `ws` relay: the floor.
 *
 * Servers run in child processes (bench/realtime-server.ts) so their memory is their own.
 * Prints a table and writes bench/results/realtime.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import postgres from 'postgres';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const FANOUT_MESSAGES = Number(process.env.BENCH_FANOUT_MESSAGES ?? 100);
const PG_CHANGES = Number(process.env.BENCH_PG_CHANGES ?? 200);
const SIZES = [2, 200, 1000];

interface Child {
	info: Record<string, string>;
	mem(): Promise<{ rss: number; heapUsed: number; external: number }>;
	stop(): Promise<void>;
}

function startChild(args: string[]): Promise<Child> {
	const child: ChildProcess = fork(path.join(here, 'realtime-server.ts'), args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
	const waiters: ((m: Record<string, unknown>) => boolean)[] = [];
	child.on('message', (m) => {
		const i = waiters.findIndex((w) => w(m as Record<string, unknown>));
		if (i >= 0) waiters.splice(i, 1);
	});
	const wait = <T>(key: string) =>
		new Promise<T>((resolve) =>
			waiters.push((m) => {
				if (!(key in m)) return false;
				resolve(m as T);
				return true;
			})
		);
	return wait<Record<string, string>>('ready').then((info) => ({
		info,
		mem: async () => {
			child.send({ mem: true });
			return (await wait<{ mem: { rss: number; heapUsed: number; external: number } }>('mem')).mem;
		},
		stop: async () => {
			child.send({ stop: true });
			await new Promise((r) => child.once('exit', r));
		}
	}));
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
function summarise(samples: number[], lost: number) {
	const sorted = [...samples].sort((a, b) => a - b);
	return { n: samples.length, lost, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}
type Summary = ReturnType<typeof summarise>;

// ---- raw protocol sockets (the bulk) --------------------------------------------------------

function openSocket(url: string): Promise<WebSocket> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { perMessageDeflate: false });
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	});
}

/** Connects `count` raw v2 protocol sockets joined to `topic`; counts the frames each receives. */
async function bulkRealtime(url: string, anonKey: string, count: number, topic: string, counter: { frames: number }) {
	const sockets: WebSocket[] = [];
	const wsUrl = `${url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${anonKey}&vsn=2.0.0`;
	for (let start = 0; start < count; start += 50) {
		const batch = await Promise.all(
			Array.from({ length: Math.min(50, count - start) }, async () => {
				const ws = await openSocket(wsUrl);
				const joined = new Promise<void>((resolve) => {
					ws.once('message', () => resolve());
				});
				ws.send(JSON.stringify(['1', '1', `realtime:${topic}`, 'phx_join', { config: { broadcast: { self: false }, presence: { enabled: false }, postgres_changes: [], private: false } }]));
				await joined;
				ws.on('message', () => counter.frames++);
				return ws;
			})
		);
		sockets.push(...batch);
	}
	const heartbeat = setInterval(() => {
		for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]));
	}, 20_000);
	return {
		sockets,
		close: () => {
			clearInterval(heartbeat);
			for (const ws of sockets) ws.terminate();
		}
	};
}

async function bulkRelay(url: string, count: number, room: string, counter: { frames: number }) {
	const sockets: WebSocket[] = [];
	for (let start = 0; start < count; start += 50) {
		const batch = await Promise.all(
			Array.from({ length: Math.min(50, count - start) }, async () => {
				const ws = await openSocket(url);
				ws.send(room);
				ws.on('message', () => counter.frames++);
				return ws;
			})
		);
		sockets.push(...batch);
	}
	await new Promise((r) => setTimeout(r, 200));
	return { sockets, close: () => sockets.forEach((ws) => ws.terminate()) };
}

// ---- measured pairs ---------------------------------------------------------------------

/** Sends `count` messages one at a time and awaits each at the receiver. */
async function pingLoop(count: number, send: (t: number) => void, onReceive: (cb: (t: number) => void) => void): Promise<Summary> {
	const samples: number[] = [];
	let lost = 0;
	let pending: ((t: number) => void) | null = null;
	onReceive((t) => pending?.(t));
	for (let i = 0; i < count + 50; i++) {
		const t0 = performance.now();
		const got = await new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => resolve(false), 1000);
			pending = (t) => {
				if (t !== t0) return;
				clearTimeout(timer);
				resolve(true);
			};
			send(t0);
		});
		if (i < 50) continue; // warm-up
		if (got) samples.push(performance.now() - t0);
		else lost++;
	}
	return summarise(samples, lost);
}

function sbClient(url: string, anonKey: string, token?: string): SupabaseClient {
	const client = createClient(url, anonKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		...(token ? { accessToken: async () => token } : {}),
		realtime: { vsn: '2.0.0', logger: () => {} }
	});
	if (token) void client.realtime.setAuth(token);
	return client;
}

function joinChannel(client: SupabaseClient, name: string, setup: (c: ReturnType<SupabaseClient['channel']>) => void) {
	const channel = client.channel(name);
	setup(channel);
	return new Promise<ReturnType<SupabaseClient['channel']>>((resolve, reject) => {
		channel.subscribe((status, err) => {
			if (status === 'SUBSCRIBED') resolve(channel);
			else if (status !== 'CLOSED') reject(err ?? new Error(status));
		});
	});
}

async function realtimePair(url: string, anonKey: string) {
	const a = sbClient(url, anonKey);
	const b = sbClient(url, anonKey);
	let receive: (t: number) => void = () => {};
	await joinChannel(b, 'bench', (c) => c.on('broadcast', { event: 'ping' }, (m) => receive(m.payload.t)));
	const out = await joinChannel(a, 'bench', () => {});
	return {
		measure: (count: number) =>
			pingLoop(
				count,
				(t) => void out.send({ type: 'broadcast', event: 'ping', payload: { t } }),
				(cb) => (receive = cb)
			),
		close: async () => {
			await a.removeAllChannels();
			await b.removeAllChannels();
		}
	};
}

async function relayPair(url: string) {
	const a = await openSocket(url);
	const b = await openSocket(url);
	a.send('bench');
	b.send('bench');
	await new Promise((r) => setTimeout(r, 100));
	let receive: (t: number) => void = () => {};
	b.on('message', (data) => receive(JSON.parse(String(data)).payload.t));
	return {
		measure: (count: number) =>
			pingLoop(
				count,
				(t) => a.send(JSON.stringify({ type: 'broadcast', event: 'ping', payload: { t } })),
				(cb) => (receive = cb)
			),
		close: async () => {
			a.terminate();
			b.terminate();
		}
	};
}

async function fanout(send: (i: number) => void, counter: { frames: number }, subscribers: number, messages: number) {
	counter.frames = 0;
	const expected = subscribers * messages;
	const t0 = performance.now();
	for (let i = 0; i < messages; i++) send(i);
	const deadline = t0 + 30_000;
	while (counter.frames < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
	const seconds = (performance.now() - t0) / 1000;
	return { subscribers, messages, delivered: counter.frames, lost: expected - counter.frames, perSecond: Math.round(counter.frames / seconds), seconds };
}

// ---- the run ----------------------------------------------------------------------------

async function makeProject(): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'bench-realtime-'));
	await mkdir(path.join(dir, 'supabase', 'migrations'), { recursive: true });
	await writeFile(path.join(dir, 'supabase', 'config.toml'), 'project_id = "bench-realtime"\n\n[realtime]\nmax_events_per_second = 1000000\n');
	await writeFile(
		path.join(dir, 'supabase', 'migrations', '20240101000000_bench.sql'),
		`create table public.bench_events (id bigint generated always as identity primary key, t double precision not null, owner_id uuid);
alter table public.bench_events enable row level security;
create policy "signed-in users see events" on public.bench_events for select to authenticated using (true);
alter publication supabase_realtime add table public.bench_events;\n`
	);
	return dir;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

async function main() {
	const project = await makeProject();
	const results: Record<string, unknown> = { when: new Date().toISOString(), messages: MESSAGES, fanoutMessages: FANOUT_MESSAGES };
	const latency: Record<string, { realtime: Summary; relay: Summary }> = {};
	let fanoutRealtime: Awaited<ReturnType<typeof fanout>> | null = null;
	let fanoutRelay: Awaited<ReturnType<typeof fanout>> | null = null;
	let memory: Record<string, number> = {};
	let pgChanges: Summary | null = null;

	// Bare ws relay: the floor.
	{
		const relay = await startChild(['relay']);
		const pair = await relayPair(relay.info.url);
		const counter = { frames: 0 };
		let bulk: Awaited<ReturnType<typeof bulkRelay>> | null = null;
		for (const size of SIZES) {
			bulk?.close();
			bulk = size > 2 ? await bulkRelay(relay.info.url, size - 2, 'fan', counter) : null;
			latency[size] = { realtime: undefined as unknown as Summary, relay: await pair.measure(MESSAGES) };
			process.stdout.write(`relay   ${size} sockets: p50 ${ms(latency[size].relay.p50)} ms\n`);
		}
		const sender = await openSocket(relay.info.url);
		sender.send('fan');
		await new Promise((r) => setTimeout(r, 100));
		fanoutRelay = await fanout((i) => sender.send(JSON.stringify({ type: 'broadcast', event: 'fan', payload: { i } })), counter, SIZES.at(-1)! - 2, FANOUT_MESSAGES);
		sender.terminate();
		bulk?.close();
		await pair.close();
		await relay.stop();
	}

	// The runtime.
	{
		const server = await startChild(['runtime', project]);
		const { url, anonKey, dbUrl, jwtSecret } = server.info;
		const pair = await realtimePair(url, anonKey);
		const counter = { frames: 0 };
		const before = await server.mem();
		let bulk: Awaited<ReturnType<typeof bulkRealtime>> | null = null;
		for (const size of SIZES) {
			bulk?.close();
			await new Promise((r) => setTimeout(r, 300));
			bulk = size > 2 ? await bulkRealtime(url, anonKey, size - 2, 'fan', counter) : null;
			if (size === SIZES.at(-1)) {
				const after = await server.mem();
				memory = {
					sockets: size - 2,
					rssDeltaMB: mb(after.rss - before.rss),
					heapDeltaMB: mb(after.heapUsed - before.heapUsed),
					rssTotalMB: mb(after.rss),
					heapPer1000MB: mb(((after.heapUsed + after.external - before.heapUsed - before.external) * 1000) / (size - 2))
				};
			}
			latency[size].realtime = await pair.measure(MESSAGES);
			process.stdout.write(`runtime ${size} sockets: p50 ${ms(latency[size].realtime.p50)} ms\n`);
		}
		{
			const fanClient = sbClient(url, anonKey);
			const fanChannel = await joinChannel(fanClient, 'fan', () => {});
			fanoutRealtime = await fanout((i) => void fanChannel.send({ type: 'broadcast', event: 'fan', payload: { i } }), counter, SIZES.at(-1)! - 2, FANOUT_MESSAGES);
			await fanClient.removeAllChannels();
		}
		bulk?.close();

		// postgres_changes: INSERT statement → client, through RLS, as a signed-in user.
		const now = Math.floor(Date.now() / 1000);
		const token = await new SignJWT({ role: 'authenticated', aud: 'authenticated', email: 'bench@example.test' })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setSubject(crypto.randomUUID())
			.setIssuedAt(now)
			.setExpirationTime(now + 3600)
			.sign(new TextEncoder().encode(jwtSecret));
		const watcher = sbClient(url, anonKey, token);
		let receive: (t: number) => void = () => {};
		await joinChannel(watcher, 'pg', (c) =>
			c.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bench_events' }, (p) => receive((p.new as { t: number }).t))
		);
		const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
		const samples: number[] = [];
		let lost = 0;
		for (let i = 0; i < PG_CHANGES + 20; i++) {
			const t0 = performance.now();
			const arrived = new Promise<boolean>((resolve) => {
				const timer = setTimeout(() => resolve(false), 2000);
				receive = (t) => {
					if (t === t0) {
						clearTimeout(timer);
						resolve(true);
					}
				};
			});
			await sql`insert into public.bench_events (t) values (${t0})`;
			const ok = await arrived;
			if (i < 20) continue;
			if (ok) samples.push(performance.now() - t0);
			else lost++;
		}
		pgChanges = summarise(samples, lost);
		await sql.end();
		await watcher.removeAllChannels();
		await pair.close();
		await server.stop();
	}
	await rm(project, { recursive: true, force: true });

	// ---- report ----
	const rows = SIZES.map((size) => {
		const r = latency[size].realtime;
		const f = latency[size].relay;
		return `| broadcast latency, ${String(size).padStart(4)} sockets | ${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)} ms (lost ${r.lost}) | ${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.p99)} ms (lost ${f.lost}) | ${(r.p50 / f.p50).toFixed(1)}× |`;
	});
	const table = [
		'| measure | runtime (p50 / p95 / p99) | bare ws relay (floor) | runtime ÷ floor (p50) |',
		'| --- | --- | --- | --- |',
		...rows,
		`| fan-out to ${fanoutRealtime!.subscribers} subscribers, ${FANOUT_MESSAGES} messages | ${fanoutRealtime!.perSecond.toLocaleString('en')} deliveries/s (lost ${fanoutRealtime!.lost}) | ${fanoutRelay!.perSecond.toLocaleString('en')} deliveries/s (lost ${fanoutRelay!.lost}) | ${(fanoutRealtime!.perSecond / fanoutRelay!.perSecond).toFixed(2)}× |`,
		`| postgres_changes, INSERT → client (RLS) | ${ms(pgChanges!.p50)} / ${ms(pgChanges!.p95)} / ${ms(pgChanges!.p99)} ms (lost ${pgChanges!.lost}) | – | – |`,
		`| server memory for ${memory.sockets} joined sockets | +${memory.rssDeltaMB} MB RSS, +${memory.heapDeltaMB} MB heap (${memory.heapPer1000MB} MB heap+external per 1,000); RSS total ${memory.rssTotalMB} MB | – | – |`
	].join('\n');
	console.log(`\nRealtime on loopback, ${MESSAGES} messages per latency run (sequential ping), Node ${process.version}\n`);
	console.log(table);
	Object.assign(results, { latency, fanout: { runtime: fanoutRealtime, relay: fanoutRelay }, postgresChanges: pgChanges, memory });
	await mkdir(path.join(here, 'results'), { recursive: true });
	await writeFile(path.join(here, 'results', 'realtime.json'), JSON.stringify(results, null, 2) + '\n');
	console.log('\nwritten: bench/results/realtime.json');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
