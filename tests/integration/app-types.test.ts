import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateTypes, typesFile } from '../../scripts/gen-types.ts';

describe('generated database types', () => {
	it('match the schema the migrations make (run `npm run supabase:gen-types` when this fails)', async () => {
		const [generated, committed] = await Promise.all([generateTypes(), readFile(typesFile, 'utf8')]);
		expect(committed === generated, 'src/lib/supabase/database.types.ts is stale: run npm run supabase:gen-types').toBe(true);
	}, 120_000);
});
