import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import postgres from 'postgres';
import { freePort, startLocalSupabase } from '../../supabase/local/index.ts';
import { MigrationError } from '../../supabase/local/migrate.ts';
import { startEmbeddedPostgres, type DatabaseHandle } from '../../supabase/local/postgres.ts';
import { makeProject, type TempProject } from '../support/project.ts';
import { client } from '../support/runtime.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
	for (const fn of cleanups.reverse()) await fn().catch(() => {});
});

async function project(files: Parameters<typeof makeProject>[0]): Promise<TempProject> {
	const p = await makeProject(files);
	cleanups.push(() => p.remove());
	return p;
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		return (await sql.unsafe(text)) as unknown as T[];
	} finally {
		await sql.end();
	}
}

describe('migrations and seed', () => {
	it('applies migrations in filename order, records them as the CLI does, and seeds a fresh database', async () => {
		const p = await project({
			migrations: {
				'20240102000000_second.sql': 'alter table public.notes add column body text;',
				'20240101000000_first.sql': 'create table public.notes (id bigint generated always as identity primary key, title text not null);'
			},
			seed: "insert into public.notes (title, body) values ('from seed', 'hello');"
		});
		const sb = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
		cleanups.push(() => sb.stop());
		const recorded = await query<{ version: string; name: string; n: number }>(
			sb.dbUrl,
			'select version, name, array_length(statements, 1) as n from supabase_migrations.schema_migrations order by version'
		);
		expect(recorded).toEqual([
			{ version: '20240101000000', name: 'first', n: 1 },
			{ version: '20240102000000', name: 'second', n: 1 }
		]);
		const notes = await query<{ title: string; body: string }>(sb.dbUrl, 'select title, body from public.notes');
		expect(notes).toEqual([{ title: 'from seed', body: 'hello' }]);
		const seeds = await query<{ path: string }>(sb.dbUrl, 'select path from supabase_migrations.seed_files');
		expect(seeds).toEqual([{ path: path.join('supabase', 'seed.sql') }]);
	});

	it('stops at a failing migration, naming the file and PostgreSQL error, and applies nothing after it', async () => {
		const external = await startEmbeddedPostgres({
			dataDir: path.join(mkdtempSync(path.join(tmpdir(), 'sb-ext-')), 'db'),
			port: await freePort(),
			ephemeral: true
		});
		cleanups.push(() => external.stop());
		const p = await project({
			migrations: {
				'20240101000000_ok.sql': 'create table public.a (id int primary key);',
				'20240102000000_broken.sql': 'create table public.b (id int primary key);\ninsert into public.missing values (1);',
				'20240103000000_after.sql': 'create table public.c (id int primary key);'
			}
		});
		const error = await startLocalSupabase({ workdir: p.dir, port: 0, mailboxPort: 0, databaseUrl: external.url }).catch((e) => e);
		expect(error).toBeInstanceOf(MigrationError);
		expect(error.message).toContain('20240102000000_broken.sql');
		expect(error.message).toContain('relation "public.missing" does not exist');
		const tables = await query<{ a: boolean; b: boolean; c: boolean }>(
			external.url,
			"select to_regclass('public.a') is not null as a, to_regclass('public.b') is not null as b, to_regclass('public.c') is not null as c"
		);
		expect(tables).toEqual([{ a: true, b: false, c: false }]);
		const versions = await query<{ version: string }>(external.url, 'select version from supabase_migrations.schema_migrations');
		expect(versions).toEqual([{ version: '20240101000000' }]);
	});

	it('reset drops the data, replays migrations and the seed', async () => {
		const p = await project({
			migrations: { '20240101000000_t.sql': 'create table public.t (v text);' },
			seed: "insert into public.t values ('seeded');"
		});
		const sb = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
		cleanups.push(() => sb.stop());
		await query(sb.dbUrl, "insert into public.t values ('mine')");
		expect((await query<{ n: number }>(sb.dbUrl, 'select count(*)::int as n from public.t'))[0].n).toBe(2);
		await sb.reset();
		expect(await query<{ v: string }>(sb.dbUrl, 'select v from public.t')).toEqual([{ v: 'seeded' }]);
	});

	it('reset works while Realtime listens for postgres_changes, and the API serves the new database', async () => {
		const p = await project({
			migrations: { '20240101000000_t.sql': 'create table public.t (v text); grant select on public.t to anon; alter publication supabase_realtime add table public.t;' },
			seed: "insert into public.t values ('seeded');"
		});
		const sb = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
		cleanups.push(() => sb.stop());
		const db = client(sb);
		const channel = db.channel('changes').on('postgres_changes', { event: '*', schema: 'public', table: 't' }, () => {});
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no subscription')), 8000);
			channel.subscribe((status) => status === 'SUBSCRIBED' && (clearTimeout(timer), resolve()));
		});
		await query(sb.dbUrl, "insert into public.t values ('mine')");
		await sb.reset();
		const { data } = await db.from('t').select('v');
		expect(data).toEqual([{ v: 'seeded' }]);
		await db.removeAllChannels();
	});
});

