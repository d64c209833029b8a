/**
 * The environment the app reads. Only the Supabase URL and the publishable key reach
 * the browser; the app needs no secret key (account deletion runs through a SQL
 * function that checks the caller).
 */
import { defineEnvVars } from '@sveltejs/kit/env';
import * as v from 'valibot';

export const variables = defineEnvVars({
	PUBLIC_SUPABASE_URL: {
		public: true,
		description: 'Base URL of the Supabase API (local runtime: http://127.0.0.1:54321).',
		schema: v.pipe(v.string('PUBLIC_SUPABASE_URL is not set'), v.url('PUBLIC_SUPABASE_URL must be a URL'))
	},
	PUBLIC_SUPABASE_PUBLISHABLE_KEY: {
		public: true,
		description: 'The publishable (anon) key of the Supabase project.',
		schema: v.pipe(v.string('PUBLIC_SUPABASE_PUBLISHABLE_KEY is not set'), v.minLength(1))
	}
});
