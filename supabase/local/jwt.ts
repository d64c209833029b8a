/**
 * JWT checks shared by Auth, REST and Realtime: HS256 with the project's secret, as the
 * CLI's local stack signs them. `alg: none`, other algorithms, bad signatures, expired
 * and malformed tokens are refused with a reason the caller turns into its own error.
 */
import { errors, jwtVerify, type JWTPayload } from 'jose';

export type JwtFailure = 'malformed' | 'expired' | 'invalid_signature' | 'unsupported_alg' | 'invalid_claims';

export class JwtError extends Error {
	readonly reason: JwtFailure;
	constructor(reason: JwtFailure, message: string) {
		super(message);
		this.reason = reason;
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

export function createJwtVerifier(jwtSecret: string) {
	const key = new TextEncoder().encode(jwtSecret);
	return async function verifyJwt(token: string): Promise<Claims> {
		if (token.split('.').length !== 3) throw new JwtError('malformed', 'token is malformed: token contains an invalid number of segments');
		try {
			const { payload } = await jwtVerify(token, key, { algorithms: ['HS256', 'HS384', 'HS512'] });
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
	};
}

export type VerifyJwt = ReturnType<typeof createJwtVerifier>;
