/**
 * `npm run dev`: the local Supabase runtime (migrations and seed.sql applied on a fresh
 * database) on the CLI's default ports, then the app's Vite dev server on
 * http://localhost:5173 pointed at it. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalSupabase, type LocalSupabase } from '../supabase/local/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_PORT = 5173;

export const demoAccounts = [
	{ name: 'Anna', email: 'anna@samenspel.test', password: 'samenspel-demo', language: 'nl' },
	{ name: 'Ben', email: 'ben@samenspel.test', password: 'samenspel-demo', language: 'en' }
];

let runtime: LocalSupabase | null = null;
let vite: ChildProcess | null = null;
let stopping = false;

async function stop(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		console.log('\nStopping …');
		if (vite && vite.exitCode === null) {
			const exited = new Promise((resolve) => vite!.once('exit', resolve));
			vite.kill('SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
		}
		await runtime?.stop();
	}
	process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
	console.log('Starting the local Supabase runtime …');
	runtime = await startLocalSupabase({ workdir: root, log: process.env.DEBUG ? (line) => console.log(`[supabase] ${line}`) : undefined });
} catch (error) {
	const message = (error as Error).message;
	console.error(`Could not start the local Supabase runtime: ${message}`);
	if (/EADDRINUSE|in use/i.test(message)) {
		console.error('Is another runtime running? Stop it with `npm run supabase:stop` (or the process holding ports 54321/54322/54324).');
	}
	process.exit(1);
}

vite = spawn(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'dev', '--port', String(APP_PORT), '--strictPort'], {
	cwd: root,
	stdio: ['ignore', 'pipe', 'inherit'],
	env: { ...process.env, PUBLIC_SUPABASE_URL: runtime.url, PUBLIC_SUPABASE_PUBLISHABLE_KEY: runtime.publishableKey }
});
vite.on('exit', (code) => {
	if (!stopping) {
		console.error(`The Vite dev server stopped (exit ${code}).`);
		void stop(code ?? 1);
	}
});

let announced = false;
vite.stdout!.on('data', (chunk: Buffer) => {
	process.stdout.write(chunk);
	if (!announced && /Local:|ready in/i.test(chunk.toString())) {
		announced = true;
		console.log(
			[
				'',
				'  Samenspel is running',
				`  App          http://localhost:${APP_PORT}`,
				`  Supabase API ${runtime!.url}`,
				`  Mailbox      ${runtime!.mailboxUrl}   (password-reset mails land here)`,
				`  Database     ${runtime!.dbUrl}`,
				'',
				'  Demo couple (sign in as either):',
				...demoAccounts.map((a) => `    ${a.name.padEnd(5)} ${a.email.padEnd(22)} password: ${a.password}  (${a.language})`),
				'',
				'  Ctrl-C stops both.',
				''
			].join('\n')
		);
	}
});
