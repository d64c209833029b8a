/**
 * Helpers for the REST tests: the fixture project's runtime, JWTs signed with the
 * project's secret (as Auth would issue them), and supabase-js clients acting as them.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { repoRoot, startTestRuntime } from './runtime.ts';

export const restFixture = path.join(repoRoot, 'tests/fixtures/rest');

export function startRestRuntime(): Promise<LocalSupabase> {
	return startTestRuntime({ workdir: restFixture });
}

export interface TestUser {
	id: string;
	email: string;
	jwt: string;
}

/** A JWT for an authenticated user, signed like Auth signs them. */
export async function signUserJwt(
	runtime: LocalSupabase,
	claims: { sub?: string; email?: string; role?: string; expiresIn?: number; [k: string]: unknown } = {}
): Promise<TestUser> {
	const { sub = randomUUID(), email = `${sub.slice(0, 8)}@example.test`, role = 'authenticated', expiresIn = 3600, ...rest } = claims;
	const now = Math.floor(Date.now() / 1000);
	const jwt = await new SignJWT({ sub, email, role, aud: 'authenticated', ...rest })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuedAt(now)
		.setExpirationTime(now + expiresIn)
		.sign(new TextEncoder().encode(runtime.jwtSecret));
	return { id: sub, email, jwt };
}

/** supabase-js acting with `jwt` (or as anon without one). */
export function restClient(runtime: LocalSupabase, jwt?: string, options: { schema?: string } = {}): SupabaseClient<any, any, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
	return createClient(runtime.url, runtime.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		...(jwt ? { global: { headers: { Authorization: `Bearer ${jwt}` } } } : {}),
		...(options.schema ? { db: { schema: options.schema } } : {})
	});
}

/** Raw fetch for what supabase-js cannot send (Range, CSV, Accept-Profile …). */
export function rest(runtime: LocalSupabase, pathAndQuery: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
	return fetch(`${runtime.url}/rest/v1${pathAndQuery}`, {
		...init,
		headers: { apikey: runtime.anonKey, ...(init.headers ?? {}) }
	});
}
