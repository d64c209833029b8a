/**
 * Answer-to-partner latency, against the production build and a fresh local Supabase
 * runtime on free ports, in the system Chromium:
 *   - from the key press of an answer in A's browser (answer page) to B's screen showing
 *     A's new answered count (B's answer page, a MutationObserver on the progress line):
 *     the whole path — autosave queue, `save_answers` RPC, the database's broadcast on
 *     `couple:<id>`, realtime-js in B's page, Svelte's update — p50/p95 over 100 answers;
 *   - next to the bare Realtime broadcast latency (one supabase-js client to another on
 *     a public topic, in Node) measured in the same run, as the floor.
 * Both clocks are this machine's `Date.now()`. Aim: p95 under 150 ms on the local runtime.
 * Prints a table and writes bench/results/answer.json.
 *
 *   npm run bench:answer [-- --answers 100]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { createClient } from '@supabase/supabase-js';
import { mainPass } from '../src/lib/instrument/index.ts';
import { freePort, startLocalSupabase } from '../supabase/local/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from '../supabase/local/keys.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { answers: { type: 'string', default: '100' } } });
const ANSWERS = Number(args.answers);
const PER_PASS = Math.min(50, mainPass().length);

const apiPort = await freePort();
const appPort = await freePort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const appUrl = `http://127.0.0.1:${appPort}`;
// A build folder of its own (the public Supabase URL is fixed into the CSP at build time).
const buildDir = `test-results/bench-answer-${appPort}`;
console.log('Building the app (vite build) …');
const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
	cwd: root,
	stdio: ['ignore', 'ignore', 'inherit'],
	env: { ...process.env, ORIGIN: appUrl, BUILD_DIR: `${buildDir}/app`, SVELTEKIT_OUT_DIR: `${buildDir}/.svelte-kit`, PUBLIC_SUPABASE_URL: apiUrl, PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY }
});
if (built.status !== 0 || !existsSync(path.join(root, buildDir, 'app/index.js'))) process.exit(1);
process.env.E2E_API_PORT = String(apiPort);
// Imported after the port is known: the helpers read it when they make a client.
const { linkPartners, signInAt, signUpPerson } = await import('../tests/e2e/shared-support.ts');

const runtime = await startLocalSupabase({ workdir: root, port: apiPort, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
let app: ChildProcess | null = null;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
});

const stats = (samples: number[]) => {
	const sorted = [...samples].sort((x, y) => x - y);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1], mean: sorted.reduce((n, t) => n + t, 0) / sorted.length };
};

/** Bare Realtime: broadcast from one supabase-js client to another, `count` messages one at a time. */
async function bareBroadcast(count: number): Promise<number[]> {
	const options = { auth: { persistSession: false, autoRefreshToken: false } };
	const sender = createClient(apiUrl, DEFAULT_PUBLISHABLE_KEY, options);
	const receiver = createClient(apiUrl, DEFAULT_PUBLISHABLE_KEY, options);
	const topic = `bench-answer-${Date.now()}`;
	let resolveNext: ((t: number) => void) | null = null;
	const inbound = receiver.channel(topic).on('broadcast', { event: 'ping' }, ({ payload }) => resolveNext?.(Date.now() - (payload as { t: number }).t));
	const joined = (channel: ReturnType<typeof sender.channel>) =>
		new Promise<void>((resolve, reject) =>
			channel.subscribe((status) => {
				if (status === 'SUBSCRIBED') resolve();
				else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(new Error(status));
			})
		);
	const outbound = sender.channel(topic);
	await Promise.all([joined(inbound), joined(outbound)]);
	const samples: number[] = [];
	for (let i = 0; i < count + 5; i += 1) {
		const arrived = new Promise<number>((resolve, reject) => {
			resolveNext = resolve;
			setTimeout(() => reject(new Error('a bare broadcast did not arrive within 5 s')), 5000).unref();
		});
		await outbound.send({ type: 'broadcast', event: 'ping', payload: { t: Date.now() } });
		const ms = await arrived;
		if (i >= 5) samples.push(ms); // the first five warm up
		// Stay under Realtime's per-socket limit (max_events_per_second, 100 by default).
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	await sender.removeAllChannels();
	await receiver.removeAllChannels();
	return samples;
}

async function waitForApp() {
	for (let i = 0; i < 300; i += 1) {
		try {
			if ((await fetch(`${appUrl}/`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('the app did not start');
}

/** Installs an observer on B's page that stamps every change of the partner's answered count. */
const watchPartner = (page: Page) =>
	page.evaluate(() => {
		const w = window as unknown as { seen: Record<number, number> };
		w.seen = {};
		const line = document.querySelector('[data-testid="partner-progress"]')!;
		new MutationObserver(() => {
			const n = Number(line.getAttribute('data-answered'));
			w.seen[n] ??= Date.now();
		}).observe(line, { attributes: true, attributeFilter: ['data-answered'] });
	});

try {
	app = spawn(process.execPath, [`${buildDir}/app`], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, HOST: '127.0.0.1', PORT: String(appPort), ORIGIN: appUrl, PUBLIC_SUPABASE_URL: apiUrl, PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY }
	});
	await waitForApp();

	const bare = await bareBroadcast(ANSWERS);

	const a = await signUpPerson('Anna', 'nl');
	const b = await signUpPerson('Ben', 'nl');
	await linkPartners(a, b);
	const labels = { email: 'E-mailadres', password: 'Wachtwoord', submit: 'Inloggen' };
	const pageA = await (await browser.newContext({ baseURL: appUrl, locale: 'nl-NL' })).newPage();
	const pageB = await (await browser.newContext({ baseURL: appUrl, locale: 'nl-NL' })).newPage();
	await signInAt(pageA, a, '/answer', labels);
	await signInAt(pageB, b, '/answer', labels);
	await pageA.getByRole('button', { name: 'Beginnen' }).click();
	await pageA.getByTestId('prompt').waitFor();
	const { data: roundId } = await a.db.rpc('start_round', { instrument_version: 'samenspel-2026.1', prompt_count: mainPass().length });

	const samples: number[] = [];
	while (samples.length < ANSWERS) {
		// A pass: up to 50 answers, each timed from the key press to B's screen.
		await pageB.reload();
		await pageB.getByTestId('partner-progress').waitFor();
		await pageB.waitForFunction(() => document.querySelector('[data-testid="partner-progress"]')?.getAttribute('data-answered') === '0');
		await new Promise((resolve) => setTimeout(resolve, 500)); // B's channel joined
		await watchPartner(pageB);
		const pressedAt: Record<number, number> = {};
		const n = Math.min(PER_PASS, ANSWERS - samples.length);
		for (let i = 1; i <= n; i += 1) {
			const id = await pageA.getByTestId('prompt').getAttribute('data-prompt-id');
			pressedAt[i] = Date.now();
			await pageA.keyboard.press(String((i % 7) + 1));
			await pageB.waitForFunction((count) => (window as unknown as { seen: Record<number, number> }).seen[count] !== undefined, i, { timeout: 10_000 });
			await pageA.keyboard.press('Enter');
			await pageA.waitForFunction((before) => document.querySelector('[data-testid="prompt"]')?.getAttribute('data-prompt-id') !== before, id);
		}
		const seen = await pageB.evaluate(() => (window as unknown as { seen: Record<number, number> }).seen);
		for (let i = 1; i <= n; i += 1) samples.push(seen[i] - pressedAt[i]);
		// Clear A's answers (through the same RPC) for the next pass, and start A over.
		const cleared = mainPass().map((p) => ({ kind: 'answer', promptId: p.id, value: null, answeredAt: new Date().toISOString() }));
		const { error } = await a.db.rpc('save_answers', { round_id: roundId, answers: cleared });
		if (error) throw new Error(error.message);
		await pageA.evaluate(() => localStorage.clear());
		await pageA.reload();
		await pageA.getByTestId('prompt').waitFor();
	}

	const answer = stats(samples);
	const floor = stats(bare);
	const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
	console.log('\nAnswer → partner screen (production build, local runtime, Chromium)');
	console.log('measure                                       n     p50 ms   p95 ms   max ms');
	const row = (name: string, s: ReturnType<typeof stats>) =>
		console.log(`${name.padEnd(44)} ${String(s.n).padStart(3)} ${s.p50.toFixed(0).padStart(9)} ${s.p95.toFixed(0).padStart(8)} ${s.max.toFixed(0).padStart(8)}`);
	row("A's key press → B's progress line", answer);
	row('bare Realtime broadcast, client → client', floor);
	console.log(`load average: ${load} (${os.cpus().length} cores); aim: p95 under 150 ms`);
	await mkdir(path.join(root, 'bench/results'), { recursive: true });
	await writeFile(
		path.join(root, 'bench/results/answer.json'),
		JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), cores: os.cpus().length, answerToPartnerScreen: answer, bareBroadcast: floor }, null, '\t') + '\n'
	);
} finally {
	await browser.close();
	if (app && app.exitCode === null) {
		const exited = new Promise((resolve) => app!.once('exit', resolve));
		app.kill('SIGTERM');
		await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
	}
	await runtime.stop();
}
