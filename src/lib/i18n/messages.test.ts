import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorKeys } from '../validation/schemas.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const load = (locale: string): Record<string, string> => {
	const { $schema: _schema, ...messages } = JSON.parse(readFileSync(path.join(root, 'messages', `${locale}.json`), 'utf8'));
	return messages;
};
const nl = load('nl');
const en = load('en');
const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

/** Every `m.key(` call in the app's own source, so a typo or a missing message is caught. */
function usedKeys(dir: string, found = new Set<string>()): Set<string> {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'paraglide') usedKeys(full, found);
		} else if (/\.(svelte|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
			for (const match of readFileSync(full, 'utf8').matchAll(/\bm\.([a-z][a-z0-9_]*)\(/g)) found.add(match[1]);
		}
	}
	return found;
}

describe('messages', () => {
	it('exist in Dutch and English alike: no key in one language only', () => {
		const onlyNl = Object.keys(nl).filter((key) => !(key in en));
		const onlyEn = Object.keys(en).filter((key) => !(key in nl));
		expect({ onlyNl, onlyEn }).toEqual({ onlyNl: [], onlyEn: [] });
	});

	it('are never empty and take the same parameters in both languages', () => {
		for (const key of Object.keys(nl)) {
			expect(nl[key].trim(), `nl ${key}`).not.toBe('');
			expect(en[key]?.trim(), `en ${key}`).not.toBe('');
			expect(params(en[key] ?? ''), key).toEqual(params(nl[key]));
		}
	});

	it('cover every message the app calls', () => {
		const missing = [...usedKeys(path.join(root, 'src'))].filter((key) => !(key in nl));
		expect(missing).toEqual([]);
	});

	it('have a translation for every validation error key', () => {
		expect(errorKeys.filter((key) => !(`error_${key}` in nl))).toEqual([]);
	});
});
