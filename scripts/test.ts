/**
 * `npm test`: everything, in order — type check, lint, unit tests, integration tests
 * (each file against a fresh local Supabase runtime of its own) and the Playwright
 * end-to-end tests in the system Chromium — ending with one tally line.
 *
 *   npm test                 all steps
 *   npm test -- unit e2e     only the named steps
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const outDir = path.join(root, 'test-results');

interface Tally {
	passed: number;
	failed: number;
	skipped: number;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
		child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
	});
}

function readJson<T>(file: string): T | null {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as T;
	} catch {
		return null;
	}
}

async function staticStep(name: string, command: string, args: string[]): Promise<Tally> {
	const code = await run(command, args);
	console.log(`\n[${name}] ${code === 0 ? 'passed' : 'FAILED'}`);
	return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

async function vitestStep(project: string): Promise<Tally> {
	const report = path.join(outDir, `vitest-${project}.json`);
	rmSync(report, { force: true });
	const code = await run(bin('vitest'), ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
	const json = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numTotalTestSuites: number }>(report);
	if (!json) return { passed: 0, failed: 1, skipped: 0 };
	const failed = json.numFailedTests + (code !== 0 && json.numFailedTests === 0 ? 1 : 0);
	return { passed: json.numPassedTests, failed, skipped: json.numPendingTests + json.numTodoTests };
}

function ensureChromium(): string {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
	const found = candidates.find((p) => existsSync(p));
	if (found) return found;
	if (userInfo().uid === 0 && existsSync('/usr/bin/apt-get')) {
		console.log("No Chromium found: installing Debian's chromium package …");
		spawnSync('apt-get', ['update'], { stdio: 'inherit' });
		const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core', 'fonts-liberation', 'poppler-utils'], {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
		});
		if (result.status === 0 && existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
	}
	console.error(
		'The end-to-end tests need Chromium and none was found. Install it with `sudo apt-get install chromium` ' +
			'(or set CHROMIUM_PATH to a Chromium binary). This project never downloads a browser of its own.'
	);
	process.exit(1);
}

async function e2eStep(): Promise<Tally> {
	if (!existsSync(path.join(root, 'playwright.config.ts'))) {
		console.log('[e2e] no playwright.config.ts: no end-to-end tests in this tree yet');
		return { passed: 0, failed: 0, skipped: 0 };
	}
	const chromium = ensureChromium();
	const report = path.join(outDir, 'playwright.json');
	rmSync(report, { force: true });
	const code = await run(bin('playwright'), ['test'], { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: report });
	const json = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(report);
	if (!json) return { passed: 0, failed: 1, skipped: 0 };
	const failed = json.stats.unexpected + (code !== 0 && json.stats.unexpected === 0 ? 1 : 0);
	return { passed: json.stats.expected + json.stats.flaky, failed, skipped: json.stats.skipped };
}

const steps: Record<string, () => Promise<Tally>> = {
	check: async () => {
		const runtime = await staticStep('check: runtime types', bin('tsc'), ['-p', 'tsconfig.runtime.json']);
		// SvelteKit 3 reads its config from vite.config.ts (svelte.config.js is gone).
		if (!existsSync(path.join(root, 'svelte.config.js')) && !existsSync(path.join(root, 'vite.config.ts'))) return runtime;
		// The Paraglide messages are compiled before the type check, which imports them.
		if (existsSync(path.join(root, 'project.inlang'))) {
			await run(bin('paraglide-js'), ['compile', '--project', './project.inlang', '--outdir', './src/lib/paraglide', '--strategy', 'cookie', 'preferredLanguage', 'baseLocale', '--silent']);
		}
		await run(bin('svelte-kit'), ['sync']);
		const app = await staticStep('check: svelte-check', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings']);
		return { passed: runtime.passed + app.passed, failed: runtime.failed + app.failed, skipped: 0 };
	},
	lint: () => staticStep('lint', bin('eslint'), ['.', '--max-warnings=0']),
	unit: () => vitestStep('unit'),
	integration: () => vitestStep('integration'),
	e2e: e2eStep
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? wanted : Object.keys(steps);
const unknown = selected.filter((s) => !steps[s]);
if (unknown.length) {
	console.error(`Unknown step(s): ${unknown.join(', ')}. Steps: ${Object.keys(steps).join(', ')}`);
	process.exit(2);
}

await mkdir(outDir, { recursive: true });
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const summary: string[] = [];
const began = Date.now();
for (const name of selected) {
	console.log(`\n━━ ${name} ━━`);
	const t0 = Date.now();
	const tally = await steps[name]();
	total.passed += tally.passed;
	total.failed += tally.failed;
	total.skipped += tally.skipped;
	summary.push(`${name}: ${tally.passed} passed, ${tally.failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
console.log(`\n${summary.join('\n')}\ntotal time ${((Date.now() - began) / 1000).toFixed(0)} s`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
