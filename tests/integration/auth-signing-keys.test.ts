/**
 * Asymmetric JWT signing keys (`[auth] signing_keys_path`), as the Supabase CLI runs GoTrue,
 * PostgREST and Realtime with them: access tokens signed with the key and its `kid`, the
 * public parts at the JWKS endpoint, `getClaims()` verifying locally, every service
 * accepting the tokens and refusing forged or confused ones.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { startLocalSupabase, type LocalSupabase } from '../../supabase/local/index.ts';
import { DEFAULT_ANON_KEY } from '../../supabase/local/keys.ts';
import { repoRoot, startTestRuntime, uniqueEmail } from '../support/runtime.ts';
import { closeClients, subscribeOutcome } from '../support/realtime.ts';

const fixture = path.join(repoRoot, 'tests', 'fixtures', 'auth-signing-keys');

/** A private JWK as `supabase gen signing-key` writes it. */
async function signingJwk(alg: 'ES256' | 'RS256'): Promise<JWK> {
	const { privateKey } = await generateKeyPair(alg, { extractable: true });
	return { ...(await exportJWK(privateKey)), kid: randomUUID(), use: 'sig', key_ops: ['sign', 'verify'], alg, ext: true };
}

/** A copy of the fixture project with `signing_keys.json` holding `keys` (raw text when a string). */
async function projectWith(keys: JWK[] | string): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'sb-signing-keys-'));
	await cp(fixture, dir, { recursive: true });
	await writeFile(path.join(dir, 'supabase', 'signing_keys.json'), typeof keys === 'string' ? keys : JSON.stringify(keys, null, 2));
	return dir;
}

/** A supabase-js client that records every URL it fetches. */
function recordingClient(runtime: LocalSupabase, requests: string[], token?: string): SupabaseClient {
	return createClient(runtime.url, runtime.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: {
			fetch: (input, init) => {
				requests.push(String(input instanceof Request ? input.url : input));
				return fetch(input, init);
			},
			...(token ? { headers: { authorization: `Bearer ${token}` } } : {})
		},
		realtime: { logger: () => {} }
	});
}

async function signUp(runtime: LocalSupabase) {
	const client = recordingClient(runtime, []);
	const { data, error } = await client.auth.signUp({ email: uniqueEmail('keys'), password: 'correct-horse-battery' });
	expect(error).toBeNull();
	return { id: data.user!.id, token: data.session!.access_token, client };
}

const rest = (runtime: LocalSupabase, token: string, init: RequestInit = {}) =>
	fetch(`${runtime.url}/rest/v1/notes?select=body`, { ...init, headers: { apikey: runtime.anonKey, authorization: `Bearer ${token}`, ...init.headers } });
