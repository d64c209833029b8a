/**
 * Auth benchmark. With N concurrent keep-alive clients on loopback (default 20):
 *   - password sign-in (`POST /auth/v1/token?grant_type=password`), p50/p99 and per second,
 *     next to the bare bcrypt verify of the same hash at the same concurrency, measured in
 *     the same run (the floor: sign-in is one bcrypt verify plus a few queries);
 *   - token refresh (`grant_type=refresh_token`, each client chaining its own tokens);
 *   - `/auth/v1/health` latency, alone and while the sign-ins run (target p99 < 5 ms: the
 *     hashing runs on the thread pool, so cheap requests must not wait behind it);
 *   - the API process's memory (RSS; peak from VmHWM).
 * The runtime runs in a child process (its own event loop and RSS), on free ports, with
 * rate limits raised so the load is not refused. Prints a table and writes
 * bench/results/auth.json.
 *
 *   npm run bench:auth [-- --seconds 5 --clients 20]
 */
import { RUNTIME_NODE_FLAGS } from '../supabase/local/launch.mjs';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hash, verify } from '@node-rs/bcrypt';
import { figures, load, type Figures } from './support/load.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

interface ServerInfo {
	url: string;
	anonKey: string;
	serviceRoleKey: string;
	pid: number;
}

const CONFIG = `project_id = "bench-auth"
[auth]
site_url = "http://127.0.0.1:3000"
minimum_password_length = 6
[auth.rate_limit]
sign_in_sign_ups = 1000000
token_refresh = 1000000
token_verifications = 1000000
[auth.email]
enable_confirmations = false
`;

await main();

