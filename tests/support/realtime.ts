/**
 * Helpers for the Realtime integration tests: the fixture project, self-signed user JWTs
 * (until Auth lands), supabase-js clients on either serializer, and bounded waits.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase, StartOptions } from '../../supabase/local/index.ts';
import { repoRoot, startTestRuntime } from './runtime.ts';

export const realtimeFixture = path.join(repoRoot, 'tests', 'fixtures', 'realtime');

export function startRealtimeRuntime(options: StartOptions = {}): Promise<LocalSupabase> {
	return startTestRuntime({ workdir: realtimeFixture, ...options });
}

export interface TestUser {
	id: string;
	email: string;
	token: string;
}

/** A user JWT signed with the project's secret, with the claims Supabase Auth issues. */
export async function signUser(
	runtime: LocalSupabase,
	options: { id?: string; expiresInSeconds?: number; role?: string; secret?: string } = {}
): Promise<TestUser> {
	const id = options.id ?? randomUUID();
	const email = `${id.slice(0, 8)}@example.test`;
	const now = Math.floor(Date.now() / 1000);
	const token = await new SignJWT({ role: options.role ?? 'authenticated', email, aud: 'authenticated' })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setSubject(id)
		.setIssuedAt(now)
		.setExpirationTime(now + (options.expiresInSeconds ?? 3600))
		.sign(new TextEncoder().encode(options.secret ?? runtime.jwtSecret));
	return { id, email, token };
}

export type Vsn = '1.0.0' | '2.0.0';

/** A supabase-js client acting as `token` (or anonymously), speaking serializer `vsn`. */
export function realtimeClient(
	runtime: LocalSupabase,
	options: { token?: string; vsn?: Vsn; heartbeatIntervalMs?: number; url?: string } = {}
): SupabaseClient {
	const token = options.token;
	const client = createClient(options.url ?? runtime.url, runtime.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		...(token ? { accessToken: async () => token } : {}),
		realtime: {
			vsn: options.vsn ?? '2.0.0',
			...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
			logger: () => {}
		}
	});
	// supabase-js hands the token to Realtime asynchronously; a channel subscribed before that
	// would join with the API key (and, if private, be refused once before rejoining).
	if (token) void client.realtime.setAuth(token);
	return client;
}

/** Subscribes and resolves on SUBSCRIBED; rejects with the server's reason otherwise. */
export function subscribed(channel: RealtimeChannel, timeoutMs = 10_000): Promise<RealtimeChannel> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no SUBSCRIBED for ${channel.topic} in ${timeoutMs} ms`)), timeoutMs);
		channel.subscribe((status, err) => {
			if (status === 'SUBSCRIBED') {
				clearTimeout(timer);
				resolve(channel);
			} else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
				clearTimeout(timer);
				reject(err ?? new Error(status));
			}
		});
	});
}

/** The outcome of a subscribe: 'SUBSCRIBED' or the first failure status with its error. */
export function subscribeOutcome(channel: RealtimeChannel, timeoutMs = 10_000): Promise<{ status: string; error?: Error }> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve({ status: 'NO_ANSWER' }), timeoutMs);
		channel.subscribe((status, err) => {
			if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
				clearTimeout(timer);
				resolve({ status, error: err });
			}
		});
	});
}

/** Collects values pushed by callbacks; `next()` awaits the next one with a bound. */
export class Inbox<T = unknown> {
	readonly items: T[] = [];
	private waiters: { predicate: (item: T) => boolean; resolve: (item: T) => void }[] = [];

	push = (item: T) => {
		this.items.push(item);
		for (const waiter of [...this.waiters]) {
			if (waiter.predicate(item)) {
				this.waiters.splice(this.waiters.indexOf(waiter), 1);
				waiter.resolve(item);
			}
		}
	};

	/** Resolves with the first item (already received or coming) matching `predicate`. */
	waitFor(predicate: (item: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
		const found = this.items.find(predicate);
		if (found !== undefined) return Promise.resolve(found);
		return new Promise((resolve, reject) => {
			const waiter = {
				predicate,
				resolve: (item: T) => {
					clearTimeout(timer);
					resolve(item);
				}
			};
			const timer = setTimeout(() => {
				this.waiters.splice(this.waiters.indexOf(waiter), 1);
				reject(new Error(`nothing matching arrived in ${timeoutMs} ms (have ${JSON.stringify(this.items).slice(0, 500)})`));
			}, timeoutMs);
			this.waiters.push(waiter);
		});
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` is true, polling; throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check()) return;
		await sleep(25);
	}
	throw new Error(`${what} not met in ${timeoutMs} ms`);
}

/** Disconnects every client given (ignoring ones already gone). */
export async function closeClients(...clients: SupabaseClient[]) {
	await Promise.all(clients.map((c) => c.removeAllChannels().catch(() => {})));
	await Promise.all(clients.map((c) => c.realtime.disconnect().catch(() => {})));
}