const authUser = (runtime: LocalSupabase, token: string) =>
	fetch(`${runtime.url}/auth/v1/user`, { headers: { apikey: runtime.anonKey, authorization: `Bearer ${token}` } });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('an ES256 signing key', () => {
	let runtime: LocalSupabase;
	let dir: string;
	let key: JWK;
	const clients: SupabaseClient[] = [];

	beforeAll(async () => {
		key = await signingJwk('ES256');
		dir = await projectWith([key]);
		runtime = await startTestRuntime({ workdir: dir });
	});
	afterAll(async () => {
		await closeClients(...clients);
		await runtime?.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it('signs access tokens with the key, its kid in the header, as GoTrue', async () => {
		const { token, id } = await signUp(runtime);
		expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
		const jwks = await (await fetch(`${runtime.url}/auth/v1/.well-known/jwks.json`)).json();
		const { payload } = await jwtVerify(token, createLocalJWKSet(jwks));
		expect(payload).toMatchObject({ sub: id, role: 'authenticated', aud: 'authenticated' });
	});

	it('publishes only the public part of the key at the JWKS endpoint', async () => {
		const res = await fetch(`${runtime.url}/auth/v1/.well-known/jwks.json`);
		expect(res.headers.get('cache-control')).toBe('public, max-age=600');
		const { keys } = await res.json();
		expect(keys).toEqual([{ alg: 'ES256', crv: 'P-256', ext: true, key_ops: ['verify'], kid: key.kid, kty: 'EC', use: 'sig', x: key.x, y: key.y }]);
	});

	it('signs the anon and service_role keys with the first key, as the CLI does', async () => {
		for (const [apiKey, role] of [[runtime.anonKey, 'anon'], [runtime.serviceRoleKey, 'service_role']]) {
			expect(decodeProtectedHeader(apiKey)).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
			const jwks = await (await fetch(`${runtime.url}/auth/v1/.well-known/jwks.json`)).json();
			expect((await jwtVerify(apiKey, createLocalJWKSet(jwks))).payload).toMatchObject({ iss: 'supabase-demo', role });
		}
		const admin = await fetch(`${runtime.url}/auth/v1/admin/users`, {
			headers: { apikey: runtime.serviceRoleKey, authorization: `Bearer ${runtime.serviceRoleKey}` }
		});
		expect(admin.status).toBe(200);
		// The legacy demo key (HS256, the JWT secret) still passes the gateway, as on Supabase
		// after a move to signing keys: sign-up with a supabase-js client built on it works.
		const legacy = createClient(runtime.url, DEFAULT_ANON_KEY, { auth: { persistSession: false } });
		const { data, error } = await legacy.auth.signUp({ email: uniqueEmail('legacy-key'), password: 'a-long-password-1' });
		expect(error).toBeNull();
		expect(data.user?.id).toBeTruthy();
	});

	it('lets getClaims() verify the session locally, without asking /user', async () => {
		const requests: string[] = [];
		const client = recordingClient(runtime, requests);
		const email = uniqueEmail('claims');
		expect((await client.auth.signUp({ email, password: 'correct-horse-battery' })).error).toBeNull();
		requests.length = 0;
		const { data, error } = await client.auth.getClaims();
		expect(error).toBeNull();
		expect(data?.claims.email).toBe(email);
		expect(requests.map((url) => new URL(url).pathname)).toEqual(['/auth/v1/.well-known/jwks.json']);
		// The JWKS is cached: a second call makes no request at all.
		await client.auth.getClaims();
		expect(requests).toHaveLength(1);

		const forger = await generateKeyPair('ES256');
		const forged = await new SignJWT({ sub: randomUUID(), role: 'authenticated' })
			.setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
			.setExpirationTime('1h')
			.sign(forger.privateKey);
		const refused = await client.auth.getClaims(forged);
		expect(refused.error?.message).toBe('Invalid JWT signature');
	});

	it('serves REST with RLS by auth.uid() for the token, and anon with the anon key', async () => {
		const alice = await signUp(runtime);
		const bob = await signUp(runtime);
		const insert = await rest(runtime, alice.token, { method: 'POST', body: JSON.stringify({ body: 'mine' }), headers: { 'content-type': 'application/json' } });
		expect(insert.status).toBe(201);
		expect(await (await rest(runtime, alice.token)).json()).toEqual([{ body: 'mine' }]);
		expect(await (await rest(runtime, bob.token)).json()).toEqual([]);
		// supabase-js sends the session's token; the anon key (ES256 too) reads as anon.
		const { data, error } = await alice.client.from('notes').select('body');
		expect(error).toBeNull();
		expect(data).toEqual([{ body: 'mine' }]);
		const anon = await fetch(`${runtime.url}/rest/v1/notes?select=body`, { headers: { apikey: runtime.anonKey } });
		expect(anon.status).toBe(200);
		expect(await anon.json()).toEqual([]);
	});

	it('lets the owner, and only the owner, join their private Realtime topic', async () => {
		const alice = await signUp(runtime);
		const bob = await signUp(runtime);
		const join = async (token: string) => {
			const c = createClient(runtime.url, runtime.anonKey, {
				auth: { persistSession: false, autoRefreshToken: false },
				accessToken: async () => token,
				realtime: { logger: () => {} }
			});
			clients.push(c);
			await c.realtime.setAuth(token);
			return subscribeOutcome(c.channel(`notes:${alice.id}`, { config: { private: true } }));
		};
		expect((await join(alice.token)).status).toBe('SUBSCRIBED');
		const refused = await join(bob.token);
		expect(refused.status).toBe('CHANNEL_ERROR');
		expect(refused.error?.message).toContain('Unauthorized');
	});

	describe('refuses what the real services refuse', () => {
		let user: { id: string; token: string };
		let claims: Record<string, unknown>;
		beforeAll(async () => {
			user = await signUp(runtime);
			claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString());
		});
		const withHeader = (header: object, token = user.token) => `${b64(header)}.${token.split('.')[1]}.${token.split('.')[2]}`;
		const expectAuth = async (token: string, reason: string) => {
			const res = await authUser(runtime, token);
			expect(res.status).toBe(403);
			expect(await res.json()).toMatchObject({ error_code: 'bad_jwt', msg: `invalid JWT: unable to parse or verify signature, ${reason}` });
		};
		const expectRest = async (token: string, message: string, details: string | null) => {
			const res = await rest(runtime, token);
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({ code: 'PGRST301', message, details, hint: null });
		};
		const realtimeJoin = async (token: string) => {
			const c = createClient(runtime.url, runtime.anonKey, { auth: { persistSession: false }, accessToken: async () => token, realtime: { logger: () => {} } });
			clients.push(c);
			await c.realtime.setAuth(token);
			return subscribeOutcome(c.channel(`open-${randomUUID()}`));
		};

		it('a token signed by another key under the same kid', async () => {
			const forger = await generateKeyPair('ES256');
			const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(forger.privateKey);
			await expectAuth(forged, 'token signature is invalid: crypto/ecdsa: verification error');
			await expectRest(forged, 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
			expect((await realtimeJoin(forged)).error?.message).toContain('JwtSignatureError: Failed to validate JWT signature');
		});

		it('a kid no key has', async () => {
			const stranger = withHeader({ alg: 'ES256', kid: 'nope', typ: 'JWT' });
			await expectAuth(stranger, 'token is unverifiable: error while executing keyfunc: unrecognized JWT kid nope for algorithm ES256');
			await expectRest(stranger, 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
			expect((await realtimeJoin(stranger)).error?.message).toContain(
				'JwtSignerError: Failed to generate JWT signer for key ID (kid) "nope", check your JWT secret or JWKS configuration'
			);
		});

		it('alg none', async () => {
			const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${user.token.split('.')[1]}.`;
			await expectAuth(unsigned, 'token signature is invalid: signing method none is invalid');
			await expectRest(unsigned, 'Wrong or unsupported encoding algorithm', "JWT is unsecured but expected 'alg' was not 'none'");
			expect((await realtimeJoin(unsigned)).status).toBe('CHANNEL_ERROR');
		});

		it('HS256 signed with the public key (algorithm confusion)', async () => {
			const publicJwk = JSON.stringify({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y });
			const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(new TextEncoder().encode(publicJwk));
			await expectAuth(confused, 'token signature is invalid: key is of invalid type: HMAC verify expects []byte');
			await expectRest(confused, 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
			expect((await realtimeJoin(confused)).error?.message).toContain('JwtSignatureError');
		});

		it('HS256 with the legacy secret: Auth and Realtime accept it, PostgREST has only the JWKS', async () => {
			const legacy = await new SignJWT({ sub: user.id, role: 'authenticated', aud: 'authenticated' })
				.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
				.setIssuedAt()
				.setExpirationTime('1h')
				.sign(new TextEncoder().encode(runtime.jwtSecret));
			expect((await authUser(runtime, legacy)).status).toBe(200);
			expect((await realtimeJoin(legacy)).status).toBe('SUBSCRIBED');
			await expectRest(legacy, 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
		});
	});
});

describe('an RS256 signing key', () => {
	let runtime: LocalSupabase;
	let dir: string;
	let key: JWK;
	beforeAll(async () => {
		key = await signingJwk('RS256');
		// A second, verify-only key: tokens are signed with the one whose key_ops has "sign".
		const retired = { ...(await signingJwk('ES256')), key_ops: ['verify'] };
		dir = await projectWith([retired, key]);
		runtime = await startTestRuntime({ workdir: dir });
	});
	afterAll(async () => {
		await runtime?.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it('signs with it, lists both public keys, and every service accepts the token', async () => {
		const requests: string[] = [];
		const client = recordingClient(runtime, requests);
		const { data, error } = await client.auth.signUp({ email: uniqueEmail('rsa'), password: 'correct-horse-battery' });
		expect(error).toBeNull();
		const token = data.session!.access_token;
		expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
		const { keys } = await (await fetch(`${runtime.url}/auth/v1/.well-known/jwks.json`)).json();
		expect(keys.map((k: JWK) => k.kty)).toEqual(['EC', 'RSA']);
		expect(keys.every((k: JWK) => !('d' in k) && !('p' in k))).toBe(true);
		requests.length = 0;
		expect((await client.auth.getClaims()).data?.claims.sub).toBe(data.user!.id);
		expect(requests.some((url) => url.endsWith('/auth/v1/user'))).toBe(false);
		expect((await authUser(runtime, token)).status).toBe(200);
		expect((await rest(runtime, token)).status).toBe(200);
	});
});

describe('a signing keys file that cannot be used stops the start, naming the file', () => {
	const start = (workdir: string) => startLocalSupabase({ workdir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
	it.each([
		['missing', null, 'failed to read signing keys: no such file'],
		['not JSON', '{ not json', 'failed to decode signing keys'],
		['not an array', '{"kty":"EC"}', 'failed to decode signing keys: expected a JSON array of JWKs'],
		['without a signing key', 'verify-only', 'no signing key found']
	])('%s', async (_name, content, message) => {
		let keys: JWK[] | string = content ?? '[]';
		if (content === 'verify-only') keys = [{ ...(await signingJwk('ES256')), key_ops: ['verify'] }];
		const dir = await projectWith(keys);
		if (content === null) await rm(path.join(dir, 'supabase', 'signing_keys.json'));
		try {
			const failure = await start(dir).then(
				async (runtime) => {
					await runtime.stop();
					return null;
				},
				(error: Error) => error.message
			);
			expect(failure).toContain(path.join(dir, 'supabase', 'signing_keys.json'));
			expect(failure).toContain(message);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
