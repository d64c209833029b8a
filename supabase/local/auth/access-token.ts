/**
 * Access tokens as GoTrue issues and checks them: HS256 with the project's JWT secret, or,
 * with `[auth] signing_keys_path`, ES256 / RS256 with the signing key and its `kid`;
 * claims in GoTrue's order, and the checks of golang-jwt v5 in its order (shape, header,
 * claims JSON, algorithm, key by `kid`, signature, expiry) so a refused token gets
 * GoTrue's message.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CompactSign, compactVerify, type CryptoKey } from 'jose';
import type { SigningKey } from '../jwt.ts';
import { forbidden } from './errors.ts';
import { goSyntaxError } from './params.ts';

export interface AmrEntry {
	method: string;
	timestamp: number;
}

export interface AccessClaims {
	iss?: string;
	sub?: string;
	aud?: string | string[];
	exp?: number;
	nbf?: number;
	iat?: number;
	email?: string;
	phone?: string;
	app_metadata?: Record<string, unknown>;
	user_metadata?: Record<string, unknown>;
	role?: string;
	aal?: string;
	amr?: AmrEntry[];
	session_id?: string;
	is_anonymous?: boolean;
	[key: string]: unknown;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signHs256(secret: string, claims: Record<string, unknown>): string {
	const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = b64url(JSON.stringify(claims));
	const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
	return `${header}.${payload}.${signature}`;
}

/** What signs and verifies access tokens: the secret and the `signing_keys_path` keys. */
export interface TokenKeys {
	jwtSecret: string;
	signingKeys: SigningKey[];
	signingKey: SigningKey | null;
}

/**
 * GoTrue's `SignJWT`: the signing key when there is one (header `alg`, `kid`, `typ`, as
 * Go writes a map: sorted), else HS256 with the secret.
 */
export async function signAccessToken(keys: TokenKeys, claims: Record<string, unknown>): Promise<string> {
	const key = keys.signingKey;
	if (!key) return signHs256(keys.jwtSecret, claims);
	const header = key.kid ? { alg: key.alg, kid: key.kid, typ: 'JWT' } : { alg: key.alg, typ: 'JWT' };
	return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key.privateKey);
}

export interface AccessTokenInput {
	issuer: string;
	userId: string;
	aud: string;
	expiresAt: number;
	issuedAt: number;
	email: string;
	phone: string;
	appMetadata: Record<string, unknown>;
	userMetadata: Record<string, unknown>;
	role: string;
	aal: string;
	amr: AmrEntry[];
	sessionId: string;
	isAnonymous: boolean;
}

/** The claims of GoTrue's `AccessTokenClaims`, in the order Go marshals them. */
export function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
	const claims: Record<string, unknown> = {
		iss: input.issuer,
		sub: input.userId,
		aud: input.aud,
		exp: input.expiresAt,
		iat: input.issuedAt,
		email: input.email,
		phone: input.phone,
		app_metadata: input.appMetadata,
		user_metadata: input.userMetadata,
		role: input.role
	};
	if (input.aal) claims.aal = input.aal;
	if (input.amr.length) claims.amr = input.amr;
	if (input.sessionId) claims.session_id = input.sessionId;
	claims.is_anonymous = input.isAnonymous;
	return claims;
}

/** Go's base64 decoding error for a JWT segment, or null when it decodes. */
function base64Error(segment: string): string | null {
	const bad = segment.search(/[^A-Za-z0-9_-]/);
	if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
	if (segment.length % 4 === 1) return `illegal base64 data at input byte ${segment.length - 1}`;
	return null;
}

const INVALID = 'invalid JWT: unable to parse or verify signature, ';
const VALID_METHODS = ['HS256', 'RS256', 'ES256'];

/** How Go's `%v` prints a JSON header value (the `kid` in an error). */
function goValue(value: unknown): string {
	if (value === undefined || value === null) return '<nil>';
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value);
}
const refuse = (reason: string) => forbidden('bad_jwt', INVALID + reason);

