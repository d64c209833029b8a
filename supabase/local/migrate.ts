/**
 * Platform bootstrap, the project's migrations and its seed, applied the way the
 * Supabase CLI applies them: migrations in filename order, each in its own transaction,
 * recorded in `supabase_migrations.schema_migrations`; a failing migration stops
 * everything after it and names the file and PostgreSQL's error.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const BOOTSTRAP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bootstrap');

export class MigrationError extends Error {
	readonly file: string;
	constructor(file: string, cause: unknown) {
		const pg = cause as { message?: string; code?: string; position?: string };
		super(`Migration ${file} failed: ${pg.message ?? String(cause)}${pg.code ? ` (SQLSTATE ${pg.code})` : ''}`, { cause });
		this.file = file;
	}
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function connect(dbUrl: string) {
	return postgres(dbUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'supabase_local_migrate' } });
}

/** The database settings the CLI gives `postgres` from the project's JWT config. */
export interface JwtDatabaseSettings {
	jwtSecret: string;
	jwtExpiry: number;
}

/**
 * Runs the bootstrap SQL files (in name order). Each file is idempotent; a file runs again
 * only when its content changed, tracked in `supabase_local.bootstrap`. With `jwt`, the
 * database also gets the CLI's `app.settings.jwt_secret` and `app.settings.jwt_exp`.
 */
