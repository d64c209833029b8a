/**
 * REST benchmark: 50 concurrent keep-alive clients on loopback against /rest/v1, each
 * scenario next to the same query sent straight to PostgreSQL through postgres.js in the
 * same run:
 *   (a) RLS-checked select by primary key as an authenticated user (owner-only notes)
 *   (b) select with one embedded resource (films → directors)
 *   (c) rpc call (add)
 *   (d) insert (notes, return=minimal)
 * For (a) also three references: the same transaction through postgres.js, the API's own
 * two statements pipelined through the runtime's wire client without HTTP (what
 * PostgREST's semantics cost PostgreSQL), and a bare node:http server (the HTTP floor).
 * The runtime runs in a child process (bench/support/api-server.mjs), so its RSS is the API
 * process's memory.
 * Prints a table and writes bench/results/rest.json.
 *
 *   npm run bench:rest [-- --seconds 5 --clients 50]
 */
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { SignJWT } from 'jose';
import { RUNTIME_NODE_FLAGS } from '../supabase/local/launch.mjs';
import { WireConnection } from '../supabase/local/rest/wire.ts';
import { figuresOf, loadSlice, type Figures, type Slice } from './support/load.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

interface ServerInfo {
	url: string;
	dbUrl: string;
	anonKey: string;
	serviceRoleKey: string;
	jwtSecret: string;
	pid: number;
}

await main();

// ---- the load generator -----------------------------------------------------------------

/** Every process below `pid` (PostgreSQL's postmaster and backends under the API process). */
function descendants(pid: number): number[] {
	const parents = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
		} catch {
			// The process ended while we looked.
		}
	}
	const out: number[] = [];
	const walk = (p: number) => {
		for (const [child, parent] of parents) {
			if (parent !== p) continue;
			out.push(child);
			walk(child);
		}
	};
	walk(pid);
	return out;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return 0;
	}
}

/** Sends a message to the API process and waits for the given answer. */
function ask(child: ChildProcess, message: Serializable, answer: string): Promise<void> {
	return new Promise((resolve) => {
		const onMessage = (m: unknown) => {
			if (m !== answer) return;
			child.off('message', onMessage);
			resolve();
		};
		child.on('message', onMessage);
		child.send(message);
	});
}