/** Verifies a bearer token as GoTrue's `parseJWTClaims`; throws `bad_jwt` (403) otherwise. */
export async function verifyAccessToken(keys: TokenKeys, token: string, now = Date.now()): Promise<AccessClaims> {
	const parts = token.split('.');
	if (parts.length !== 3) throw refuse('token is malformed: token contains an invalid number of segments');
	const [rawHeader, rawClaims, rawSignature] = parts;

	const headerB64 = base64Error(rawHeader);
	if (headerB64) {
		if (token.toLowerCase().startsWith('bearer ')) throw refuse("token is malformed: tokenstring should not contain 'bearer '");
		throw refuse(`token is malformed: could not base64 decode header: ${headerB64}`);
	}
	const headerText = Buffer.from(rawHeader, 'base64url').toString('utf8');
	const headerSyntax = goSyntaxError(headerText);
	if (headerSyntax) throw refuse(`token is malformed: could not JSON decode header: ${headerSyntax}`);
	const header = JSON.parse(headerText) as unknown;
	if (!header || typeof header !== 'object' || Array.isArray(header)) {
		throw refuse('token is malformed: could not JSON decode header: json: cannot unmarshal into Go value of type map[string]interface {}');
	}

	const claimsB64 = base64Error(rawClaims);
	if (claimsB64) throw refuse(`token is malformed: could not base64 decode claim: ${claimsB64}`);
	const claimsText = Buffer.from(rawClaims, 'base64url').toString('utf8');
	const claimsSyntax = goSyntaxError(claimsText);
	if (claimsSyntax) throw refuse(`token is malformed: could not JSON decode claim: ${claimsSyntax}`);
	const claims = JSON.parse(claimsText) as unknown;
	if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
		throw refuse('token is malformed: could not JSON decode claim: json: cannot unmarshal into Go value of type api.AccessTokenClaims');
	}

	const alg = (header as Record<string, unknown>).alg;
	if (typeof alg !== 'string') throw refuse('token is unverifiable: signing method (alg) is unspecified');
	const known = ['none', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
	if (!known.includes(alg)) throw refuse('token is unverifiable: signing method (alg) is unavailable');
	// GOTRUE_JWT_VALID_METHODS as the CLI sets it, with or without signing keys.
	if (!VALID_METHODS.includes(alg)) throw refuse(`token signature is invalid: signing method ${alg} is invalid`);

	// The keyfunc: the key named by `kid`, else the secret for HS256.
	const kid = (header as Record<string, unknown>).kid;
	let key: SigningKey | 'secret' | null = null;
	// GOTRUE_JWT_KEY_ID is unset, so an empty `kid` names the secret (FindPublicKeyByKid).
	if (typeof kid === 'string') key = keys.signingKeys.find((candidate) => candidate.kid === kid) ?? (kid === '' ? 'secret' : null);
	if (!key && alg === 'HS256') key = 'secret';
	if (!key) throw refuse(`token is unverifiable: error while executing keyfunc: unrecognized JWT kid ${goValue(kid)} for algorithm ${alg}`);

	const sigB64 = base64Error(rawSignature);
	if (key === 'secret') {
		if (alg !== 'HS256') throw refuse(`token signature is invalid: key is of invalid type: ${alg.startsWith('RS') ? 'RSA verify expects *rsa.PublicKey' : 'ECDSA verify expects *ecdsa.PublicKey'}`);
		const expected = createHmac('sha256', keys.jwtSecret).update(`${rawHeader}.${rawClaims}`).digest();
		const given = sigB64 ? Buffer.alloc(0) : Buffer.from(rawSignature, 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			throw refuse('token signature is invalid: signature is invalid');
		}
	} else {
		const family = alg === 'HS256' ? 'HMAC' : alg === 'RS256' ? 'RSA' : 'ECDSA';
		const expects = { HMAC: 'HMAC verify expects []byte', RSA: 'RSA verify expects *rsa.PublicKey', ECDSA: 'ECDSA verify expects *ecdsa.PublicKey' }[family];
		if ((family === 'RSA' && key.kty !== 'RSA') || (family === 'ECDSA' && key.kty !== 'EC') || family === 'HMAC') {
			throw refuse(`token signature is invalid: key is of invalid type: ${expects}`);
		}
		const failed = `token signature is invalid: crypto/${family === 'RSA' ? 'rsa' : 'ecdsa'}: verification error`;
		if (sigB64) throw refuse(failed);
		try {
			await compactVerify(token, key.publicKey as CryptoKey, { algorithms: [alg] });
		} catch {
			throw refuse(failed);
		}
	}

	const c = claims as AccessClaims;
	const seconds = now / 1000;
	for (const key of ['exp', 'nbf', 'iat'] as const) {
		if (c[key] !== undefined && c[key] !== null && typeof c[key] !== 'number') {
			throw refuse(`token is malformed: could not JSON decode claim: json: cannot unmarshal ${typeof c[key]} into Go struct field AccessTokenClaims.${key} of type float64`);
		}
	}
	if (typeof c.exp === 'number' && seconds > c.exp) throw refuse('token has invalid claims: token is expired');
	if (typeof c.nbf === 'number' && seconds < c.nbf) throw refuse('token has invalid claims: token is not valid yet');
	return c;
}