export async function applyBootstrap(dbUrl: string, jwt?: JwtDatabaseSettings): Promise<string[]> {
	const sql = connect(dbUrl);
	const applied: string[] = [];
	try {
		await sql.unsafe(`create schema if not exists supabase_local;
			create table if not exists supabase_local.bootstrap (name text primary key, hash text not null, applied_at timestamptz not null default now());
			revoke all on schema supabase_local from public;`);
		const done = new Map(
			(await sql`select name, hash from supabase_local.bootstrap`).map((r) => [r.name as string, r.hash as string])
		);
		const files = (await readdir(BOOTSTRAP_DIR)).filter((f) => f.endsWith('.sql')).sort();
		for (const file of files) {
			const text = await readFile(path.join(BOOTSTRAP_DIR, file), 'utf8');
			const hash = sha256(text);
			if (done.get(file) === hash) continue;
			try {
				await sql.begin(async (tx) => {
					await tx.unsafe(text);
					await tx`insert into supabase_local.bootstrap (name, hash) values (${file}, ${hash})
						on conflict (name) do update set hash = excluded.hash, applied_at = now()`;
				});
			} catch (error) {
				throw new MigrationError(`bootstrap/${file}`, error);
			}
			applied.push(file);
		}
		if (jwt) {
			const [db] = await sql`select current_database() as name,
				coalesce((select setconfig from pg_db_role_setting where setrole = 0 and setdatabase = (select oid from pg_database where datname = current_database())), '{}') as settings`;
			const wanted = [`app.settings.jwt_secret=${jwt.jwtSecret}`, `app.settings.jwt_exp=${jwt.jwtExpiry}`];
			// Only when they changed: ALTER DATABASE is cheap, but a restart should not write.
			if (wanted.some((setting) => !(db.settings as string[]).includes(setting))) {
				const ident = '"' + (db.name as string).replace(/"/g, '""') + '"';
				await sql.unsafe(`alter database ${ident} set "app.settings.jwt_secret" to ${literal(jwt.jwtSecret)}`);
				await sql.unsafe(`alter database ${ident} set "app.settings.jwt_exp" to ${literal(String(jwt.jwtExpiry))}`);
			}
		}
	} finally {
		await sql.end();
	}
	return applied;
}

const literal = (text: string) => "'" + text.replace(/'/g, "''") + "'";

export interface MigrationFile {
	version: string;
	name: string;
	file: string;
}

/** `<timestamp>_<name>.sql` files of `supabase/migrations`, in filename order. */
export async function listMigrations(workdir: string): Promise<MigrationFile[]> {
	const dir = path.join(workdir, 'supabase', 'migrations');
	if (!existsSync(dir)) return [];
	return (await readdir(dir))
		.filter((f) => /^\d+_.*\.sql$/.test(f))
		.sort()
		.map((file) => {
			const [, version, name] = /^(\d+)_(.*)\.sql$/.exec(file)!;
			return { version, name, file: path.join(dir, file) };
		});
}

/**
 * Splits a migration into statements the way the CLI records them: on semicolons outside
 * quotes, dollar quotes, comments and BEGIN ATOMIC bodies are kept together.
 */
export function splitStatements(text: string): string[] {
	const out: string[] = [];
	let start = 0;
	let i = 0;
	const n = text.length;
	while (i < n) {
		const c = text[i];
		if (c === '-' && text[i + 1] === '-') {
			const end = text.indexOf('\n', i);
			i = end === -1 ? n : end + 1;
		} else if (c === '/' && text[i + 1] === '*') {
			const end = text.indexOf('*/', i + 2);
			i = end === -1 ? n : end + 2;
		} else if (c === "'" || c === '"') {
			i++;
			while (i < n) {
				if (text[i] === c && text[i + 1] === c) i += 2;
				else if (text[i] === c) break;
				else i++;
			}
			i++;
		} else if (c === '$') {
			const tag = /^\$[A-Za-z_0-9]*\$/.exec(text.slice(i, i + 64));
			if (tag) {
				const end = text.indexOf(tag[0], i + tag[0].length);
				i = end === -1 ? n : end + tag[0].length;
			} else i++;
		} else if (c === ';') {
			const statement = text.slice(start, i + 1).trim();
			if (statement.replace(/;$/, '').trim()) out.push(statement);
			start = i + 1;
			i++;
		} else i++;
	}
	const rest = text.slice(start).trim();
	if (rest && !/^(--[^\n]*\n?|\s)*$/.test(rest)) out.push(rest);
	return out;
}

/** Applies every migration not yet recorded; returns the versions applied. */
export async function applyMigrations(dbUrl: string, workdir: string): Promise<string[]> {
	const sql = connect(dbUrl);
	const applied: string[] = [];
	try {
		const done = new Set(
			(await sql`select version from supabase_migrations.schema_migrations`).map((r) => r.version as string)
		);
		for (const migration of await listMigrations(workdir)) {
			if (done.has(migration.version)) continue;
			const text = await readFile(migration.file, 'utf8');
			try {
				await sql.begin(async (tx) => {
					await tx.unsafe(text);
					await tx`insert into supabase_migrations.schema_migrations (version, name, statements)
						values (${migration.version}, ${migration.name}, ${splitStatements(text)})`;
				});
			} catch (error) {
				throw new MigrationError(path.basename(migration.file), error);
			}
			applied.push(migration.version);
		}
		// PostgREST's schema cache reload signal, as `supabase migration up` triggers it.
		if (applied.length > 0) await sql`notify pgrst, 'reload schema'`;
	} finally {
		await sql.end();
	}
	return applied;
}

async function expandSeedPaths(workdir: string, patterns: string[]): Promise<string[]> {
	const base = path.join(workdir, 'supabase');
	const files: string[] = [];
	for (const pattern of patterns) {
		const full = path.resolve(base, pattern);
		if (!pattern.includes('*')) {
			if (existsSync(full)) files.push(full);
			continue;
		}
		const dir = path.dirname(full);
		if (!existsSync(dir)) continue;
		const re = new RegExp('^' + path.basename(full).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
		for (const f of (await readdir(dir)).sort()) if (re.test(f)) files.push(path.join(dir, f));
	}
	return [...new Set(files)];
}

/** Runs the seed files (config `[db.seed] sql_paths`, default `./seed.sql`). */
export async function applySeed(dbUrl: string, workdir: string, patterns: string[]): Promise<string[]> {
	const sql = connect(dbUrl);
	const applied: string[] = [];
	try {
		for (const file of await expandSeedPaths(workdir, patterns)) {
			const text = await readFile(file, 'utf8');
			const rel = path.relative(workdir, file);
			try {
				await sql.begin(async (tx) => {
					await tx.unsafe(text);
					await tx`insert into supabase_migrations.seed_files (path, hash) values (${rel}, ${sha256(text)})
						on conflict (path) do update set hash = excluded.hash`;
				});
			} catch (error) {
				throw new MigrationError(rel, error);
			}
			applied.push(rel);
		}
	} finally {
		await sql.end();
	}
	return applied;
}

/** True when the database has never been set up by this runtime. */
export async function isFreshDatabase(dbUrl: string): Promise<boolean> {
	const sql = connect(dbUrl);
	try {
		const [row] = await sql`select to_regclass('supabase_migrations.schema_migrations') is null as fresh`;
		return row.fresh as boolean;
	} finally {
		await sql.end();
	}
}

/**
 * Drops and recreates the database named in `dbUrl` (connecting through template1).
 * Logical replication slots on it (Realtime's postgres_changes) block the drop, so their
 * sessions are ended and leftover slots dropped first; a listener that reconnects in
 * between is ended again on the next try.
 */
export async function recreateDatabase(dbUrl: string): Promise<void> {
	const url = new URL(dbUrl);
	const name = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
	url.pathname = '/template1';
	const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
	const ident = '"' + name.replace(/"/g, '""') + '"';
	try {
		for (let attempt = 0; ; attempt++) {
			await sql`select pg_terminate_backend(active_pid) from pg_replication_slots where database = ${name} and active_pid is not null`;
			await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = ${name} and not active and not temporary`;
			try {
				await sql.unsafe(`drop database if exists ${ident} with (force)`);
				break;
			} catch (error) {
				if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
				await new Promise((r) => setTimeout(r, 100));
			}
		}
		await sql.unsafe(`create database ${ident}`);
	} finally {
		await sql.end();
	}
}