describe('DATABASE_URL', () => {
	let external: DatabaseHandle;

	it('runs against an existing PostgreSQL the runtime did not start', async () => {
		external = await startEmbeddedPostgres({
			dataDir: path.join(mkdtempSync(path.join(tmpdir(), 'sb-ext-')), 'db'),
			port: await freePort(),
			ephemeral: true
		});
		cleanups.push(() => external.stop());
		const p = await project({ migrations: { '20240101000000_t.sql': 'create table public.t (v text);' } });
		const sb = await startLocalSupabase({ workdir: p.dir, port: 0, mailboxPort: 0, databaseUrl: external.url });
		cleanups.push(() => sb.stop());
		expect(sb.dbUrl).toBe(external.url);
		const [row] = await query<{ users: boolean; t: boolean }>(
			external.url,
			"select to_regclass('auth.users') is not null as users, to_regclass('public.t') is not null as t"
		);
		expect(row).toEqual({ users: true, t: true });
		await sb.stop();
		// Stopping the runtime leaves a server it did not start running.
		expect(await query<{ one: number }>(external.url, 'select 1 as one')).toEqual([{ one: 1 }]);
	});
});

describe('restarts', () => {
	it('keeps the data across a stop and start on the same data folder', async () => {
		const p = await project({ migrations: { '20240101000000_t.sql': 'create table public.t (v text);' } });
		const dataDir = path.join(p.dir, 'data');
		const dbPort = await freePort();
		const first = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort, mailboxPort: 0, dataDir, databaseUrl: '' });
		await query(first.dbUrl, "insert into public.t values ('kept')");
		await first.stop();
		const second = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort, mailboxPort: 0, dataDir, databaseUrl: '' });
		cleanups.push(() => second.stop());
		expect(await query<{ v: string }>(second.dbUrl, 'select v from public.t')).toEqual([{ v: 'kept' }]);
	}, 90_000);

	it('recovers from a PostgreSQL left running by a killed process', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'sb-orphan-'));
		cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
		const dataDir = path.join(dir, 'db');
		const port = await freePort();
		const script = `
			import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve('supabase/local/postgres.ts'))};
			await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} });
			console.log('READY');
			setInterval(() => {}, 1000);`;
		const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('child did not start PostgreSQL')), 30_000);
			child.stdout!.on('data', (d) => String(d).includes('READY') && (clearTimeout(timer), resolve()));
		});
		child.kill('SIGKILL');
		await new Promise((r) => child.once('exit', r));
		expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
		const db = await startEmbeddedPostgres({ dataDir, port });
		cleanups.push(() => db.stop());
		expect(await query<{ one: number }>(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
	}, 90_000);
});

