import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME_NODE_FLAGS } from './launch.mjs';

describe('launch', () => {
	it('npm run supabase:start runs the runtime with the runtime Node flags', () => {
		const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
		const words = scripts['supabase:start'].split(/\s+/);
		expect(RUNTIME_NODE_FLAGS.length).toBeGreaterThan(0);
		// node <flags…> supabase/local/launch.mjs cli start: the flags come before the script.
		const script = words.indexOf('supabase/local/launch.mjs');
		for (const flag of RUNTIME_NODE_FLAGS) {
			expect(words.indexOf(flag)).toBeGreaterThan(0);
			expect(words.indexOf(flag)).toBeLessThan(script);
		}
	});
});
