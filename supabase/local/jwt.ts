/**
 * JWT keys and checks shared by Auth, REST and Realtime.
 *
 * Without signing keys every token is HS256 with the project's JWT secret, as the CLI's
 * local stack signs them. With `[auth] signing_keys_path` (the JWKs `supabase gen
 * signing-key` writes), Auth signs with the key marked for signing and every service
 * verifies RS256 / ES256 tokens against the public parts, picked by the token's `kid`.
 * Each service picks keys its own way, as the real ones do:
 *
 * - Realtime (the default here): HS* always with the secret; RS* / ES* only with a `kid`
 *   naming a key of the matching type (`RealtimeWeb.JwtVerification`).
 * - PostgREST: the JWKS the CLI hands it as its secret (the public signing keys, or the
 *   secret as an `oct` key when there are none), keys chosen by `kid`, `alg` and type as
 *   the jose-jwt library does; it checks no claims, PostgREST does that itself.
 */
import { compactVerify, errors, importJWK, jwtVerify, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type JwtFailure = 'malformed' | 'expired' | 'invalid_signature' | 'unsupported_alg' | 'invalid_claims' | 'unknown_kid';

export class JwtError extends Error {
	readonly reason: JwtFailure;
	/** PostgREST's `details` for the failure, when it gives one. */
	readonly details: string | null;
	/** The `kid` no key was found for (`unknown_kid`). */
	readonly kid: string | null;
	constructor(reason: JwtFailure, message: string, details: string | null = null, kid: string | null = null) {
		super(message);
		this.reason = reason;
		this.details = details;
		this.kid = kid;
	}
}

export interface Claims extends JWTPayload {
	role?: string;
	email?: string;
	phone?: string;
	session_id?: string;
	aal?: string;
	is_anonymous?: boolean;
	app_metadata?: Record<string, unknown>;
	user_metadata?: Record<string, unknown>;
	[key: string]: unknown;
}

// ---- signing keys ------------------------------------------------------------------

/** The algorithms `supabase gen signing-key` makes and the CLI signs its API keys with. */
const SIGNING_ALGS: Record<string, string> = { ES256: 'EC', RS256: 'RSA' };
const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

export interface SigningKey {
	kid: string;
	alg: 'ES256' | 'RS256';
	kty: 'EC' | 'RSA';
	/** The public JWK as GoTrue publishes it: `use: sig`, `key_ops: [verify]`, fields sorted. */
	publicJwk: JWK;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	/** Whether `key_ops` names `sign`: GoTrue signs with that key. */
	signs: boolean;
}

export interface JwtKeys {
	secret: string;
	/** All keys of `signing_keys_path`, in file order (empty: HS256 only). */
	signingKeys: SigningKey[];
	/** The key Auth signs access tokens with (GoTrue: the one whose `key_ops` has `sign`). */
	signingKey: SigningKey | null;
}

function publicPartOf(jwk: Record<string, unknown>): JWK {
	const entries = Object.entries(jwk).filter(([name]) => !PRIVATE_PARTS.includes(name));
	const pub: Record<string, unknown> = Object.fromEntries(entries);
	pub.use = 'sig';
	pub.key_ops = ['verify'];
	return Object.fromEntries(Object.keys(pub).sort().map((name) => [name, pub[name]])) as JWK;
}

/**
 * Reads the JWKs of a signing keys file (already JSON-parsed). Throws a plain Error saying
 * what is wrong with which key; the caller names the file.
 */
export async function importSigningKeys(parsed: unknown): Promise<SigningKey[]> {
	if (!Array.isArray(parsed)) throw new Error('expected a JSON array of JWKs');
	const keys: SigningKey[] = [];
	for (const [index, entry] of parsed.entries()) {
		const where = `key ${index}`;
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: expected a JWK object`);
		const jwk = entry as Record<string, unknown>;
		const alg = jwk.alg;
		if (typeof alg !== 'string' || !(alg in SIGNING_ALGS)) throw new Error(`${where}: unsupported algorithm: ${String(alg ?? '')} (ES256 or RS256)`);
		if (jwk.kty !== SIGNING_ALGS[alg]) throw new Error(`${where}: ${alg} needs "kty": "${SIGNING_ALGS[alg]}"`);
		if (typeof jwk.d !== 'string') throw new Error(`${where}: the private key ("d") is missing`);
		if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw new Error(`${where}: "kid" must be a string`);
		const kid = (jwk.kid as string | undefined) ?? '';
		if (keys.some((key) => key.kid === kid)) throw new Error(`${where}: kid ${JSON.stringify(kid)} is used twice`);
		const publicJwk = publicPartOf(jwk);
		let privateKey: CryptoKey;
		let publicKey: CryptoKey;
		try {
			const { key_ops: _ops, use: _use, ...material } = jwk;
			privateKey = (await importJWK(material as JWK, alg)) as CryptoKey;
			const { key_ops: _pubOps, ...publicMaterial } = publicJwk;
			publicKey = (await importJWK(publicMaterial, alg)) as CryptoKey;
		} catch (error) {
			throw new Error(`${where}: not a usable ${alg} key: ${(error as Error).message}`);
		}
		const ops = Array.isArray(jwk.key_ops) ? jwk.key_ops : [];
		keys.push({ kid, alg: alg as SigningKey['alg'], kty: jwk.kty as SigningKey['kty'], publicJwk, privateKey, publicKey, signs: ops.includes('sign') });
	}
	return keys;
}

/** The key GoTrue signs with; throws as GoTrue refuses to start without exactly one. */
export function signingKeyOf(keys: SigningKey[]): SigningKey | null {
	if (!keys.length) return null;
	const signing = keys.filter((key) => key.signs);
	if (!signing.length) throw new Error('no signing key found: one key needs "key_ops" with "sign"');
	return signing[0];
}

// ---- verification --------------------------------------------------------------------

const isBase64url = (segment: string) => !/[^A-Za-z0-9_-]/.test(segment) && segment.length % 4 !== 1;
const b64json = (segment: string): unknown => {
	if (!isBase64url(segment)) throw new Error('bad base64');
	return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
};

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function familyOf(alg: string): 'HS' | 'RS' | 'ES' | 'EdDSA' | null {
	if (/^HS(256|384|512)$/.test(alg)) return 'HS';
	if (/^RS(256|384|512)$/.test(alg)) return 'RS';
	if (/^ES(256|384|512)$/.test(alg)) return 'ES';
	if (alg === 'EdDSA') return 'EdDSA';
	return null;
}

export function createJwtVerifier(keys: JwtKeys | string) {
	const { secret, signingKeys } = typeof keys === 'string' ? { secret: keys, signingKeys: [] as SigningKey[] } : keys;
	const secretKey = new TextEncoder().encode(secret);
	const imported = new Map<string, Promise<CryptoKey>>();
	/** A signing key's public part for `alg` (a token may use RS512 with an RS256 key). */
	const publicKeyFor = (key: SigningKey, alg: string): Promise<CryptoKey> => {
		if (alg === key.alg) return Promise.resolve(key.publicKey);
		const id = `${key.kid}\u0000${alg}`;
		let found = imported.get(id);
		if (!found) {
			const { key_ops: _ops, alg: _alg, ...material } = key.publicJwk;
			found = importJWK(material, alg) as Promise<CryptoKey>;
			imported.set(id, found);
		}
		return found;
	};

	/** Realtime's checks: signature by `kid` (or the secret for HS*), then exp. */
	async function verifyAsRealtime(token: string): Promise<Claims> {
		if (token.split('.').length !== 3) throw new JwtError('malformed', 'token is malformed: token contains an invalid number of segments');
		let header: unknown;
		try {
			header = b64json(token.split('.')[0]);
		} catch {
			throw new JwtError('malformed', 'token is malformed: could not parse token');
		}
		const alg = isObject(header) && typeof header.alg === 'string' ? header.alg : '';
		const kid = isObject(header) && typeof header.kid === 'string' ? header.kid : null;
		const family = familyOf(alg);
		let key: CryptoKey | Uint8Array;
		if (family === 'HS') key = secretKey;
		else if ((family === 'RS' || family === 'ES') && kid !== null) {
			const found = signingKeys.find((candidate) => candidate.kid === kid && candidate.kty === (family === 'RS' ? 'RSA' : 'EC'));
			if (!found) throw new JwtError('unknown_kid', `no key for kid ${kid}`, null, kid);
			try {
				key = await publicKeyFor(found, alg);
			} catch {
				throw new JwtError('unknown_kid', `no key for kid ${kid}`, null, kid);
			}
		} else throw new JwtError('unsupported_alg', 'token is unverifiable: signing method is not supported');
		try {
			const { payload } = await jwtVerify(token, key, { algorithms: [alg] });
			return payload as Claims;
		} catch (error) {
			if (error instanceof errors.JWTExpired) throw new JwtError('expired', 'token has invalid claims: token is expired');
			if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
				throw new JwtError('unsupported_alg', 'token is unverifiable: signing method is not supported');
			if (error instanceof errors.JWSSignatureVerificationFailed)
				throw new JwtError('invalid_signature', 'token signature is invalid: signature is invalid');
			if (error instanceof errors.JWTClaimValidationFailed) throw new JwtError('invalid_claims', `token has invalid claims: ${error.message}`);
			throw new JwtError('malformed', 'token is malformed: could not parse token');
		}
	}

	/** PostgREST's `JWT.decode` with its JWKS; errors carry PostgREST's message and details. */
	async function verifyAsPostgrest(token: string): Promise<Claims> {
		const badCrypto = () => new JwtError('malformed', 'JWT cryptographic operation failed');
		const [rawHeader, rawPayload, rawSignature] = token.split('.');
		let header: unknown;
		try {
			header = b64json(rawHeader);
		} catch {
			throw badCrypto();
		}
		if (!isBase64url(rawPayload) || !isBase64url(rawSignature)) throw badCrypto();
		if (!isObject(header) || typeof header.alg !== 'string') throw badCrypto();
		const alg = header.alg;
		if (alg === 'none') throw new JwtError('unsupported_alg', 'Wrong or unsupported encoding algorithm', "JWT is unsecured but expected 'alg' was not 'none'");
		const family = familyOf(alg);
		if (!family) throw badCrypto();
		const kid = typeof header.kid === 'string' ? header.kid : header.kid === undefined ? null : undefined;
		if (kid === undefined) throw badCrypto();
		type Candidate = { kid: string | null; jwkAlg: string | null; kty: string; key: () => Promise<CryptoKey | Uint8Array> };
		const jwks: Candidate[] = signingKeys.length
			? signingKeys.map((key) => ({ kid: key.kid, jwkAlg: key.alg, kty: key.kty, key: () => publicKeyFor(key, alg) }))
			: [{ kid: null, jwkAlg: null, kty: 'oct', key: async () => secretKey }];
		const wanted = { HS: 'oct', RS: 'RSA', ES: 'EC', EdDSA: 'OKP' }[family];
		const usable = jwks.filter((jwk) => (kid === null || jwk.kid === kid) && (jwk.jwkAlg === null || jwk.jwkAlg === alg) && jwk.kty === wanted);
		if (!usable.length) throw new JwtError('invalid_signature', 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT');
		for (const candidate of usable) {
			let payload: Uint8Array;
			try {
				({ payload } = await compactVerify(token, await candidate.key(), { algorithms: [alg] }));
			} catch {
				continue; // the next key may fit
			}
			let claims: unknown = null;
			try {
				claims = JSON.parse(new TextDecoder().decode(payload));
			} catch {
				/* refused below */
			}
			if (!isObject(claims)) throw new JwtError('invalid_claims', 'Parsing claims failed');
			return claims as Claims;
		}
		throw new JwtError('invalid_signature', 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
	}

	return async function verifyJwt(token: string, consumer: 'realtime' | 'postgrest' = 'realtime'): Promise<Claims> {
		return consumer === 'postgrest' ? verifyAsPostgrest(token) : verifyAsRealtime(token);
	};
}

export type VerifyJwt = ReturnType<typeof createJwtVerifier>;