// ---- the load generator -----------------------------------------------------------------

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function main() {
	const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '20' } } });
	const seconds = Number(values.seconds);
	const clients = Number(values.clients);

	const workdir = await mkdtemp(path.join(os.tmpdir(), 'bench-auth-'));
	await mkdir(path.join(workdir, 'supabase'));
	await writeFile(path.join(workdir, 'supabase', 'config.toml'), CONFIG);
	const child: ChildProcess = fork(path.join(here, 'support', 'api-server.mjs'), [workdir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: RUNTIME_NODE_FLAGS });
	const info = await new Promise<ServerInfo>((resolve, reject) => {
		child.once('message', (m) => resolve(m as ServerInfo));
		child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
	});

	// Keep-alive HTTP, one agent for the load and one for the health probe.
	const loadAgent = new Agent({ keepAlive: true, maxSockets: clients + 4 });
	const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
	const base = new URL(info.url);
	const call = (agent: Agent, method: string, pathAndQuery: string, body?: unknown, key = info.anonKey) =>
		new Promise<{ status: number; json: Record<string, unknown> | null }>((resolve, reject) => {
			const text = body === undefined ? undefined : JSON.stringify(body);
			const req = request(
				{
					agent,
					host: base.hostname,
					port: base.port,
					method,
					path: `/auth/v1${pathAndQuery}`,
					headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(text ? { 'content-length': Buffer.byteLength(text) } : {}) }
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						const raw = Buffer.concat(chunks).toString('utf8');
						let json: Record<string, unknown> | null = null;
						try {
							json = raw ? JSON.parse(raw) : null;
						} catch {
							json = null;
						}
						resolve({ status: res.statusCode ?? 0, json });
					});
				}
			);
			req.on('error', reject);
			req.end(text);
		});

	const results: Record<string, unknown> = {};
	// Other work on the machine shows in every figure; the load average is recorded with them.
	const loadAtStart = os.loadavg();
	try {
		const idle = memoryOf(info.pid);
		const password = 'bench-password-1';
		const emails = Array.from({ length: clients }, (_, i) => `bench-${i}@example.test`);
		for (const email of emails) {
			const res = await call(loadAgent, 'POST', '/admin/users', { email, password, email_confirm: true }, info.serviceRoleKey);
			if (res.status !== 200) throw new Error(`could not create ${email}: ${res.status} ${JSON.stringify(res.json)}`);
		}

		// The floor: bcrypt verify of a cost-10 hash, same concurrency, in this process.
		const stored = await hash(password, { cost: 10, version: '2a' });
		const bcrypt = await load(clients, seconds, async () => verify(password, stored));

		// Health alone, as the reference for the same probe under load.
		const probe = async (ms: number) => {
			const latencies: number[] = [];
			const end = performance.now() + ms;
			while (performance.now() < end) {
				const t0 = performance.now();
				await call(probeAgent, 'GET', '/health');
				latencies.push(performance.now() - t0);
				await new Promise((r) => setTimeout(r, 5));
			}
			return latencies;
		};
		const healthAlone = figures(await probe(seconds * 1000), 0, seconds);

		// Sign-ins, with the health probe running alongside.
		let healthLoaded: Figures | null = null;
		const signInRun = load(clients, seconds, async (_, client) => {
			const res = await call(loadAgent, 'POST', '/token?grant_type=password', { email: emails[client], password });
			return res.status === 200;
		});
		await new Promise((r) => setTimeout(r, 1000)); // past the warm-up
		healthLoaded = figures(await probe(seconds * 1000 - 200), 0, seconds);
		const signIn = await signInRun;
		const underLoad = memoryOf(info.pid);

		// Token refresh: each client chains its own refresh tokens.
		const tokens: string[] = [];
		for (const email of emails) {
			const res = await call(loadAgent, 'POST', '/token?grant_type=password', { email, password });
			tokens.push(String(res.json?.refresh_token));
		}
		const refresh = await load(clients, seconds, async (_, client) => {
			const res = await call(loadAgent, 'POST', '/token?grant_type=refresh_token', { refresh_token: tokens[client] });
			if (res.status !== 200) return false;
			tokens[client] = String(res.json?.refresh_token);
			return true;
		});
		const after = memoryOf(info.pid);

		Object.assign(results, {
			date: new Date().toISOString(),
			machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
			clients,
			seconds,
			bcryptVerify: bcrypt,
			signIn,
			tokenRefresh: refresh,
			healthAlone,
			healthDuringSignIns: healthLoaded,
			memoryMb: { idle: idle.rssMb, duringSignIns: underLoad.rssMb, afterRefresh: after.rssMb, peak: after.peakMb }
		});

		const ms = (v: number) => v.toFixed(1).padStart(8);
		const rate = (v: number) => v.toFixed(1).padStart(9);
		const row = (name: string, f: Figures) =>
			`${name.padEnd(34)}${String(f.requests).padStart(8)}${String(f.errors).padStart(7)}${rate(f.rps)}${ms(f.p50)}${ms(f.p99)}`;
		console.log(
			`\nAuth benchmark: ${clients} concurrent clients, ${seconds} s per scenario, ${os.cpus().length} CPUs, Node ${process.version}, ` +
				`load average ${loadAtStart[0].toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end\n`
		);
		console.log(`${'scenario'.padEnd(34)}${'count'.padStart(8)}${'errors'.padStart(7)}${'per s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}`);
		console.log(row('bcrypt verify (floor, in-process)', bcrypt));
		console.log(row('sign-in (password grant)', signIn));
		console.log(row('token refresh', refresh));
		console.log(row('/health alone', healthAlone));
		console.log(row('/health during sign-ins', healthLoaded));
		console.log(
			`\nAPI process RSS: ${idle.rssMb.toFixed(0)} MB idle, ${underLoad.rssMb.toFixed(0)} MB during sign-ins, ${after.rssMb.toFixed(0)} MB after refreshes, peak ${after.peakMb.toFixed(0)} MB`
		);
		console.log(`/health p99 during sign-ins: ${healthLoaded.p99.toFixed(2)} ms (target < 5 ms): ${healthLoaded.p99 < 5 ? 'met' : 'NOT met'}`);
		await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
		await writeFile(path.join(root, 'bench', 'results', 'auth.json'), JSON.stringify(results, null, 2) + '\n');
		console.log('Written to bench/results/auth.json');
	} finally {
		loadAgent.destroy();
		probeAgent.destroy();
		await new Promise<void>((resolve) => {
			child.once('exit', () => resolve());
			child.send('stop');
			setTimeout(() => {
				child.kill('SIGKILL');
				resolve();
			}, 10_000).unref();
		});
		await rm(workdir, { recursive: true, force: true });
	}
}
