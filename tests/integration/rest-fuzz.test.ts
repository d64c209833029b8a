/**
 * Random requests — methods, paths, query strings, Prefer / Range / Accept headers and
 * bodies — always get a PostgREST-shaped answer: never a 500, never a dropped connection,
 * and the server keeps serving. Its own runtime, since random writes change data.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { rest, restClient, startRestRuntime } from '../support/rest.ts';

describe('REST under random requests', () => {
	let runtime: LocalSupabase;
	beforeAll(async () => {
		runtime = await startRestRuntime();
	});
	afterAll(async () => {
		await runtime?.stop();
	});

	it('answers every random request with a status below 500 and a PostgREST error body', async () => {
		const path = fc.constantFrom('/films', '/directors', '/roles', '/film_titles', '/notes', '/nope', '/rpc/add', '/rpc/echo', '/rpc/films_since', '/rpc/nope', '/a/b/c', '/rpc/bump_rating');
		const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'PUT');
		const query = fc.array(
			fc.tuple(
				fc.constantFrom('select', 'order', 'limit', 'offset', 'or', 'id', 'title', 'a', 'b', 'since', 'columns', 'on_conflict', 'directors.name', 'actors.limit'),
				fc.oneof(fc.constantFrom('eq.1', '*,directors(*)', 'id.desc', '5', '-3', '(id.eq.1,id.eq.2)', 'in.(1,2)', 'title', 'x,y', 'is.null'), fc.string({ maxLength: 10 }))
			),
			{ maxLength: 4 }
		);
		const headers = fc.record(
			{
				Prefer: fc.constantFrom('return=representation', 'return=minimal', 'count=exact', 'count=planned', 'handling=strict, nonsense', 'resolution=merge-duplicates', 'max-affected=1, handling=strict', 'missing=default', 'timezone=Nowhere/Land'),
				Range: fc.constantFrom('0-1', '5-2', 'junk', '10-'),
				Accept: fc.constantFrom('application/json', 'text/csv', 'application/vnd.pgrst.object+json', 'text/html', '*/*', 'application/geo+json'),
				'Content-Type': fc.constantFrom('application/json', 'text/csv', 'application/x-www-form-urlencoded', 'text/plain')
			},
			{ requiredKeys: [] }
		);
		const body = fc.oneof(
			fc.constant(undefined),
			fc.constantFrom('{"title":"fuzz"}', '[{"title":"a"},{"title":"b"}]', '{"a":1,"b":2}', '{"nope":1}', '[]', '{}', '[1,2]', 'null', '{"title":', 'title\nfuzz'),
			fc.string({ maxLength: 20 })
		);
		await fc.assert(
			fc.asyncProperty(path, method, query, headers, body, async (p, m, q, h, b) => {
				const qs = new URLSearchParams(q).toString();
				const res = await rest(runtime, `${p}${qs ? `?${qs}` : ''}`, {
					method: m,
					headers: h as Record<string, string>,
					body: m === 'GET' || m === 'HEAD' ? undefined : b
				});
				const text = await res.text();
				expect(res.status, `${m} ${p}?${qs} → ${text}`).toBeLessThan(500);
				if (res.status >= 400 && m !== 'HEAD') {
					const parsed = JSON.parse(text) as Record<string, unknown>;
					expect(Object.keys(parsed).sort()).toEqual(['code', 'details', 'hint', 'message']);
				}
			}),
			{ numRuns: 300 }
		);
		const { error } = await restClient(runtime).from('films').select('id').limit(1);
		expect(error).toBeNull();
	});
});
