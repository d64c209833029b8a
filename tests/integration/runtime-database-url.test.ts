/**
 * A database named by DATABASE_URL that does not let `authenticator` log in (a managed
 * server, a strict pg_hba.conf): REST falls back to the URL's own user and becomes the
 * request's role itself, so row-level security holds exactly as through `authenticator`,
 * and a role `authenticator` could not become is refused as PostgreSQL would refuse it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startLocalSupabase, type LocalSupabase } from '../../supabase/local/index.ts';
import { startEmbeddedPostgres, type DatabaseHandle } from '../../supabase/local/postgres.ts';
import { makeProject, type TempProject } from '../support/project.ts';
import { rest, restClient, signUserJwt, type TestUser } from '../support/rest.ts';

const MIGRATION = `
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null default auth.uid(),
  body text not null
);
alter table public.notes enable row level security;
create policy "own notes" on public.notes for all to authenticated using (owner_id = auth.uid()) with check (owner_id = auth.uid());
grant select, insert on public.notes to authenticated;

create table public.open_items (id int primary key, label text);
alter table public.open_items enable row level security;
create policy "anyone reads" on public.open_items for select to anon, authenticated using (true);
grant select on public.open_items to anon, authenticated;
insert into public.open_items values (1, 'open');

-- A role that exists but is not granted to authenticator.
create role auditor nologin;
grant select on public.notes to auditor;
`;

describe('DATABASE_URL without an authenticator login', () => {
	let external: DatabaseHandle;
	let project: TempProject;
	let runtime: LocalSupabase;
	let alice: TestUser;
	let bob: TestUser;

	beforeAll(async () => {
		const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'sb-noauth-')), 'db');
		external = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
		// This server refuses every login as authenticator, over TCP and the local socket.
		const hba = path.join(external.dataDir!, 'pg_hba.conf');
		writeFileSync(hba, `host all authenticator all reject\nlocal all authenticator reject\n${readFileSync(hba, 'utf8')}`);
		const sql = postgres(external.url, { max: 1, onnotice: () => {} });
		await sql`select pg_reload_conf()`;
		await sql.end();

		project = await makeProject({ migrations: { '20240101000000_notes.sql': MIGRATION } });
		runtime = await startLocalSupabase({ workdir: project.dir, port: 0, mailboxPort: 0, databaseUrl: external.url });
		alice = await signUserJwt(runtime, { email: 'fallback-alice@studio.test' });
		bob = await signUserJwt(runtime, { email: 'fallback-bob@studio.test' });
	}, 90_000);
	afterAll(async () => {
		await runtime?.stop();
		await external?.stop();
		await project?.remove();
	});

	it('cannot log in as authenticator on this server (the premise)', async () => {
		const url = new URL(external.url);
		url.username = 'authenticator';
		url.password = 'postgres';
		const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
		await expect(sql`select 1`).rejects.toMatchObject({ code: '28000' });
		await sql.end();
	});

	it('still serves every request as its JWT role, with row-level security intact', async () => {
		// The very first request is answered as the fallback decides, not with a login error.
		const anon = restClient(runtime);
		expect((await anon.from('open_items').select('label')).data).toEqual([{ label: 'open' }]);
		// anon holds the table grant (Supabase's default privileges) but no policy: nothing.
		const anonNotes = await anon.from('notes').select('body');
		expect(anonNotes.error).toBeNull();
		expect(anonNotes.data).toEqual([]);

		const asAlice = restClient(runtime, alice.jwt);
		const asBob = restClient(runtime, bob.jwt);
		expect((await asAlice.from('notes').insert({ body: 'alice only' })).error).toBeNull();
		expect((await asBob.from('notes').insert({ body: 'bob only' })).error).toBeNull();
		expect((await asAlice.from('notes').select('body, owner_id')).data).toEqual([{ body: 'alice only', owner_id: alice.id }]);
		expect((await asBob.from('notes').select('body')).data).toEqual([{ body: 'bob only' }]);
		// Writing as someone else is refused by the policy, as through authenticator.
		const forged = await asBob.from('notes').insert({ body: 'as alice', owner_id: alice.id });
		expect(forged.error?.code).toBe('42501');
	});

	it('refuses a role authenticator could not become, and one that does not exist', async () => {
		const auditor = await signUserJwt(runtime, { email: 'auditor@studio.test', role: 'auditor' });
		const asAuditor = await rest(runtime, '/notes?select=body', { headers: { authorization: `Bearer ${auditor.jwt}` } });
		expect(asAuditor.status).toBe(403);
		expect(await asAuditor.json()).toMatchObject({ code: '42501', message: 'permission denied to set role "auditor"' });

		const ghost = await signUserJwt(runtime, { email: 'ghost@studio.test', role: 'no_such_role' });
		const asGhost = await rest(runtime, '/notes?select=body', { headers: { authorization: `Bearer ${ghost.jwt}` } });
		// PostgREST 13 answers an unknown JWT role with 401, as its other JWT errors.
		expect(asGhost.status).toBe(401);
		expect(await asGhost.json()).toMatchObject({ code: '22023', message: 'role "no_such_role" does not exist' });
	});
});
