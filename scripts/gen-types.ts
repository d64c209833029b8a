/**
 * `npm run supabase:gen-types`: the app's `Database` type, generated from the schema by
 * Supabase's own generator — `@supabase/postgres-meta` in typegen mode, which is what
 * `supabase gen types typescript` runs — against a throwaway local runtime with this
 * repository's migrations applied. Writes `src/lib/supabase/database.types.ts`.
 *
 *   npm run supabase:gen-types            write the file
 *   npm run supabase:gen-types -- --check exit 1 when the file is stale
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalSupabase } from '../supabase/local/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const typesFile = path.join(root, 'src/lib/supabase/database.types.ts');

/** Runs postgres-meta's typegen against `dbUrl` and returns the TypeScript it prints. */
export function runTypegen(dbUrl: string, schemas = ['public']): Promise<string> {
	const require = createRequire(import.meta.url);
	const server = path.join(path.dirname(require.resolve('@supabase/postgres-meta/package.json')), 'dist/server/server.js');
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [server], {
			env: {
				...process.env,
				PG_META_DB_URL: dbUrl,
				PG_META_GENERATE_TYPES: 'typescript',
				PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: schemas.join(','),
				PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0 && out.includes('export type Database')) resolve(out);
			else reject(new Error(`postgres-meta typegen failed (exit ${code}): ${err.slice(0, 2000)}`));
		});
	});
}

/** Starts a throwaway runtime (no seed), generates the types, stops it. */
export async function generateTypes(): Promise<string> {
	const runtime = await startLocalSupabase({ workdir: root, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, seed: false, databaseUrl: '' });
	try {
		return await runTypegen(runtime.dbUrl);
	} finally {
		await runtime.stop();
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const generated = await generateTypes();
	if (process.argv.includes('--check')) {
		const current = await readFile(typesFile, 'utf8').catch(() => '');
		if (current !== generated) {
			console.error(`${path.relative(root, typesFile)} is stale: run npm run supabase:gen-types`);
			process.exit(1);
		}
		console.log(`${path.relative(root, typesFile)} is up to date`);
	} else {
		await writeFile(typesFile, generated);
		console.log(`wrote ${path.relative(root, typesFile)}`);
	}
}
