/**
 * Shared-view benchmark, against the production build (`vite build`, made first for
 * this run's runtime port) and a fresh local Supabase runtime on free ports:
 *   - the JavaScript the browser loads on a first visit of /shared/<round> (system
 *     Chromium; every script response gzipped with zlib level 9, summed), next to the
 *     same figure for the signed-in couple space /space, measured in the same run;
 *   - the server render time of /shared/<round> (full SSR: session check, the round's
 *     rows, scoring, HTML), sequential requests with the person's cookies, p50/p95,
 *     next to /space (session check and two small queries) as the reference.
 * Aims: under 120 KB gzipped, render under 200 ms. Prints a table and writes
 * bench/results/shared-view.json.
 *
 *   npm run bench:shared [-- --requests 40]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { demoCouples } from '../src/lib/scoring/fixtures.ts';
import { freePort, startLocalSupabase } from '../supabase/local/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from '../supabase/local/keys.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '40' }, build: { type: 'boolean', default: true } } });
const REQUESTS = Number(args.requests);


const apiPort = await freePort();
const appPort = await freePort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
// The app's public origin is fixed at build time (the CSRF check compares form posts'
// Origin header with it), so the build is made for this run's app port too.
const appOrigin = `http://127.0.0.1:${appPort}`;
// The public Supabase URL may be fixed into the build, so the build is made for this
// run's runtime port (skipped with --no-build only when build/ was made for it).
if (args.build) {
	console.log('Building the app (vite build) …');
	const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, ORIGIN: appOrigin, PUBLIC_SUPABASE_URL: apiUrl, PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY }
	});
	if (built.status !== 0 || !existsSync(path.join(root, 'build/index.js'))) process.exit(1);
}
process.env.E2E_API_PORT = String(apiPort);
// Imported after the port is known: the helpers read it when they make a client.
const { linkPartners, revealRound, signInAt, signUpPerson } = await import('../tests/e2e/shared-support.ts');

const runtime = await startLocalSupabase({ workdir: root, port: apiPort, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
const appUrl = `http://127.0.0.1:${appPort}`;
let app: ChildProcess | null = null;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
});

async function waitForApp() {
	for (let i = 0; i < 200; i += 1) {
		try {
			if ((await fetch(`${appUrl}/`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('the app did not start');
}

/** Gzipped bytes of every script the page loads, from a cold cache. */
async function firstLoadJs(page: Page, url: string): Promise<{ files: number; raw: number; gzip: number }> {
	const bodies: Promise<Buffer>[] = [];
	const listener = (response: import('@playwright/test').Response) => {
		if (response.request().resourceType() === 'script') bodies.push(response.body());
	};
	page.on('response', listener);
	await page.goto(url, { waitUntil: 'networkidle' });
	page.off('response', listener);
	const all = await Promise.all(bodies);
	return { files: all.length, raw: all.reduce((n, b) => n + b.length, 0), gzip: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

async function renderTimes(url: string, cookie: string): Promise<{ p50: number; p95: number; mean: number }> {
	const times: number[] = [];
	for (let i = 0; i < REQUESTS + 3; i += 1) {
		const start = performance.now();
		const response = await fetch(url, { headers: { cookie, 'accept-language': 'nl' }, redirect: 'manual' });
		await response.text();
		if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
		if (i >= 3) times.push(performance.now() - start); // the first three warm up
	}
	times.sort((x, y) => x - y);
	const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
	return { p50: at(0.5), p95: at(0.95), mean: times.reduce((n, t) => n + t, 0) / times.length };
}

try {
	app = spawn(process.execPath, ['build'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, HOST: '127.0.0.1', PORT: String(appPort), ORIGIN: appUrl, PUBLIC_SUPABASE_URL: apiUrl, PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY }
	});
	await waitForApp();

	const a = await signUpPerson('Anna', 'nl');
	const b = await signUpPerson('Ben', 'nl');
	await linkPartners(a, b);
	await revealRound(a, b, demoCouples.balanced);
	const roundId = await revealRound(a, b, demoCouples.pursueWithdraw);
	const sharedPath = `/shared/${roundId}`;

	const context = await browser.newContext({ baseURL: appUrl, locale: 'nl-NL' });
	const signIn = await context.newPage();
	const labels = { email: 'E-mailadres', password: 'Wachtwoord', submit: 'Inloggen' };
	try {
		await signInAt(signIn, a, '/space', labels);
	} catch (error) {
		console.error(`sign-in did not land on /space: at ${signIn.url()}:`, (await signIn.locator('main').innerText()).slice(0, 400));
		throw error;
	}
	const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
	await signIn.close();

	// A fresh page per measurement with the cache off, so every script counts as a first load.
	const measure = async (url: string) => {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
		const result = await firstLoadJs(page, `${appUrl}${url}`);
		await page.close();
		return result;
	};
	const sharedJs = await measure(sharedPath);
	const spaceJs = await measure('/space');

	const sharedRender = await renderTimes(`${appUrl}${sharedPath}`, cookie);
	const spaceRender = await renderTimes(`${appUrl}/space`, cookie);

	const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
	const ms = (n: number) => Math.round(n * 10) / 10;
	const results = {
		date: new Date().toISOString(),
		machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
		requests: REQUESTS,
		firstLoadJs: {
			shared: { files: sharedJs.files, rawKb: kb(sharedJs.raw), gzipKb: kb(sharedJs.gzip), aimKb: 120 },
			reference_space: { files: spaceJs.files, rawKb: kb(spaceJs.raw), gzipKb: kb(spaceJs.gzip) }
		},
		serverRenderMs: {
			shared: { p50: ms(sharedRender.p50), p95: ms(sharedRender.p95), mean: ms(sharedRender.mean), aimMs: 200 },
			reference_space: { p50: ms(spaceRender.p50), p95: ms(spaceRender.p95), mean: ms(spaceRender.mean) }
		}
	};
	console.log('\nShared view (production build, local runtime)');
	console.log(`  first-load JS   /shared/<round>  ${results.firstLoadJs.shared.gzipKb} KB gzipped (${sharedJs.files} files, ${results.firstLoadJs.shared.rawKb} KB raw)   aim < 120 KB`);
	console.log(`                  /space (ref.)    ${results.firstLoadJs.reference_space.gzipKb} KB gzipped (${spaceJs.files} files)`);
	console.log(`  server render   /shared/<round>  p50 ${results.serverRenderMs.shared.p50} ms  p95 ${results.serverRenderMs.shared.p95} ms   aim < 200 ms`);
	console.log(`                  /space (ref.)    p50 ${results.serverRenderMs.reference_space.p50} ms  p95 ${results.serverRenderMs.reference_space.p95} ms`);
	console.log(`  load average ${results.machine.loadavg.join(' ')} on ${results.machine.cpus} cores`);
	await mkdir(path.join(root, 'bench/results'), { recursive: true });
	await writeFile(path.join(root, 'bench/results/shared-view.json'), JSON.stringify(results, null, '\t') + '\n');
} finally {
	await browser.close();
	if (app && app.exitCode === null) {
		const exited = new Promise((resolve) => app!.once('exit', resolve));
		app.kill('SIGTERM');
		await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
	}
	await runtime.stop();
}
