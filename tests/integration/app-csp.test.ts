/**
 * One production build serves any Supabase project: the app is built with one
 * PUBLIC_SUPABASE_URL and started with another, and the Content-Security-Policy it sends
 * allows the one it runs with (fetch and Realtime), not the one it was built with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../supabase/local/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from '../../supabase/local/keys.ts';
import { repoRoot } from '../support/runtime.ts';

const BUILT_WITH = 'http://127.0.0.1:1';
const RUNS_WITH = 'https://runtime-project.supabase.co';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr!.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
	});
}

describe('app: the CSP of a production build', () => {
	let app: ChildProcess | null = null;
	let appUrl = '';
	// A build folder of its own, so it never races another build in this checkout.
	const buildRoot = path.join(repoRoot, 'test-results', `csp-build-${process.pid}`);

	beforeAll(async () => {
		const port = await freePort();
		appUrl = `http://127.0.0.1:${port}`;
		const common = { ORIGIN: appUrl, BUILD_DIR: path.join(buildRoot, 'app'), PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY };
		await run(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
			...common,
			SVELTEKIT_OUT_DIR: path.join(buildRoot, '.svelte-kit'),
			PUBLIC_SUPABASE_URL: BUILT_WITH
		});
		app = spawn(process.execPath, [path.join(buildRoot, 'app')], {
			cwd: repoRoot,
			env: { ...process.env, ...common, HOST: '127.0.0.1', PORT: String(port), PUBLIC_SUPABASE_URL: RUNS_WITH },
			stdio: 'ignore'
		});
		for (let i = 0; i < 100; i++) {
			if (await fetch(`${appUrl}/`).then(() => true, () => false)) return;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error('the built app did not start');
	}, 300_000);

	afterAll(async () => {
		app?.kill();
		await rm(buildRoot, { recursive: true, force: true });
	});

	it('names the Supabase origin the server runs with, for fetch and websockets', async () => {
		for (const page of ['/', '/sign-in']) {
			const res = await fetch(`${appUrl}${page}`);
			await res.arrayBuffer();
			const csp = res.headers.get('content-security-policy') ?? '';
			expect(csp).toContain(`connect-src 'self' ${RUNS_WITH} wss://runtime-project.supabase.co;`);
			expect(csp).not.toContain(BUILT_WITH);
			expect(csp).not.toContain('.invalid');
			expect(csp).toContain("frame-ancestors 'none'");
		}
	});
});
