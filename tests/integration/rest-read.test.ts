/**
 * Reads through /rest/v1 as supabase-js sends them: columns, aliases, casts, JSON paths,
 * every kind of embedding, hints, !inner, spreads, filters, ordering, ranges, counts,
 * single / maybeSingle, CSV and views. Runs against the fixture catalogue (seed.sql).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

describe('REST reads', () => {
	let runtime: LocalSupabase;
	let db: SupabaseClient;
	beforeAll(async () => {
		runtime = await startRestRuntime();
		db = restClient(runtime);
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	describe('select', () => {
		it('returns the listed columns, with aliases and casts', async () => {
			const { data, error } = await db.from('films').select('id, name:title, year::text').eq('id', 2);
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 2, name: 'Rashomon', year: '1950' }]);
		});

		it('reads JSON paths with -> and ->>, naming the field by the last key', async () => {
			const { data, error } = await db.from('films').select('id, metadata->>lang, wins:metadata->awards->count, metadata->genres->0').eq('id', 2);
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 2, lang: 'ja', wins: 5, genres: 'mystery' }]);
		});

		it('selects every column with * (arrays, ranges and jsonb as JSON)', async () => {
			const { data, error } = await db.from('films').select('*').eq('id', 1).single();
			expect(error).toBeNull();
			expect(data).toMatchObject({ id: 1, title: 'Cleo from 5 to 7', tags: ['classic', 'paris'], showing: '[1,10)', metadata: { lang: 'fr' } });
		});

		it('serves computed fields (functions of the row)', async () => {
			const { data } = await db.from('films').select('title, title_upper').eq('id', 1);
			expect(data).toEqual([{ title: 'Cleo from 5 to 7', title_upper: 'CLEO FROM 5 TO 7' }]);
		});

		it('reads a view with its base table relationships', async () => {
			const { data, error } = await db.from('film_titles').select('title, directors(name)').eq('id', 1);
			expect(error).toBeNull();
			expect(data).toEqual([{ title: 'Cleo from 5 to 7', directors: { name: 'Agnès Varda' } }]);
		});
	});

	describe('embedding', () => {
		it('embeds many-to-one as an object', async () => {
			const { data } = await db.from('films').select('title, directors(name)').in('id', [1, 5]).order('id');
			expect(data).toEqual([
				{ title: 'Cleo from 5 to 7', directors: { name: 'Agnès Varda' } },
				{ title: 'Untitled', directors: null }
			]);
		});

		it('embeds one-to-many as an array (empty when nothing matches)', async () => {
			const { data } = await db.from('directors').select('name, films(title)').order('id');
			expect(data).toEqual([
				{ name: 'Agnès Varda', films: [{ title: 'Cleo from 5 to 7' }, { title: 'Vagabond' }] },
				{ name: 'Akira Kurosawa', films: [{ title: 'Rashomon' }, { title: 'Seven Samurai' }] },
				{ name: 'Nobody Yet', films: [] }
			]);
		});

		it('embeds one-to-one as an object from both sides', async () => {
			const { data } = await db.from('films').select('title, film_specs(runtime_minutes)').eq('id', 1);
			expect(data).toEqual([{ title: 'Cleo from 5 to 7', film_specs: { runtime_minutes: 90 } }]);
			const back = await db.from('film_specs').select('runtime_minutes, films(title)').eq('film_id', 2);
			expect(back.data).toEqual([{ runtime_minutes: 88, films: { title: 'Rashomon' } }]);
		});

		it('embeds many-to-many through the junction table', async () => {
			const { data } = await db.from('films').select('title, actors(name)').eq('id', 2);
			expect(data).toEqual([{ title: 'Rashomon', actors: [{ name: 'Toshiro Mifune' }, { name: 'Takashi Shimura' }] }]);
		});

		// Candidates in PostgREST's order of relationships (by constraint name here).
		it('asks for a hint when two foreign keys lead to the same table (PGRST201, 300)', async () => {
			const { data, error, status } = await db.from('films').select('title, people(name)').eq('id', 1);
			expect(data).toBeNull();
			expect(status).toBe(300);
			expect(error).toMatchObject({
				code: 'PGRST201',
				message: "Could not embed because more than one relationship was found for 'films' and 'people'",
				hint: "Try changing 'people' to one of the following: 'people!films_producer_id_fkey', 'people!films_writer_id_fkey'. Find the desired relationship in the 'details' key."
			});
			expect(error!.details).toEqual([
				{ embedding: 'films with people', cardinality: 'many-to-one', relationship: 'films_producer_id_fkey using films(producer_id) and people(id)' },
				{ embedding: 'films with people', cardinality: 'many-to-one', relationship: 'films_writer_id_fkey using films(writer_id) and people(id)' }
			]);
		});

		it('disambiguates with a constraint or a column hint', async () => {
			const { data } = await db.from('films').select('title, writer:people!films_writer_id_fkey(name), producer:people!producer_id(name)').eq('id', 1);
			expect(data).toEqual([{ title: 'Cleo from 5 to 7', writer: { name: 'Writer One' }, producer: { name: 'Producer Two' } }]);
		});

		it('embeds a self-reference both ways (parent by column, children by table)', async () => {
			const { data } = await db.from('categories').select('name, parent:parent_id(name), children:categories(name)').eq('id', 2);
			expect(data).toEqual([{ name: 'cinema', parent: { name: 'root' }, children: [{ name: 'classics' }] }]);
		});

		it('!inner drops parents without a match; a plain embed filter only empties the embed', async () => {
			const inner = await db.from('films').select('title, directors!inner(name)', { count: 'exact' }).eq('directors.name', 'Agnès Varda').order('id');
			expect(inner.count).toBe(2);
			expect(inner.data).toEqual([
				{ title: 'Cleo from 5 to 7', directors: { name: 'Agnès Varda' } },
				{ title: 'Vagabond', directors: { name: 'Agnès Varda' } }
			]);
			const left = await db.from('films').select('title, directors(name)').eq('directors.name', 'Agnès Varda').lte('id', 2).order('id');
			expect(left.data).toEqual([
				{ title: 'Cleo from 5 to 7', directors: { name: 'Agnès Varda' } },
				{ title: 'Rashomon', directors: null }
			]);
		});

		it('filters, orders and limits embedded resources', async () => {
			const { data } = await db
				.from('directors')
				.select('name, films(title, year)')
				.order('year', { referencedTable: 'films', ascending: false })
				.limit(1, { referencedTable: 'films' })
				.lt('id', 3)
				.order('id');
			expect(data).toEqual([
				{ name: 'Agnès Varda', films: [{ title: 'Vagabond', year: 1985 }] },
				{ name: 'Akira Kurosawa', films: [{ title: 'Seven Samurai', year: 1954 }] }
			]);
		});

		it('filters parents on whether an embed is null', async () => {
			const { data } = await db.from('directors').select('name, films!left(id)').not('films', 'is', null).order('id');
			expect(data!.map((d) => d.name)).toEqual(['Agnès Varda', 'Akira Kurosawa']);
			const none = await db.from('films').select('title, film_specs(film_id)').is('film_specs', null).order('id');
			expect(none.data!.map((f) => f.title)).toEqual(['Seven Samurai', 'Vagabond', 'Untitled']);
		});

		it('filters through an empty embed without returning it, and combines null filters with or', async () => {
			const { data } = await db.from('films').select('title, actors()').eq('actors.name', 'Toshiro Mifune').not('actors', 'is', null).order('id');
			expect(data).toEqual([{ title: 'Rashomon' }, { title: 'Seven Samurai' }]);
			const either = await db.from('films').select('id, film_specs(), directors()').or('film_specs.is.null,directors.is.null').order('id');
			expect(either.data).toEqual([{ id: 3 }, { id: 4 }, { id: 5 }]);
		});

		it('spreads a to-one embed into the parent row', async () => {
			const { data } = await db.from('films').select('title, ...directors(director:name)').eq('id', 3);
			expect(data).toEqual([{ title: 'Seven Samurai', director: 'Akira Kurosawa' }]);
		});

		it('spreads a to-many embed into correlated arrays', async () => {
			const { data } = await db.from('directors').select('name, ...films(titles:title, years:year)').order('year', { referencedTable: 'films' }).lt('id', 3).order('id');
			expect(data).toEqual([
				{ name: 'Agnès Varda', titles: ['Cleo from 5 to 7', 'Vagabond'], years: [1962, 1985] },
				{ name: 'Akira Kurosawa', titles: ['Rashomon', 'Seven Samurai'], years: [1950, 1954] }
			]);
		});

		it('embeds computed relationships (functions of the row returning rows)', async () => {
			const { data } = await db.from('directors').select('name, acclaimed_films(title)').lt('id', 3).order('id');
			expect(data).toEqual([
				{ name: 'Agnès Varda', acclaimed_films: [{ title: 'Cleo from 5 to 7' }] },
				{ name: 'Akira Kurosawa', acclaimed_films: [{ title: 'Rashomon' }, { title: 'Seven Samurai' }] }
			]);
			const one = await db.from('films').select('title, film_director(name)').eq('id', 3);
			expect(one.data).toEqual([{ title: 'Seven Samurai', film_director: { name: 'Akira Kurosawa' } }]);
		});

		it('answers PGRST200 for tables without a relationship', async () => {
			const { error, status } = await db.from('films').select('title, announcements(body)');
			expect(status).toBe(400);
			expect(error).toMatchObject({
				code: 'PGRST200',
				message: "Could not find a relationship between 'films' and 'announcements' in the schema cache",
				details: "Searched for a foreign key relationship between 'films' and 'announcements' in the schema 'public', but no matches were found."
			});
		});

		it('orders by a to-one embedded column, and refuses to order by a to-many one (PGRST118)', async () => {
			const { data } = await db.from('films').select('title, directors(name)').not('director_id', 'is', null).order('directors(name)', { ascending: false }).order('id');
			expect(data!.map((f) => f.title)).toEqual(['Rashomon', 'Seven Samurai', 'Cleo from 5 to 7', 'Vagabond']);
			const res = await rest(runtime, '/directors?select=name,films(title)&order=films(title)');
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: 'PGRST118' });
		});
	});

	describe('filters', () => {
		const ids = async (q: PromiseLike<{ data: { id: number }[] | null; error: unknown }>) => {
			const { data, error } = await q;
			expect(error).toBeNull();
			return data!.map((r) => r.id);
		};
		const films = () => db.from('films').select('id').order('id');

		it('compares with eq neq gt gte lt lte', async () => {
			expect(await ids(films().eq('year', 1950))).toEqual([2]);
			expect(await ids(films().neq('year', 1950))).toEqual([1, 3, 4]);
			expect(await ids(films().gt('year', 1954))).toEqual([1, 4]);
			expect(await ids(films().gte('year', 1954))).toEqual([1, 3, 4]);
			expect(await ids(films().lt('rating', 8))).toEqual([4]);
			expect(await ids(films().lte('rating', 8))).toEqual([1, 4]);
		});

		it('matches patterns with like ilike match imatch', async () => {
			expect(await ids(films().like('title', '%Samurai'))).toEqual([3]);
			expect(await ids(films().ilike('title', '%RASH%'))).toEqual([2]);
			expect(await ids(films().match({ id: 1 }))).toEqual([1]);
			expect(await ids(films().filter('title', 'match', '^S'))).toEqual([3]);
			expect(await ids(films().filter('title', 'imatch', '^v'))).toEqual([4]);
		});

		it('tests with is, isdistinct, in', async () => {
			expect(await ids(films().is('year', null))).toEqual([5]);
			expect(await ids(films().filter('director_id', 'isdistinct', 2))).toEqual([1, 4, 5]);
			expect(await ids(films().in('id', [1, 3, 9]))).toEqual([1, 3]);
			expect(await ids(films().in('title', ['Rashomon', 'Cleo from 5 to 7']))).toEqual([1, 2]);
		});

		it('works on arrays, ranges and jsonb with cs cd ov sl sr nxr nxl adj', async () => {
			expect(await ids(films().contains('tags', ['japan']))).toEqual([2, 3]);
			expect(await ids(films().containedBy('tags', ['classic', 'paris', 'japan']))).toEqual([1, 2, 4, 5]);
			expect(await ids(films().overlaps('tags', ['epic', 'paris']))).toEqual([1, 3]);
			expect(await ids(films().contains('metadata', { lang: 'ja' }))).toEqual([2, 3]);
			expect(await ids(films().rangeLt('showing', '[15,16)'))).toEqual([1]);
			expect(await ids(films().rangeGt('showing', '[10,12)'))).toEqual([3]);
			expect(await ids(films().rangeGte('showing', '[5,6)'))).toEqual([2, 3]);
			expect(await ids(films().rangeLte('showing', '[1,10)'))).toEqual([1]);
			expect(await ids(films().rangeAdjacent('showing', '[10,15)'))).toEqual([1]);
			expect(await ids(films().overlaps('showing', '[8,9)'))).toEqual([1, 2]);
		});

		it('searches text with fts plfts phfts wfts', async () => {
			expect(await ids(films().textSearch('search', 'samurai', { config: 'english' }))).toEqual([3]);
			expect(await ids(films().textSearch('search', 'seven samurai', { type: 'plain', config: 'english' }))).toEqual([3]);
			expect(await ids(films().textSearch('search', 'from 5', { type: 'phrase', config: 'english' }))).toEqual([1]);
			expect(await ids(films().textSearch('search', 'samurai or rashomon', { type: 'websearch', config: 'english' }))).toEqual([2, 3]);
			expect(await ids(films().textSearch('title', 'vagabond'))).toEqual([4]);
		});

		it('negates with not, and combines with or / and, nested', async () => {
			expect(await ids(films().not('year', 'is', null).not('director_id', 'eq', 2))).toEqual([1, 4]);
			expect(await ids(films().or('year.lt.1951,and(rating.gte.8.6,year.gt.1950)'))).toEqual([2, 3]);
			expect(await ids(films().or('id.eq.1,not.and(year.gt.1950,year.lt.1980)'))).toEqual([1, 2, 4]);
			expect(await ids(films().or('title.eq.Rashomon', { referencedTable: undefined }).or('id.eq.2,id.eq.3'))).toEqual([2]);
		});

		it('applies any / all modifiers', async () => {
			expect(await ids(films().likeAnyOf('title', ['R%', 'V%']))).toEqual([2, 4]);
			expect(await ids(films().likeAllOf('title', ['%a%', '%o%']))).toEqual([2, 4]);
			expect(await ids(films().filter('year', 'gt(any)', '{1980,2000}'))).toEqual([4]);
		});

		it('filters embedded resources with or', async () => {
			const { data } = await db.from('directors').select('name, films(title)').or('year.lt.1951,year.gt.1980', { referencedTable: 'films' }).lt('id', 3).order('id');
			expect(data).toEqual([
				{ name: 'Agnès Varda', films: [{ title: 'Vagabond' }] },
				{ name: 'Akira Kurosawa', films: [{ title: 'Rashomon' }] }
			]);
		});

		it('answers PGRST100 for a malformed filter and 42703 for an unknown column', async () => {
			const bad = await rest(runtime, '/films?id=xx.1');
			expect(bad.status).toBe(400);
			expect(await bad.json()).toEqual({
				code: 'PGRST100',
				message: '"failed to parse filter (xx.1)" (line 1, column 1)',
				details: 'unexpected "x" expecting "not" or operator (eq, gt, ...)',
				hint: null
			});
			const { error, status } = await db.from('films').select('nope');
			expect(status).toBe(400);
			expect(error).toMatchObject({ code: '42703', message: 'column films.nope does not exist' });
		});
	});

	describe('shape', () => {
		it('orders with nullsfirst / nullslast', async () => {
			const { data } = await db.from('films').select('id').order('year', { ascending: false, nullsFirst: true });
			expect(data!.map((r) => r.id)).toEqual([5, 4, 1, 3, 2]);
			const last = await db.from('films').select('id').order('year', { ascending: true, nullsFirst: false });
			expect(last.data!.map((r) => r.id)).toEqual([2, 3, 1, 4, 5]);
		});

		it('limits and ranges, answering Content-Range', async () => {
			const { data, count, status } = await db.from('films').select('id', { count: 'exact' }).order('id').range(1, 2);
			expect(data).toEqual([{ id: 2 }, { id: 3 }]);
			expect(count).toBe(5);
			expect(status).toBe(206);
			const res = await rest(runtime, '/films?select=id&order=id&limit=2');
			expect(res.headers.get('content-range')).toBe('0-1/*');
			expect(res.status).toBe(200);
		});

		it('honours the Range header, with 416 past the end', async () => {
			const res = await rest(runtime, '/films?select=id&order=id', { headers: { Range: '3-10', Prefer: 'count=exact' } });
			expect(res.status).toBe(206);
			expect(res.headers.get('content-range')).toBe('3-4/5');
			expect(await res.json()).toEqual([{ id: 4 }, { id: 5 }]);
			const past = await rest(runtime, '/films?select=id&offset=10', { headers: { Prefer: 'count=exact' } });
			expect(past.status).toBe(416);
			expect(past.headers.get('content-range')).toBe('*/5');
			expect(await past.json()).toMatchObject({ code: 'PGRST103', details: 'An offset of 10 was requested, but there are only 5 rows.' });
			const empty = await rest(runtime, '/films?select=id&id=eq.999');
			expect(empty.headers.get('content-range')).toBe('*/*');
		});

		it('counts exact, planned and estimated, and HEAD answers without a body', async () => {
			const exact = await db.from('films').select('*', { count: 'exact', head: true });
			expect(exact.count).toBe(5);
			expect(exact.data).toBeNull();
			const planned = await db.from('films').select('id', { count: 'planned' });
			expect(typeof planned.count).toBe('number');
			const estimated = await db.from('films').select('id', { count: 'estimated' });
			expect(estimated.count).toBe(5);
			const res = await rest(runtime, '/films?select=id', { headers: { Prefer: 'count=exact' } });
			expect(res.headers.get('preference-applied')).toBe('count=exact');
			// As PostgREST: the GET's headers without the body or its Content-Length.
			const head = await rest(runtime, '/films?select=id', { method: 'HEAD', headers: { Prefer: 'count=exact' } });
			expect(head.status).toBe(200);
			expect(head.headers.get('content-range')).toBe('0-4/5');
			expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
			expect(head.headers.get('content-length')).toBeNull();
			expect(await head.text()).toBe('');
		});

		it('single() returns one object and PGRST116 otherwise; maybeSingle() allows none', async () => {
			const one = await db.from('films').select('title').eq('id', 2).single();
			expect(one.data).toEqual({ title: 'Rashomon' });
			const many = await db.from('films').select('title').single();
			expect(many.status).toBe(406);
			expect(many.error).toMatchObject({ code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 5 rows' });
			const none = await db.from('films').select('title').eq('id', 999).maybeSingle();
			expect(none.error).toBeNull();
			expect(none.data).toBeNull();
		});

		it('answers CSV for Accept: text/csv', async () => {
			const { data, error } = await db.from('films').select('id, title').lt('id', 3).order('id').csv();
			expect(error).toBeNull();
			expect(data).toBe('id,title\n1,"Cleo from 5 to 7"\n2,Rashomon');
		});

		it('strips nulls with nulls=stripped', async () => {
			const res = await rest(runtime, '/films?select=id,year&id=eq.5', { headers: { Accept: 'application/vnd.pgrst.array+json;nulls=stripped' } });
			expect(await res.json()).toEqual([{ id: 5 }]);
		});

		it('refuses media types it cannot produce (PGRST107, 406)', async () => {
			const res = await rest(runtime, '/films', { headers: { Accept: 'text/html' } });
			expect(res.status).toBe(406);
			expect(await res.json()).toMatchObject({ code: 'PGRST107', message: 'None of these media types are available: text/html' });
			// EXPLAIN output is disabled (as on hosted Supabase), and GeoJSON needs PostGIS.
			const plan = await db.from('films').select('id').explain();
			expect(plan.status).toBe(406);
			expect(plan.error).toMatchObject({ code: 'PGRST107' });
			const geo = await db.from('films').select('id').geojson();
			expect(geo.status).toBe(406);
		});

		it('caps every read at [api] max_rows', async () => {
			const { data } = await db.rpc('numbers', { n: 500 });
			expect(data).toHaveLength(100);
			const films = await db.from('films').select('id').limit(1000);
			expect(films.data).toHaveLength(5);
		});
	});

	describe('garbage', () => {
		it('answers random query strings with a PostgREST error object, never a 500', async () => {
			const token = fc.oneof(
				fc.constantFrom('select', 'order', 'limit', 'offset', 'or', 'and', 'id', 'title', 'directors.name', 'not.or', 'metadata->a', 'on_conflict', 'columns'),
				fc.string({ maxLength: 6 })
			);
			const val = fc.oneof(
				fc.constantFrom('eq.1', 'in.(1,2', 'id,directors(', '(id.eq.1,', 'is.maybe', 'desc.nullsfirst', '-1', '*,actors!inner(*)', 'fts(x).y', 'cs.{a', 'title::int'),
				fc.string({ maxLength: 12 })
			);
			await fc.assert(
				fc.asyncProperty(fc.array(fc.tuple(token, val), { minLength: 1, maxLength: 4 }), async (pairs) => {
					const query = new URLSearchParams(pairs).toString();
					const res = await rest(runtime, `/films?${query}`);
					expect(res.status).toBeLessThan(500);
					if (res.status >= 400) {
						const body = (await res.json()) as Record<string, unknown>;
						expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
					} else await res.arrayBuffer();
				}),
				{ numRuns: 150 }
			);
		});
	});

	describe('schemas', () => {
		it('reads another exposed schema with Accept-Profile, and refuses unexposed ones (PGRST106)', async () => {
			const other = restClient(runtime, undefined, { schema: 'api2' });
			const { data, error } = await other.from('things').select('label');
			expect(error).toBeNull();
			expect(data).toEqual([{ label: 'from api2' }]);
			const res = await rest(runtime, '/things', { headers: { 'Accept-Profile': 'secret' } });
			expect(res.status).toBe(406);
			expect(await res.json()).toEqual({ code: 'PGRST106', message: 'Invalid schema: secret', details: null, hint: 'Only the following schemas are exposed: public, api2' });
		});

		it('answers PGRST205 for an unknown table', async () => {
			const { error, status } = await db.from('filmz').select();
			expect(status).toBe(404);
			expect(error).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'public.filmz' in the schema cache", hint: "Perhaps you meant the table 'public.films'" });
		});
	});
});
