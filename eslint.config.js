import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } }
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }]
		}
	},
	{
		// The app is served at the site root (no `paths.base`), so wrapping every href in
		// `resolve()` would add noise and no safety.
		files: ['src/**/*.svelte'],
		rules: { 'svelte/no-navigation-without-resolve': 'off' }
	},
	{
		ignores: ['node_modules/', '.svelte-kit/', 'build/', 'test-results/', 'playwright-report/', 'src/lib/paraglide/', 'src/lib/supabase/database.types.ts', 'supabase/.local/', 'supabase/local/.runtime-*.mjs']
	}
);
