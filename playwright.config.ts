/**
 * End-to-end tests: the production build (`vite build`, then `node build`) against a
 * fresh local Supabase runtime, both on free ports, in the system Chromium (never a
 * downloaded browser). Ports are chosen once, in the main process, and handed to the
 * workers (which load this file again) through the environment.
 */
import { defineConfig } from '@playwright/test';
import { freePort } from './supabase/local/index.ts';
import { DEFAULT_PUBLISHABLE_KEY } from './supabase/local/keys.ts';

for (const name of ['E2E_APP_PORT', 'E2E_API_PORT', 'E2E_DB_PORT', 'E2E_MAILBOX_PORT']) {
	process.env[name] ??= String(await freePort());
}
const appUrl = `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
const apiUrl = `http://127.0.0.1:${process.env.E2E_API_PORT}`;
const node = JSON.stringify(process.execPath);
// A build folder per run (kept inside the repository so node_modules resolves).
const buildRoot = `test-results/e2e-build/${process.env.E2E_APP_PORT}`;
process.env.E2E_BUILD_ROOT = buildRoot;

export default defineConfig({
	testDir: 'tests/e2e',
	// Per run, like the build: engineers sharing a checkout can run the suite side by side.
	outputDir: `test-results/e2e/${process.env.E2E_APP_PORT}`,
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 240_000,
	// Generous: the machine is shared, and bcrypt under load can take seconds.
	expect: { timeout: 30_000 },
	reporter: [['list'], ['json']],
	use: {
		baseURL: appUrl,
		browserName: 'chromium',
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
		}
	},
	webServer: {
		// ORIGIN is read at build time (the CSRF check's origin); the Supabase URL and key
		// when the server starts (the CSP names that origin then).
		command: `${node} node_modules/vite/bin/vite.js build --logLevel warn && ${node} ${buildRoot}/app`,
		url: `${appUrl}/`,
		timeout: 240_000,
		reuseExistingServer: false,
		stdout: 'ignore',
		stderr: 'pipe',
		env: {
			BUILD_DIR: `${buildRoot}/app`,
			SVELTEKIT_OUT_DIR: `${buildRoot}/.svelte-kit`,
			HOST: '127.0.0.1',
			PORT: process.env.E2E_APP_PORT!,
			ORIGIN: appUrl,
			PUBLIC_SUPABASE_URL: apiUrl,
			PUBLIC_SUPABASE_PUBLISHABLE_KEY: DEFAULT_PUBLISHABLE_KEY
		}
	}
});
