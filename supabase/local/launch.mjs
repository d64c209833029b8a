/**
 * Runs the local runtime from a JavaScript bundle of its TypeScript sources.
 *
 * Node can run the `.ts` files as they are, but stripping their types loads a WebAssembly
 * compiler into the process that keeps ~40 MB it never gives back. The runtime is a
 * long-lived server whose memory counts, so its commands run a bundle instead: one file
 * per entry (`index.ts`, `cli.ts`), written next to the sources (so paths relative to the
 * module, such as `bootstrap/`, stay right) as `.runtime-<entry>.mjs`, and rebuilt in a
 * child process whenever a source file changed (their SHA-256 is the first line). Tests
 * and TypeScript callers keep importing the sources directly.
 *
 *   node supabase/local/launch.mjs cli start [--workdir DIR] …   the CLI (npm run supabase:*)
 *   node supabase/local/launch.mjs --build                       (re)build both bundles
 *   import { loadRuntime } from './launch.mjs'                    startLocalSupabase & co.
 *
 * `RUNTIME_NODE_FLAGS` are the Node flags a runtime process runs with (`npm run
 * supabase:start` passes them; the benchmarks' API process too).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * V8 sizes the young generation from the machine's memory: on 24 GB it lets it grow to
 * 64 MB, which a busy API fills with short-lived request garbage and keeps resident. 8 MB
 * semi-spaces (16 MB in all) hold a request's garbage many times over. And one V8 worker
 * thread instead of four (for concurrent marking and compiling) keeps fewer malloc arenas
 * resident, at no CPU cost measured on two cores. Together the API's RSS under
 * `npm run bench:rest` stays near 120–145 MB instead of 135–215 MB (see
 * supabase/local/rest/README.md, Figures).
 */
export const RUNTIME_NODE_FLAGS = ['--max-semi-space-size=8', '--v8-pool-size=1'];
const ENTRIES = ['index', 'cli'];
const bundlePath = (entry) => path.join(here, `.runtime-${entry}.mjs`);

/** SHA-256 over every runtime source (tests excluded), in a stable order. */
function sourceHash() {
	const hash = createHash('sha256');
	const walk = (dir) => {
		for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) hash.update(path.relative(here, full)).update('\0').update(readFileSync(full)).update('\0');
		}
	};
	walk(here);
	return hash.digest('hex');
}

function fresh(entry, hash) {
	const file = bundlePath(entry);
	if (!existsSync(file)) return false;
	const firstLine = readFileSync(file, 'utf8').slice(0, 100).split('\n', 1)[0];
	return firstLine === `// source ${hash}`;
}

async function build(hash) {
	const { build: rolldown } = await import('rolldown');
	for (const entry of ENTRIES) {
		const result = await rolldown({
			input: path.join(here, `${entry}.ts`),
			platform: 'node',
			// The sources are plain TypeScript run as Node runs it (types stripped), not the app's setup.
			tsconfig: false,
			// Packages stay imports from node_modules; only our own sources are bundled.
			external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
			write: false,
			output: { format: 'esm', codeSplitting: false }
		});
		const code = result.output[0].code;
		const temp = `${bundlePath(entry)}.${process.pid}.tmp`;
		// Written aside and renamed, so a concurrent start never reads half a file.
		writeFileSync(temp, `// source ${hash}\n${code}`);
		renameSync(temp, bundlePath(entry));
	}
}

/** Builds the bundles in a child process if a source changed (the bundler stays out of this process). */
function ensureBundles() {
	const hash = sourceHash();
	if (ENTRIES.every((entry) => fresh(entry, hash))) return;
	const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--build'], { stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`Building the runtime bundle failed (exit ${result.status}).`);
}

/** The runtime's `index.ts` exports (startLocalSupabase, freePort, …), from the bundle. */
export async function loadRuntime() {
	ensureBundles();
	return import(pathToFileURL(bundlePath('index')).href);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	if (process.argv[2] === '--build') {
		await build(sourceHash());
	} else if (process.argv[2] === 'cli') {
		ensureBundles();
		// The CLI reads its arguments from process.argv, as when run directly.
		process.argv.splice(1, 2, bundlePath('cli'));
		await import(pathToFileURL(bundlePath('cli')).href);
	} else {
		console.error('Usage: node supabase/local/launch.mjs cli <start|status|stop|reset> … | --build');
		process.exit(2);
	}
}
