/**
 * The browser's Supabase client. Sessions live in cookies (written by the server), so
 * the browser client only listens for changes (sign-out in another tab, token refresh)
 * and, in later issues, carries realtime channels.
 */
import { createBrowserClient } from '@supabase/ssr';
import { PUBLIC_SUPABASE_PUBLISHABLE_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';
import type { Database } from './database.types.ts';

let client: ReturnType<typeof createBrowserClient<Database>> | null = null;

/** One client per page load, created on first use. */
export function browserSupabase() {
	client ??= createBrowserClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_PUBLISHABLE_KEY);
	return client;
}
