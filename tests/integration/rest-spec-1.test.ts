/**
 * Reads as PostgREST's own spec suite (test/spec/Feature/Query) pins them down, for the
 * behaviours where this runtime was found to differ when that suite's requests were
 * replayed against it: partitioned tables, relationships through views, empty embeds,
 * spreads, aggregates through spreads, parse errors and names beyond Latin-1. The
 * objects are made here, next to the REST fixture's, with a `spec1_` prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import path from 'node:path';
import { rest, restClient, restFixture, startRestRuntime } from '../support/rest.ts';
import { startTestRuntime } from '../support/runtime.ts';

const FIXTURE = `
create schema spec1_private;

create table public.spec1_cars (name text not null, year int not null, primary key (name, year)) partition by list (year);
create table public.spec1_cars_old partition of public.spec1_cars for values in (1981, 1997);
create table public.spec1_cars_new partition of public.spec1_cars default;
create table public.spec1_sales (id int primary key, car_name text, car_year int, quantity int,
  foreign key (car_name, car_year) references public.spec1_cars);
insert into public.spec1_cars values ('DeLorean', 1981), ('F310-B', 1997), ('Veneno', 2013);
insert into public.spec1_sales values (1, 'DeLorean', 1981, 5), (2, 'Veneno', 2013, 1);

create table public.spec1_clients (id int primary key, name text);
create table public.spec1_projects (id int primary key, name text, client_id int references public.spec1_clients);
create view public.spec1_projects_v as select * from public.spec1_projects;
create view public.spec1_projects_vv as select * from public.spec1_projects_v;
create materialized view public.spec1_projects_m as select id, name, client_id from public.spec1_projects;
create view public.spec1_clients_counted as
  select c.id, c.name, (select count(*) from public.spec1_projects p where p.client_id = c.id) as projects,
    (select p.id from public.spec1_projects p where p.client_id = c.id order by p.id desc limit 1) as last_project from public.spec1_clients c;
insert into public.spec1_clients values (1, 'Microsoft'), (2, 'Apple'), (3, null);
insert into public.spec1_projects values (1, 'Windows', 1), (2, 'OSX', 2), (3, 'IOS', 2), (4, 'Orphan', null), (5, 'Nameless', 3);
refresh materialized view public.spec1_projects_m;

create table spec1_private.actors (id int primary key, name text);
create table spec1_private.films (id int primary key, title text);
create table spec1_private.roles (film_id int references spec1_private.films, actor_id int references spec1_private.actors, primary key (film_id, actor_id));
create view public.spec1_actors as select * from spec1_private.actors;
create view public.spec1_films as select * from spec1_private.films;
create view public.spec1_roles as select * from spec1_private.roles;
insert into spec1_private.actors values (1, 'john'), (2, 'mary');
insert into spec1_private.films values (12, 'douze commandements'), (2001, 'odyssée de l''espace');
insert into spec1_private.roles values (12, 1), (2001, 2);

create table public.spec1_people (id int primary key);
create table public.spec1_movies (id int primary key);
create table spec1_private.castings (person_id int references public.spec1_people, movie_id int references public.spec1_movies, primary key (person_id, movie_id));

create table public.spec1_t1 (id int primary key);
create table public.spec1_t2 (t1_id int references public.spec1_t1);
create view public.spec1_v2 as select t1_id as first_id, t1_id as second_id from public.spec1_t2;
insert into public.spec1_t1 values (1);
insert into public.spec1_t2 values (1);

create domain public.spec1_tsvector as tsvector check (value is not null);
create table public.spec1_docs (id int primary key, body public.spec1_tsvector);
insert into public.spec1_docs values (1, to_tsvector('simple', 'it is kind of fun')), (2, to_tsvector('simple', 'nothing here'));

create table public.spec1_factories (id int primary key, name text);
create table public.spec1_processes (id int primary key, name text, factory_id int references public.spec1_factories);
create table public.spec1_costs (process_id int primary key references public.spec1_processes, cost numeric);
create table public.spec1_supervisions (process_id int references public.spec1_processes, supervisor int, primary key (process_id, supervisor));
insert into public.spec1_factories values (1, 'A'), (2, 'B'), (3, 'Empty');
insert into public.spec1_processes values (1, 'A1', 1), (2, 'A2', 1), (3, 'B1', 2);
insert into public.spec1_costs values (1, 100), (2, 50), (3, 40);
insert into public.spec1_supervisions values (1, 10), (2, 10), (3, 10), (3, 20);

create domain public.spec1_color as int;
create function public.spec1_color(text) returns public.spec1_color immutable language sql
  as $$ select (('x' || lpad(ltrim($1, '#'), 8, '0'))::bit(32)::int)::public.spec1_color $$;
create function public.json(public.spec1_color) returns json immutable language sql
  as $$ select case when $1 is null then to_json(''::text) else to_json('#' || lpad(upper(to_hex($1)), 6, '0')) end $$;
create cast (public.spec1_color as json) with function public.json(public.spec1_color) as implicit;
create cast (text as public.spec1_color) with function public.spec1_color(text) as implicit;
create table public.spec1_labels (id int primary key, color public.spec1_color);
insert into public.spec1_labels values (1, 0), (2, 256), (3, 123456), (4, null);
create function public.spec1_color(json) returns public.spec1_color immutable language sql as $$ select public.spec1_color($1 #>> '{}') $$;
create cast (json as public.spec1_color) with function public.spec1_color(json) as implicit;
create table public.spec1_swatches (id int primary key, color public.spec1_color);
grant insert, update on public.spec1_swatches to anon;

create table public."موارد" ("هویت" int);
insert into public."موارد" values (1);

grant usage on schema public to anon;
grant select on all tables in schema public to anon;
`;

describe('REST reads as PostgREST spec suite pins them down', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		const sql = postgres(runtime.dbUrl, { max: 1, onnotice: () => {} });
		await sql.unsafe(FIXTURE);
		await sql`alter role authenticator set pgrst.db_aggregates_enabled = 'true'`;
		await sql`notify pgrst, 'reload config'`;
		await sql.end();
		db = restClient(runtime);
		// The reload is asynchronous: wait until the new tables and settings are served.
		for (let i = 0; i < 50; i++) {
			const res = await rest(runtime, '/spec1_costs?select=cost.sum()');
			if (res.status === 200) break;
			await new Promise((r) => setTimeout(r, 100));
		}
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	describe('partitioned tables', () => {
		it('serves the partitioned table and embeds through its keys, but not its partitions', async () => {
			const { data, error } = await db.from('spec1_cars').select('name, spec1_sales(quantity)').order('name');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ name: 'DeLorean', spec1_sales: [{ quantity: 5 }] },
				{ name: 'F310-B', spec1_sales: [] },
				{ name: 'Veneno', spec1_sales: [{ quantity: 1 }] }
			]);
			const partition = await rest(runtime, '/spec1_cars_old');
			expect(partition.status).toBe(404);
			expect(await partition.json()).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'public.spec1_cars_old' in the schema cache" });
		});

		it('reports a missing relationship before an unknown column, as PostgREST leaves columns to PostgreSQL', async () => {
			const res = await rest(runtime, '/spec1_sales?select=id,nope,spec1_cars_old(name)');
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: 'PGRST200', message: "Could not find a relationship between 'spec1_sales' and 'spec1_cars_old' in the schema cache" });
		});
	});

	describe('relationships through views', () => {
		it('follows views over views and materialized views to the base tables', async () => {
			const vv = await db.from('spec1_projects_vv').select('name, spec1_clients(name)').eq('id', 1);
			expect(vv.error).toBeNull();
			expect(vv.data).toEqual([{ name: 'Windows', spec1_clients: { name: 'Microsoft' } }]);
			const m = await db.from('spec1_clients').select('name, spec1_projects_m(name)').eq('id', 1);
			expect(m.error).toBeNull();
			expect(m.data).toEqual([{ name: 'Microsoft', spec1_projects_m: [{ name: 'Windows' }] }]);
		});

		it('reads the key of a view whose columns hold subqueries from its own columns only', async () => {
			const { data, error } = await db.from('spec1_clients_counted').select('name, projects, last_project, spec1_projects(name)').eq('id', 2);
			expect(error).toBeNull();
			expect(data).toEqual([{ name: 'Apple', projects: 2, last_project: 3, spec1_projects: [{ name: 'OSX' }, { name: 'IOS' }] }]);
		});

		it('embeds many-to-many through an exposed view of a junction in an internal schema', async () => {
			const { data, error } = await db.from('spec1_actors').select('name, spec1_films(title)').order('id');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ name: 'john', spec1_films: [{ title: 'douze commandements' }] },
				{ name: 'mary', spec1_films: [{ title: "odyssée de l'espace" }] }
			]);
		});

		it('suggests no other table when the only way runs through an internal junction', async () => {
			const res = await rest(runtime, '/spec1_people?select=spec1_movies(*)');
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: 'PGRST200', hint: null });
		});

		it('offers one relationship per view column showing the same base column', async () => {
			const ambiguous = await rest(runtime, '/spec1_v2?select=*,spec1_t1(*)');
			expect(ambiguous.status).toBe(300);
			const body = await ambiguous.json();
			expect(body.details.map((d: { relationship: string }) => d.relationship)).toEqual([
				'spec1_t2_t1_id_fkey using spec1_v2(first_id) and spec1_t1(id)',
				'spec1_t2_t1_id_fkey using spec1_v2(second_id) and spec1_t1(id)'
			]);
			const { data, error } = await db.from('spec1_v2').select('second_id, spec1_t1!second_id(id)');
			expect(error).toBeNull();
			expect(data).toEqual([{ second_id: 1, spec1_t1: { id: 1 } }]);
		});
	});

	describe('embeds and spreads', () => {
		it('leaves out an embed that selects nothing but empty embeds, still joining it', async () => {
			const { data, error } = await db.from('spec1_clients').select('id, spec1_projects!inner(spec1_clients())').order('id');
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
		});

		it('keeps a to-one embed whose selected columns are all null under not.is.null', async () => {
			const { data, error } = await db.from('spec1_projects').select('name, spec1_clients(name)').not('spec1_clients', 'is', null).order('id');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ name: 'Windows', spec1_clients: { name: 'Microsoft' } },
				{ name: 'OSX', spec1_clients: { name: 'Apple' } },
				{ name: 'IOS', spec1_clients: { name: 'Apple' } },
				{ name: 'Nameless', spec1_clients: { name: null } }
			]);
		});

		it('filters to-many spreads with !inner and with is.null', async () => {
			const inner = await db.from('spec1_factories').select('name, ...spec1_processes!inner(process:name)').order('id');
			expect(inner.error).toBeNull();
			expect(inner.data).toEqual([
				{ name: 'A', process: ['A1', 'A2'] },
				{ name: 'B', process: ['B1'] }
			]);
			const none = await db.from('spec1_factories').select('name, ...spec1_processes(process:name)').is('spec1_processes', null);
			expect(none.error).toBeNull();
			expect(none.data).toEqual([{ name: 'Empty', process: [] }]);
		});
	});

	describe('aggregates through spreads', () => {
		it('counts the rows of a to-one spread in its parent', async () => {
			const { data, error } = await db.from('spec1_supervisions').select('supervisor, ...spec1_processes(count())').order('supervisor');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ supervisor: 10, count: 3 },
				{ supervisor: 20, count: 1 }
			]);
		});

		it('applies an aggregate of a spread inside a spread at the first parent that is no spread', async () => {
			const { data, error } = await db.from('spec1_supervisions').select('...spec1_processes(factory_id, ...spec1_costs(cost.sum()))').order('spec1_processes(factory_id)');
			expect(error).toBeNull();
			expect(data).toEqual([
				{ factory_id: 1, sum: 150 },
				{ factory_id: 2, sum: 80 }
			]);
		});

		it('refuses aggregates in a to-many spread (PGRST127)', async () => {
			const res = await rest(runtime, '/spec1_factories?select=...spec1_processes(id.count())');
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({
				code: 'PGRST127',
				message: 'Feature not implemented',
				details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
				hint: null
			});
		});
	});

	describe('types and media types', () => {
		it('searches a column of a tsvector domain as a tsvector', async () => {
			const { data, error } = await db.from('spec1_docs').select('id').textSearch('body', 'fun', { config: 'simple' });
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 1 }]);
		});

		it('answers Accept: application/vnd.pgrst.array+json as application/json', async () => {
			const res = await rest(runtime, '/spec1_clients?select=id&id=eq.1', { headers: { Accept: 'application/vnd.pgrst.array+json' } });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
			expect(await res.json()).toEqual([{ id: 1 }]);
		});

		it('serves a table named beyond Latin-1, its Content-Location in UTF-8 bytes', async () => {
			const res = await rest(runtime, `/${encodeURIComponent('موارد')}`);
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual([{ هویت: 1 }]);
			expect(Buffer.from(res.headers.get('content-location')!, 'latin1').toString('utf8')).toBe('/موارد');
		});
	});

	describe('data representations', () => {
		it('writes a domain out through its implicit cast to json, under * too', async () => {
			const listed = await db.from('spec1_labels').select('id, shade:color').order('id');
			expect(listed.error).toBeNull();
			expect(listed.data).toEqual([
				{ id: 1, shade: '#000000' },
				{ id: 2, shade: '#000100' },
				{ id: 3, shade: '#01E240' },
				{ id: 4, shade: '' }
			]);
			const star = await db.from('spec1_labels').select().eq('id', 2);
			expect(star.data).toEqual([{ id: 2, color: '#000100' }]);
			const cast = await db.from('spec1_labels').select('color::text').eq('id', 2);
			expect(cast.data).toEqual([{ color: '"#000100"' }]);
		});

		it('reads body values through the implicit cast from json, in inserts and updates', async () => {
			const inserted = await db.from('spec1_swatches').insert([{ id: 1, color: '#01E240' }, { id: 2, color: '#000100' }]).select('id, color');
			expect(inserted.error).toBeNull();
			expect(inserted.data).toEqual([
				{ id: 1, color: '#01E240' },
				{ id: 2, color: '#000100' }
			]);
			const updated = await db.from('spec1_swatches').update({ color: '#FF0000' }).eq('id', 2).select('id, color::text');
			expect(updated.error).toBeNull();
			expect(updated.data).toEqual([{ id: 2, color: '"#FF0000"' }]);
			const raw = await db.from('spec1_swatches').select('id').eq('color', 'FF0000');
			expect(raw.data).toEqual([{ id: 2 }]);
		});

		it('reads filter values through the implicit cast from text', async () => {
			const eq = await db.from('spec1_labels').select('id').eq('color', '#000100');
			expect(eq.error).toBeNull();
			expect(eq.data).toEqual([{ id: 2 }]);
			const list = await db.from('spec1_labels').select('id').in('color', ['000100', '01E240']).order('id');
			expect(list.error).toBeNull();
			expect(list.data).toEqual([{ id: 2 }, { id: 3 }]);
		});
	});

	describe('query parameters', () => {
		it('ignores what follows an unmatched or an embed closing parenthesis in select and logic trees', async () => {
			const select = await rest(runtime, "/spec1_clients?select=id,spec1_projects(id))&id=eq.3");
			expect(select.status).toBe(200);
			expect(await select.json()).toEqual([{ id: 3, spec1_projects: [{ id: 5 }] }]);
			const quote = await rest(runtime, "/spec1_clients?select=id,spec1_projects(id)'&id=eq.3");
			expect(quote.status).toBe(200);
			const logic = await rest(runtime, '/spec1_clients?select=id&and=(id.eq.1,id.neq.2))');
			expect(await logic.json()).toEqual([{ id: 1 }]);
		});

		it('words parse errors as Parsec does', async () => {
			const order = await rest(runtime, '/spec1_clients?order=id.asc.nullslasttt');
			expect(await order.json()).toEqual({
				code: 'PGRST100',
				message: '"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)',
				details: 'unexpected \'t\' expecting "," or end of input',
				hint: null
			});
			const logic = await rest(runtime, '/spec1_clients?or=()');
			expect((await logic.json()).details).toBe('unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)');
			const json = await rest(runtime, '/spec1_clients?select=name->>--34');
			expect(await json.json()).toMatchObject({ message: '"failed to parse select parameter (name->>--34)" (line 1, column 9)', details: 'unexpected "-" expecting digit' });
			const key = await rest(runtime, '/spec1_clients?select=name->(x');
			expect((await key.json()).details).toBe('unexpected "(" expecting "-", digit or any non reserved character different from: .,>()');
		});

		it('words a mistyped order direction, field suffix or in-list as Parsec does', async () => {
			const details = async (query: string) => {
				const body = await (await rest(runtime, `/spec1_clients?${query}`)).json();
				return `${body.message.replace(/^.*\(line 1, /, '(')} ${body.details}`;
			};
			expect(await details('order=id.ac')).toBe('(column 4) unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"');
			expect(await details('order=id.descc')).toBe('(column 8) unexpected \'c\' expecting delimiter (.), "," or end of input');
			expect(await details('order=id.asc.nlsfst')).toBe('(column 8) unexpected "l" expecting "nullsfirst" or "nullslast"');
			expect(await details('select=name!hint')).toBe('(column 5) unexpected \'!\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input');
			expect(await details('select=*!hint')).toBe('(column 2) unexpected \'!\' expecting ")", "," or end of input');
			expect(await details('select=name::')).toBe('(column 7) unexpected end of input expecting letter or digit');
			expect(await details('or=(id.in.1,2,id.eq.3)')).toBe('(column 10) unexpected "1" expecting "("');
		});
	});
});

describe('REST with PostgREST\'s bare defaults (no extra search path, no max_rows)', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startTestRuntime({ workdir: path.join(restFixture, 'bare') });
		db = restClient(runtime, undefined, { schema: 'api' });
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('reads a body into a column whose domain lies outside the search path', async () => {
		const { data, error } = await db.from('tags').update({ name: 'crimson' }).eq('id', 1).select();
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 1, name: 'crimson' }]);
	});

	it('counts count=estimated as the larger of the exact and the planned count', async () => {
		const total = async (count: string) => (await rest(runtime, '/tags?select=id', { headers: { 'Accept-Profile': 'api', Prefer: `count=${count}` } })).headers.get('content-range')!.split('/')[1];
		const exact = Number(await total('exact'));
		const planned = Number(await total('planned'));
		expect(exact).toBe(3);
		expect(Number(await total('estimated'))).toBe(Math.max(exact, planned));
	});
});
