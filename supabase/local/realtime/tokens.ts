/**
 * Access tokens of channels: which token a join or `access_token` message stands for, and
 * the reasons Supabase Realtime gives when it refuses one.
 */
import { decodeJwt } from 'jose';
import type { RuntimeContext } from '../context.ts';
import { JwtError, type Claims } from '../jwt.ts';

export type TokenResult = { ok: true; claims: Claims; exp: number } | { ok: false; code: string; message: string };

/** Verifies `token` and checks the claims Realtime requires (`role`, `exp`). */
export async function checkToken(ctx: RuntimeContext, token: string): Promise<TokenResult> {
	let claims: Claims;
	try {
		claims = await ctx.verifyJwt(token.replace(/\s/g, ''));
	} catch (error) {
		const reason = error instanceof JwtError ? error.reason : 'malformed';
		if (reason === 'expired') {
			let ago = 0;
			try {
				const exp = decodeJwt(token).exp;
				if (typeof exp === 'number') ago = Math.max(0, Math.floor(Date.now() / 1000) - exp);
			} catch {
				/* unreadable: say 0 */
			}
			return { ok: false, code: 'InvalidJWTToken', message: `Token has expired ${ago} seconds ago` };
		}
		if (reason === 'invalid_signature') return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
		if (reason === 'unknown_kid')
			return {
				ok: false,
				code: 'JwtSignerError',
				message: `Failed to generate JWT signer for key ID (kid) ${JSON.stringify((error as JwtError).kid)}, check your JWT secret or JWKS configuration`
			};
		if (reason === 'unsupported_alg')
			return { ok: false, code: 'JwtSignerError', message: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration' };
		if (reason === 'invalid_claims') return { ok: false, code: 'InvalidJWTToken', message: (error as Error).message };
		return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
	}
	if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
		return { ok: false, code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
	}
	if (claims.exp <= Math.floor(Date.now() / 1000)) {
		return { ok: false, code: 'InvalidJWTToken', message: 'Token has expired 0 seconds ago' };
	}
	return { ok: true, claims, exp: claims.exp };
}

/**
 * The token a join stands for: the `access_token` it carries, unless that is an opaque
 * `sb_…` key or absent, in which case the socket's API key JWT (as Supabase does).
 */
export function tokenOf(payloadToken: unknown, socketKeyJwt: string): string {
	if (typeof payloadToken === 'string' && payloadToken && !payloadToken.startsWith('sb_')) return payloadToken;
	return socketKeyJwt;
}
