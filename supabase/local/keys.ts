/**
 * The Supabase CLI's local defaults: the JWT secret every `supabase start` uses and the
 * keys it prints. Code, docs and tools written for the CLI's local stack assume exactly
 * these values, so the runtime uses them unless config says otherwise.
 */
import { SignJWT } from 'jose';
import type { SigningKey } from './jwt.ts';

export const DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

/** The legacy JWT keys the CLI prints (issuer `supabase-demo`, expiring in 2032). */
export const DEFAULT_ANON_KEY =
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const DEFAULT_SERVICE_ROLE_KEY =
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

/** The new opaque key forms the current CLI prints for the local stack. */
export const DEFAULT_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const DEFAULT_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

export interface ApiKeys {
	jwtSecret: string;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
}

/**
 * Keys for a given JWT secret. With the default secret these are the CLI's fixed keys;
 * with another secret the legacy keys are signed anew with the same claims, so they
 * verify against that secret as the CLI's would.
 */
export async function apiKeysFor(jwtSecret: string = DEFAULT_JWT_SECRET, signingKeys: SigningKey[] = []): Promise<ApiKeys> {
	if (signingKeys.length) {
		// With `signing_keys_path` the CLI signs them with the file's first key, for 10 years.
		const [key] = signingKeys;
		const exp = Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600;
		const sign = (role: string) =>
			new SignJWT({ iss: 'supabase-demo', role, exp })
				.setProtectedHeader(key.kid ? { alg: key.alg, kid: key.kid, typ: 'JWT' } : { alg: key.alg, typ: 'JWT' })
				.sign(key.privateKey);
		return {
			jwtSecret,
			anonKey: await sign('anon'),
			serviceRoleKey: await sign('service_role'),
			publishableKey: DEFAULT_PUBLISHABLE_KEY,
			secretKey: DEFAULT_SECRET_KEY
		};
	}
	if (jwtSecret === DEFAULT_JWT_SECRET) {
		return {
			jwtSecret,
			anonKey: DEFAULT_ANON_KEY,
			serviceRoleKey: DEFAULT_SERVICE_ROLE_KEY,
			publishableKey: DEFAULT_PUBLISHABLE_KEY,
			secretKey: DEFAULT_SECRET_KEY
		};
	}
	const secret = new TextEncoder().encode(jwtSecret);
	const sign = (role: string) =>
		new SignJWT({ iss: 'supabase-demo', role })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setExpirationTime(1983812996)
			.sign(secret);
	return {
		jwtSecret,
		anonKey: await sign('anon'),
		serviceRoleKey: await sign('service_role'),
		publishableKey: DEFAULT_PUBLISHABLE_KEY,
		secretKey: DEFAULT_SECRET_KEY
	};
}

/**
 * What an `apikey` header grants: the opaque `sb_publishable_…` / `sb_secret_…` keys map
 * to `anon` / `service_role`; a legacy key is a JWT and is verified by the caller.
 */
export function roleOfOpaqueKey(keys: ApiKeys, key: string): 'anon' | 'service_role' | null {
	if (key === keys.publishableKey) return 'anon';
	if (key === keys.secretKey) return 'service_role';
	return null;
}