/** BENCH_SMAPS=1: the API process's resident memory by mapping, largest first. */
function printMappings(pid: number) {
	const sizes = new Map<string, number>();
	let name = '';
	for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
		const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (head) name = head[1] || '[anonymous]';
		const rss = /^Rss:\s+(\d+) kB/.exec(line);
		if (rss) sizes.set(name, (sizes.get(name) ?? 0) + Number(rss[1]));
	}
	for (const [n, kb] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${(kb / 1024).toFixed(1).padStart(8)} MB  ${n}`);
	if (process.env.BENCH_SMAPS === 'all') {
		// Each anonymous mapping's size and resident part: V8 spaces, malloc arenas, stacks.
		let head = '';
		for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
			if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) head = line;
			const rss = /^Rss:\s+(\d+) kB/.exec(line);
			if (rss && Number(rss[1]) > 1024 && !/\//.test(head)) {
				const [range] = head.split(' ');
				const [a, b] = range.split('-').map((h) => parseInt(h, 16));
				console.log(`    ${(Number(rss[1]) / 1024).toFixed(1).padStart(6)} MB of ${((b - a) / 1048576).toFixed(1).padStart(6)} MB mapped ${head.slice(0, 60)}`);
			}
		}
	}
}

function rssOf(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
	return kb / 1024;
}

async function main() {
	const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '50' } } });
	const seconds = Number(values.seconds);
	const clients = Number(values.clients);

	const child: ChildProcess = fork(path.join(here, 'support', 'api-server.mjs'), [path.join(root, 'tests/fixtures/rest')], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		// The flags `npm run supabase:start` runs the runtime with, unless BENCH_NODE_FLAGS says
		// otherwise (BENCH_NODE_FLAGS= with nothing: Node's defaults).
		execArgv: process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : RUNTIME_NODE_FLAGS
	});
	const info = await new Promise<ServerInfo>((resolve, reject) => {
		child.once('message', (m) => resolve(m as ServerInfo));
		child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
	});
	const sql = postgres(info.dbUrl, { max: 10, onnotice: () => {} });
	try {
		const userId = '5f0c3e1e-7a49-4e55-8b1f-0c1d2e3f4a5b';
		const now = Math.floor(Date.now() / 1000);
		const jwt = await new SignJWT({ sub: userId, role: 'authenticated', aud: 'authenticated', email: 'bench@example.test' })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setIssuedAt(now)
			.setExpirationTime(now + 3600)
			.sign(new TextEncoder().encode(info.jwtSecret));
		const noteIds = (await sql`insert into public.notes (owner_id, body) select ${userId}::uuid, 'note ' || g from generate_series(1, 1000) g returning id`).map((r) => Number(r.id));

		const agent = new Agent({ keepAlive: true, maxSockets: clients });
		const callTo = (url: URL) => (method: string, pathAndQuery: string, body?: string, extra: Record<string, string> = {}) =>
			new Promise<boolean>((resolve, reject) => {
				const req = request(
					{
						host: url.hostname,
						port: url.port,
						method,
						path: `/rest/v1${pathAndQuery}`,
						agent,
						headers: { apikey: info.anonKey, authorization: `Bearer ${jwt}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}), ...extra }
					},
					(res) => {
						res.resume();
						res.on('end', () => resolve((res.statusCode ?? 500) < 300));
					}
				);
				req.on('error', reject);
				req.end(body);
			});
		const call = callTo(new URL(info.url));

		// Direct references: the same statements through the driver (the superuser pool, as
		// an application would send them; the API adds role, claims and JSON shaping).
		const scenarios: { name: string; api: (i: number) => Promise<boolean>; direct: (i: number) => Promise<boolean> }[] = [
			{
				name: '(a) select by PK, RLS, authenticated',
				api: (i) => call('GET', `/notes?select=*&id=eq.${noteIds[i % noteIds.length]}`),
				direct: async (i) => (await sql`select id, owner_id, body from public.notes where id = ${noteIds[i % noteIds.length]}`).length === 1
			},
			{
				name: '(b) select with one embed',
				api: (i) => call('GET', `/films?select=title,directors(name)&id=eq.${(i % 4) + 1}`),
				direct: async (i) =>
					(await sql`select f.title, (select row_to_json(d) from (select name from public.directors where id = f.director_id) d) as directors from public.films f where f.id = ${(i % 4) + 1}`).length === 1
			},
			{
				name: '(c) rpc',
				api: (i) => call('POST', '/rpc/add', JSON.stringify({ a: i, b: 1 })),
				direct: async (i) => (await sql`select public.add(${i}, 1)`).length === 1
			},
			{
				name: '(d) insert',
				api: (i) => call('POST', '/notes', JSON.stringify({ body: `bench ${i}` }), { prefer: 'return=minimal' }),
				direct: async (i) => (await sql`insert into public.notes (owner_id, body) values (${userId}::uuid, ${`direct ${i}`})`).count === 1
			}
		];

		// A second reference for (a): the same work the API asks of PostgreSQL (begin, role and
		// claims, the statement, commit) pipelined through the driver on a reserved connection.
		const claims = JSON.stringify({ sub: userId, role: 'authenticated', aud: 'authenticated', email: 'bench@example.test' });
		const txReference = async (i: number) => {
			const [, , rows] = await sql.begin((tx) => [
				tx`select set_config('request.jwt.claims', ${claims}, true)`,
				tx`select set_config('role', 'authenticated', true)`,
				tx`select id, owner_id, body from public.notes where id = ${noteIds[i % noteIds.length]}`
			]);
			return rows.length === 1;
		};
		// A third: the API's own two statements (PostgREST's settings, then its JSON-shaped
		// select) pipelined with one Sync through the runtime's wire client, as the API sends
		// them but with no HTTP, parsing or planning: what PostgREST's semantics cost
		// PostgreSQL. The texts mirror rest/index.ts (setup) and rest/query.ts for (a).
		const dbUrl = new URL(info.dbUrl);
		const wires = Array.from({ length: 4 }, () => new WireConnection({ host: dbUrl.hostname, port: Number(dbUrl.port), user: decodeURIComponent(dbUrl.username), password: decodeURIComponent(dbUrl.password), database: 'postgres' }));
		const settingsText = `select set_config('search_path', $1, true), set_config($2, $3, true), set_config('role', $4, true), set_config('request.jwt.claims', $5, true), set_config('request.method', $6, true), set_config('request.path', $7, true), set_config('request.headers', $8, true), set_config('request.cookies', $9, true), set_config('transaction_read_only', $10, true)`;
		const selectText = `WITH pgrst_source AS (SELECT "notes".* FROM "public"."notes" AS "notes" WHERE "notes"."id" = $1 LIMIT $2) SELECT NULL::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), '[]')::text AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status FROM (SELECT * FROM pgrst_source) _postgrest_t`;
		const requestHeaders = JSON.stringify({ apikey: info.anonKey, authorization: `Bearer ${jwt}`, host: dbUrl.host, connection: 'keep-alive' });
		const pipelineReference = async (i: number, client: number) => {
			const [settings, select] = await wires[client % wires.length].run([
				{ text: settingsText, params: ['"public", "public", "extensions"', 'statement_timeout', '8s', 'authenticated', claims, 'GET', '/notes', requestHeaders, '{}', 'on'] },
				{ text: selectText, params: [String(noteIds[i % noteIds.length]), 100] }
			]);
			return !settings.error && !select.error && select.rows[0]?.page_total === '1';
		};
		// The floor: the same load generator and request against a bare node:http server.
		const floorChild = fork(path.join(here, 'support', 'http-floor.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		const floorInfo = await new Promise<{ url: string; pid: number }>((resolve) => floorChild.once('message', (m) => resolve(m as { url: string; pid: number })));
		const callFloor = callTo(new URL(floorInfo.url));

		// Each scenario's targets run in alternating slices (API, direct, … five rounds), so a
		// noisy neighbour slows all of them alike and the ratio stays fair.
		type Cpu = { client: number; api: number; postgres: number };
		interface Target {
			once: (n: number, client: number) => Promise<boolean>;
			/** Server processes whose CPU counts as "api" for this target. */
			serverPid: number | null;
		}
		const ROUNDS = 5;
		const interleaved = async (targets: Record<string, Target>) => {
			const slices: Record<string, Slice[]> = {};
			const cpu: Record<string, Cpu> = {};
			const counter = { n: 0 };
			for (const [name, t] of Object.entries(targets)) {
				await loadSlice(clients, 1000, t.once, counter); // warm-up, not counted
				slices[name] = [];
				cpu[name] = { client: 0, api: 0, postgres: 0 };
			}
			for (let round = 0; round < ROUNDS; round++) {
				for (const [name, t] of Object.entries(targets)) {
					const pg = new Map(descendants(info.pid).map((p) => [p, cpuSecondsOf(p)]));
					const server = t.serverPid ? cpuSecondsOf(t.serverPid) : 0;
					const client = process.cpuUsage();
					slices[name].push(await loadSlice(clients, (seconds * 1000) / ROUNDS, t.once, counter));
					const used = process.cpuUsage(client);
					cpu[name].client += (used.user + used.system) / 1e6;
					cpu[name].api += t.serverPid ? cpuSecondsOf(t.serverPid) - server : 0;
					for (const p of descendants(info.pid)) cpu[name].postgres += cpuSecondsOf(p) - (pg.get(p) ?? 0);
				}
			}
			const out: Record<string, { figures: Figures; cpuMicrosPerRequest: Cpu }> = {};
			for (const name of Object.keys(targets)) {
				const f = figuresOf(slices[name]);
				const per = (x: number) => (x / Math.max(1, f.requests)) * 1e6;
				out[name] = { figures: f, cpuMicrosPerRequest: { client: per(cpu[name].client), api: per(cpu[name].api), postgres: per(cpu[name].postgres) } };
			}
			return out;
		};

		const results = [];
		let peakRss = rssOf(info.pid);
		let tx: Figures | null = null;
		let pipeline: { figures: Figures; cpuMicrosPerRequest: Cpu } | null = null;
		let floor: { figures: Figures; cpuMicrosPerRequest: Cpu } | null = null;
		for (const s of scenarios) {
			const first = s === scenarios[0];
			// BENCH_PROF=dir writes a CPU profile of the API process for each scenario's run.
			const profileDir = process.env.BENCH_PROF;
			if (profileDir) await ask(child, 'profile-start', 'profiling');
			const run = await interleaved({
				api: { once: s.api, serverPid: info.pid },
				direct: { once: s.direct, serverPid: null },
				// For (a), also the same transaction through the driver and the HTTP floor.
				...(first
					? {
							tx: { once: txReference, serverPid: null },
							pipeline: { once: pipelineReference, serverPid: null },
							floor: { once: (i: number) => callFloor('GET', `/notes?select=*&id=eq.${noteIds[i % noteIds.length]}`), serverPid: floorInfo.pid }
						}
					: {})
			});
			if (profileDir) await ask(child, { profileStop: path.resolve(profileDir, `rest-${s.name.slice(1, 2)}.cpuprofile`) }, 'profiled');
			peakRss = Math.max(peakRss, rssOf(info.pid));
			if (first) {
				tx = run.tx.figures;
				pipeline = run.pipeline;
				floor = run.floor;
			}
			const api = run.api.figures;
			const direct = run.direct.figures;
			results.push({ scenario: s.name, api, direct, ratio: direct.rps / api.rps, cpuMicrosPerRequest: { api: run.api.cpuMicrosPerRequest, direct: run.direct.cpuMicrosPerRequest } });
		}
		floorChild.send('stop');
		const rssMb = rssOf(info.pid);
		if (process.env.BENCH_SMAPS) printMappings(info.pid);
		const memory = await new Promise<NodeJS.MemoryUsage>((resolve) => {
			child.once('message', (m) => resolve((m as { memory: NodeJS.MemoryUsage }).memory));
			child.send('memory');
		});

		if (!tx || !floor || !pipeline) throw new Error('scenario (a) did not run');
		for (const w of wires) w.end();
		const floorFigures = floor.figures;
		const floorCpu = floor.cpuMicrosPerRequest;
		const fmt = (n: number, d = 0) => n.toFixed(d).padStart(8);
		console.log(`\nREST benchmark: ${clients} clients, ${seconds}s per target in ${ROUNDS} alternating slices, ${os.cpus().length} CPUs, Node ${process.version}\n`);
		console.log(`${'scenario'.padEnd(40)} ${'API rps'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} │ ${'direct'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} │ ${'ratio'.padStart(6)} errors`);
		for (const r of results) {
			console.log(
				`${r.scenario.padEnd(40)} ${fmt(r.api.rps)} ${fmt(r.api.p50, 2)} ${fmt(r.api.p99, 2)} │ ${fmt(r.direct.rps)} ${fmt(r.direct.p50, 2)} ${fmt(r.direct.p99, 2)} │ ${r.ratio.toFixed(2).padStart(6)} ${r.api.errors + r.direct.errors}`
			);
		}
		console.log(`\nCPU µs per request (load generator / API process / PostgreSQL):`);
		for (const r of results) {
			const c = r.cpuMicrosPerRequest;
			const f = (x: { client: number; api: number; postgres: number }) => `${x.client.toFixed(0)} / ${x.api.toFixed(0)} / ${x.postgres.toFixed(0)}`;
			console.log(`${r.scenario.padEnd(40)} API ${f(c.api).padEnd(18)} direct ${f(c.direct)}`);
		}
		console.log(`${'(a) reference: driver tx, role + claims'.padEnd(40)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} │ ${fmt(tx.rps)} ${fmt(tx.p50, 2)} ${fmt(tx.p99, 2)} │ ${(tx.rps / results[0].api.rps).toFixed(2).padStart(6)} ${tx.errors}`);
		const pf = pipeline.figures;
		console.log(
			`${"(a) reference: the API's 2 statements".padEnd(40)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} │ ${fmt(pf.rps)} ${fmt(pf.p50, 2)} ${fmt(pf.p99, 2)} │ ${(results[0].direct.rps / pf.rps).toFixed(2).padStart(6)} ${pf.errors}   (direct ÷ it; CPU µs/request ${pipeline.cpuMicrosPerRequest.client.toFixed(0)} / – / ${pipeline.cpuMicrosPerRequest.postgres.toFixed(0)})`
		);
		console.log(`${'HTTP floor: bare node:http, no database'.padEnd(40)} ${fmt(floorFigures.rps)} ${fmt(floorFigures.p50, 2)} ${fmt(floorFigures.p99, 2)} │ CPU µs/request ${floorCpu.client.toFixed(0)} / ${floorCpu.api.toFixed(0)} / 0`);
		console.log(`  → no HTTP API can show a ratio below ${(results[0].direct.rps / floorFigures.rps).toFixed(2)} for (a) here (direct ÷ floor); API ÷ floor for (a): ${(floorFigures.rps / results[0].api.rps).toFixed(2)}`);
		// On two busy cores throughput goes as 1 ÷ (CPU per request, all processes together). An
		// API whose own handling cost nothing beyond bare node:http and sending PostgREST's two
		// statements would cost the floor's client and server, the wire client and those
		// statements' PostgreSQL time; against the direct query's client and PostgreSQL time that
		// is about the least ratio an HTTP API with PostgREST's semantics could show here.
		const directCpu = results[0].cpuMicrosPerRequest.direct;
		const apiCpu = results[0].cpuMicrosPerRequest.api;
		const directTotal = directCpu.client + directCpu.postgres;
		const statements = pipeline.cpuMicrosPerRequest;
		const boundByCpu = (floorCpu.client + floorCpu.api + statements.client + statements.postgres) / directTotal;
		const apiByCpu = (apiCpu.client + apiCpu.api + apiCpu.postgres) / directTotal;
		console.log(
			`  → by CPU per request, (a) costs ${apiByCpu.toFixed(2)}× the direct query; an API costing nothing beyond node:http and sending PostgREST's statements would cost ${boundByCpu.toFixed(2)}× (floor ${floorCpu.client.toFixed(0)} + ${floorCpu.api.toFixed(0)}, statements ${statements.client.toFixed(0)} + ${statements.postgres.toFixed(0)} µs ÷ direct ${directTotal.toFixed(0)} µs)`
		);
		const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
		console.log(`\nAPI process RSS: ${rssMb.toFixed(1)} MB (peak seen ${peakRss.toFixed(1)} MB); V8 heap used ${mb(memory.heapUsed)} of ${mb(memory.heapTotal)}, external ${mb(memory.external)}`);
		console.log('ratio = direct req/s ÷ API req/s (aim ≤ 2); aim (a) ≥ 2,500 req/s, RSS < 150 MB\n');

		await mkdir(path.join(here, 'results'), { recursive: true });
		await writeFile(
			path.join(here, 'results', 'rest.json'),
			JSON.stringify({ date: new Date().toISOString(), clients, seconds, cpus: os.cpus().length, loadAverage: os.loadavg(), node: process.version, results, selectByPkTransactionReference: tx, selectByPkPipelineReference: pipeline, httpFloor: { ...floorFigures, cpuMicrosPerRequest: floorCpu }, cpuRatio: { api: apiByCpu, leastPossible: boundByCpu }, rssMb, peakRssMb: peakRss, memory }, null, 2) + '\n'
		);
		agent.destroy();
	} finally {
		await sql.end({ timeout: 2 });
		child.send('stop');
		await new Promise((resolve) => child.once('exit', resolve));
	}
}