describe('the CLI with --workdir', () => {
	it('serves another project from its config.toml, reports unhonoured settings, prints status and stops', async () => {
		const [apiPort, dbPort, mailPort] = [await freePort(), await freePort(), await freePort()];
		const p = await project({
			config: `project_id = "other"\n[api]\nport = ${apiPort}\nmax_rows = 5\n[db]\nport = ${dbPort}\n[inbucket]\nport = ${mailPort}\n[studio]\nport = 54323\n[auth]\nsite_url = "http://example.test"\n`,
			migrations: { '20240101000000_t.sql': 'create table public.items (id int primary key); grant select on public.items to anon;' },
			seed: 'insert into public.items select generate_series(1, 3);'
		});
		// As the npm scripts run it: the CLI from the runtime's bundle, rebuilt if a source changed.
		const cli = [path.resolve('supabase/local/launch.mjs'), 'cli'];
		const child = spawn(process.execPath, [...cli, 'start', '--workdir', p.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout!.on('data', (d) => (output += d));
		child.stderr!.on('data', (d) => (output += d));
		cleanups.push(async () => void child.kill('SIGINT'));
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${output}`)), 100_000);
			child.stdout!.on('data', () => output.includes('Ctrl-C') && (clearTimeout(timer), resolve()));
			child.once('exit', () => reject(new Error(`CLI exited:\n${output}`)));
		});
		expect(output).toContain('does not honour');
		expect(output).toContain('studio.port');
		expect(output).toContain(`API URL: http://127.0.0.1:${apiPort}`);
		expect(output).toContain(`postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`);

		const status = await new Promise<string>((resolve) => {
			const s = spawn(process.execPath, [...cli, 'status', '--workdir', p.dir, '-o', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
			let out = '';
			s.stdout!.on('data', (d) => (out += d));
			s.on('close', () => resolve(out));
		});
		const parsed = JSON.parse(status);
		expect(parsed.API_URL).toBe(`http://127.0.0.1:${apiPort}`);
		expect(parsed.PUBLISHABLE_KEY).toMatch(/^sb_publishable_/);

		const sql = postgres(parsed.DB_URL, { max: 1, onnotice: () => {} });
		const rows = await sql`select count(*)::int as n from public.items`;
		await sql.end();
		expect(rows[0].n).toBe(3);

		const exited = new Promise((r) => child.once('exit', (code) => r(code)));
		await new Promise<void>((resolve) => {
			const s = spawn(process.execPath, [...cli, 'stop', '--workdir', p.dir], { stdio: 'ignore' });
			s.on('close', () => resolve());
		});
		expect(await exited).toBe(0);
		expect(existsSync(path.join(p.dir, 'supabase', '.local', 'state.json'))).toBe(false);
	}, 120_000);
});

describe('the gateway', () => {
	it('serves a request without an API key as anon (as the CLI does) and refuses a wrong key (as hosted Supabase does)', async () => {
		const p = await project({ migrations: { '20240101000000_t.sql': 'create table public.t (v text); grant select on public.t to anon; insert into public.t values (\'seen\');' } });
		const sb = await startLocalSupabase({ workdir: p.dir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
		cleanups.push(() => sb.stop());
		const none = await fetch(`${sb.url}/rest/v1/t?select=v`);
		expect(none.status).toBe(200);
		expect(await none.json()).toEqual([{ v: 'seen' }]);
		// Without a key, a bad bearer token is still the API's to refuse.
		const badToken = await fetch(`${sb.url}/rest/v1/t?select=v`, { headers: { authorization: 'Bearer not.a.jwt' } });
		expect(badToken.status).toBe(401);
		expect((await badToken.json()).code).toMatch(/^PGRST30/);
		const wrong = await fetch(`${sb.url}/rest/v1/`, { headers: { apikey: 'not-a-key' } });
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
		// A supabase-js client built with the publishable key gets past the gateway.
		expect(client(sb, sb.publishableKey)).toBeDefined();
		// A legacy key minted with the project's JWT secret is accepted for its role; one with
		// another secret, an expired one or one for another role is not.
		const mint = (claims: Record<string, unknown>, secret = sb.jwtSecret) =>
			new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
		const now = Math.floor(Date.now() / 1000);
		const keyed = async (apikey: string) => (await fetch(`${sb.url}/rest/v1/t?select=v`, { headers: { apikey } })).status;
		expect(await keyed(await mint({ role: 'anon', iss: 'supabase', exp: now + 3600 }))).toBe(200);
		expect(await keyed(await mint({ role: 'anon', exp: now + 3600 }, 'another-secret-of-at-least-32-characters'))).toBe(401);
		expect(await keyed(await mint({ role: 'anon', exp: now - 10 }))).toBe(401);
		expect(await keyed(await mint({ role: 'authenticated', exp: now + 3600 }))).toBe(401);
	});
});
