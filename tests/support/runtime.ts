/**
 * Test factory: a fresh, isolated local Supabase runtime on free ports with a throwaway
 * database, for one test file. Stop it in `afterAll`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startLocalSupabase, type LocalSupabase, type StartOptions } from '../../supabase/local/index.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts a runtime for `workdir` (default: this repository) on free ports. */
export function startTestRuntime(options: StartOptions = {}): Promise<LocalSupabase> {
	return startLocalSupabase({
		workdir: repoRoot,
		port: 0,
		dbPort: 0,
		mailboxPort: 0,
		ephemeral: true,
		databaseUrl: '',
		...options
	});
}

/** A supabase-js client that keeps no session on disk and refreshes nothing by itself. */
export function client(runtime: LocalSupabase, key: string = runtime.anonKey): SupabaseClient {
	return createClient(runtime.url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

let counter = 0;
/** A unique e-mail address per call, so tests never collide. */
export function uniqueEmail(prefix = 'user'): string {
	counter += 1;
	return `${prefix}-${Date.now().toString(36)}-${counter}@example.test`;
}
