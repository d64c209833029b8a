/**
 * Starts a throwaway local Supabase runtime on the ports playwright.config.ts chose,
 * and stops it when the run ends.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startLocalSupabase } from '../../supabase/local/index.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
	const runtime = await startLocalSupabase({
		workdir: path.resolve(import.meta.dirname, '../..'),
		port: Number(process.env.E2E_API_PORT),
		dbPort: Number(process.env.E2E_DB_PORT),
		mailboxPort: Number(process.env.E2E_MAILBOX_PORT),
		ephemeral: true,
		databaseUrl: ''
	});
	return async () => {
		await runtime.stop();
		// The run's own production build (see playwright.config.ts) is not kept.
		if (process.env.E2E_BUILD_ROOT) await rm(path.resolve(import.meta.dirname, '../..', process.env.E2E_BUILD_ROOT), { recursive: true, force: true });
	};
}
