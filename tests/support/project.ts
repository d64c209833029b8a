/**
 * Throwaway Supabase project folders (`<dir>/supabase/{config.toml,migrations,seed.sql}`)
 * for tests of `--workdir`, migrations and config. Removed by `remove()`.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TempProject {
	dir: string;
	remove(): Promise<void>;
}

export async function makeProject(files: {
	config?: string;
	migrations?: Record<string, string>;
	seed?: string;
}): Promise<TempProject> {
	const dir = await mkdtemp(path.join(tmpdir(), 'sb-project-'));
	await mkdir(path.join(dir, 'supabase', 'migrations'), { recursive: true });
	if (files.config !== undefined) await writeFile(path.join(dir, 'supabase', 'config.toml'), files.config);
	for (const [name, sql] of Object.entries(files.migrations ?? {})) {
		await writeFile(path.join(dir, 'supabase', 'migrations', name), sql);
	}
	if (files.seed !== undefined) await writeFile(path.join(dir, 'supabase', 'seed.sql'), files.seed);
	return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
