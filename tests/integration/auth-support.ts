/**
 * Helpers shared by the auth-*.test.ts files: supabase-js clients that present a chosen
 * client IP (the gateway honours X-Forwarded-For from loopback, so rate-limit buckets can
 * be kept apart), the local mailbox, following e-mail links, and JWT decoding.
 */
import { createHmac, randomInt } from 'node:crypto';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { repoRoot } from '../support/runtime.ts';

export const fixture = (name: string) => path.join(repoRoot, 'tests', 'fixtures', name);

/** A fresh random IPv4 address in the TEST-NET-2 range, one per client by default. */
export function randomIp(): string {
	return `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export interface ClientOptions {
	key?: string;
	ip?: string;
	flowType?: 'implicit' | 'pkce';
	storage?: { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void };
}

/** A supabase-js client from its own IP; keeps its session in memory (or `storage`). */
export function authClient(runtime: LocalSupabase, options: ClientOptions = {}): SupabaseClient {
	const memory = new Map<string, string>();
	const storage = options.storage ?? {
		getItem: (k: string) => memory.get(k) ?? null,
		setItem: (k: string, v: string) => void memory.set(k, v),
		removeItem: (k: string) => void memory.delete(k)
	};
	return createClient(runtime.url, options.key ?? runtime.anonKey, {
		auth: {
			persistSession: true,
			storage,
			autoRefreshToken: false,
			detectSessionInUrl: false,
			flowType: options.flowType ?? 'implicit'
		},
		global: { headers: { 'x-forwarded-for': options.ip ?? randomIp() } }
	});
}

export function adminClient(runtime: LocalSupabase): SupabaseClient {
	return createClient(runtime.url, runtime.serviceRoleKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

/** The newest mail to `address`; waits briefly since mails are delivered after commit. */
export async function lastMail(runtime: LocalSupabase, address: string, minCount = 1) {
	for (let i = 0; i < 50; i++) {
		const mails = runtime.mailbox.to(address);
		if (mails.length >= minCount) return mails[0];
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`no mail to ${address}`);
}

/** Follows a link without following its redirect; returns the Location. */
export async function follow(link: string, init: RequestInit = {}): Promise<{ status: number; location: string }> {
	const res = await fetch(link, { redirect: 'manual', ...init });
	await res.arrayBuffer();
	return { status: res.status, location: res.headers.get('location') ?? '' };
}

/** The parameters in a URL's fragment. */
export function fragment(url: string): URLSearchParams {
	return new URLSearchParams(url.split('#')[1] ?? '');
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
	const [header, payload] = token.split('.');
	return {
		header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
		payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
	};
}

/** Signs arbitrary claims (and header) with HMAC-SHA256, to forge test tokens. */
export function signJwt(secret: string, payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
	const h = Buffer.from(JSON.stringify(header)).toString('base64url');
	const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
	const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
	return `${h}.${p}.${s}`;
}

/**
 * A raw request to the Auth API, for what supabase-js has no call for. A `key` given is
 * also sent as the bearer token, as supabase-js does (without one, a legacy JWT API key
 * is no bearer token to Auth, as behind the CLI's Kong).
 */
export function authFetch(runtime: LocalSupabase, pathAndQuery: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	if (init.key !== null) headers.set('apikey', init.key ?? runtime.anonKey);
	if (init.key && !headers.has('authorization')) headers.set('authorization', `Bearer ${init.key}`);
	if (!headers.has('x-forwarded-for')) headers.set('x-forwarded-for', randomIp());
	return fetch(`${runtime.url}/auth/v1${pathAndQuery}`, { ...init, headers });
}
