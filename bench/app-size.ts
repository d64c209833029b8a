/**
 * `npm run bench:app`: the production build's JavaScript per route (what the browser
 * loads up front for the page, gzipped; lazily imported chunks excluded) and the
 * server's time to first byte for the sign-in page. Reference figures from the same
 * run: the framework's own entry JS, and the TTFB of a static file from the same server.
 * Aim: under 60 KB gzipped for the sign-in page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort } from '../supabase/local/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from '../supabase/local/keys.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = await freePort();
const buildRoot = path.join(root, 'test-results', 'bench-app-build', String(port));
const buildDir = path.join(buildRoot, 'app');
const env = {
	...process.env,
	BUILD_DIR: buildDir,
	SVELTEKIT_OUT_DIR: path.join(buildRoot, '.svelte-kit'),
	ORIGIN: `http://127.0.0.1:${port}`,
	// The sign-in page, signed out, never calls Supabase: any URL will do.
	PUBLIC_SUPABASE_URL: 'http://127.0.0.1:54321',
	PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY
};

console.log('Building the app (production) …');
const build = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: root, env, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const gz = new Map<string, number>();
async function gzipped(file: string): Promise<number> {
	if (!gz.has(file)) gz.set(file, gzipSync(await readFile(path.join(buildDir, 'client', file))).length);
	return gz.get(file)!;
}
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const manifest = await readFile(path.join(buildDir, 'server', 'manifest.js'), 'utf8');
const entry = JSON.parse(/client: \{[^]*?imports:(\[[^\]]*\])/.exec(manifest)![1]) as string[];
const nodeImports = new Map<number, string[]>();
for (const file of await readdir(path.join(buildDir, 'server', 'nodes'))) {
	const text = await readFile(path.join(buildDir, 'server', 'nodes', file), 'utf8');
	nodeImports.set(Number(file.replace('.js', '')), JSON.parse(/export const imports = (\[[^\]]*\])/.exec(text)![1]));
}

const rows: [string, number, number][] = [];
// One block per route; endpoints (page: null) have no page JavaScript.
for (const block of manifest.split(/\n\t\t\{\n\t\t\tid: /).slice(1)) {
	const id = /^"([^"]+)"/.exec(block)![1];
	const page = /page: \{ layouts: \[([^\]]*)\], errors: \[[^\]]*\], leaf: (\d+) \}/.exec(block.split('\n\t\t}')[0]);
	if (!page) continue;
	const match = [block, id, page[1], page[2]];
	const nodes = [...match[2].split(',').filter(Boolean).map(Number), Number(match[3])];
	const files = new Set(entry);
	for (const node of nodes) for (const file of nodeImports.get(node) ?? []) files.add(file);
	let total = 0;
	for (const file of files) total += await gzipped(file);
	rows.push([match[1], files.size, total]);
}
let framework = 0;
for (const file of entry) framework += await gzipped(file);

console.log('\nJavaScript loaded up front per page (gzipped):');
for (const [id, count, total] of rows.sort((a, b) => a[0].localeCompare(b[0]))) {
	console.log(`  ${id.padEnd(32)} ${kb(total).padStart(9)}  (${count} files)${id === '/(auth)/sign-in' ? (total < 60 * 1024 ? '  ✓ under 60 KB' : '  ✗ over 60 KB') : ''}`);
}
console.log(`  reference: SvelteKit entry alone ${kb(framework)}`);

// Time to first byte: the sign-in page (server-rendered, signed out) against a static file.
const server = spawn(process.execPath, [buildDir], { cwd: root, env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: 'ignore' });
try {
	const base = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 100; i += 1) {
		try {
			await fetch(`${base}/robots.txt`);
			break;
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	async function ttfb(url: string, runs = 60): Promise<{ median: number; p90: number }> {
		const times: number[] = [];
		for (let i = 0; i < runs + 5; i += 1) {
			const start = performance.now();
			const response = await fetch(url, { headers: { accept: 'text/html', 'accept-language': 'nl' } });
			const reader = response.body!.getReader();
			await reader.read();
			const elapsed = performance.now() - start;
			await reader.cancel();
			if (i >= 5) times.push(elapsed); // the first few warm the server up
		}
		times.sort((a, b) => a - b);
		return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)] };
	}
	const signIn = await ttfb(`${base}/sign-in`);
	const staticFile = await ttfb(`${base}/robots.txt`);
	console.log('\nTime to first byte (60 sequential requests after 5 warm-up):');
	console.log(`  /sign-in               median ${signIn.median.toFixed(1)} ms   p90 ${signIn.p90.toFixed(1)} ms`);
	console.log(`  reference: /robots.txt median ${staticFile.median.toFixed(1)} ms   p90 ${staticFile.p90.toFixed(1)} ms`);
} finally {
	server.kill('SIGTERM');
	await rm(buildRoot, { recursive: true, force: true });
}
