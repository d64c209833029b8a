/**
 * Errors as GoTrue sends them. Three kinds:
 *
 * - HTTP errors: `{code, error_code, msg}` for old clients, `{code, message}` (with
 *   `code` the error code) when the request says `X-Supabase-Api-Version: 2024-01-01` or
 *   later, as supabase-js does; the version is echoed back so the client knows which
 *   shape it got. `x-sb-error-code` carries the code either way.
 * - Weak-password errors: an HTTP 422 with `weak_password.reasons`.
 * - OAuth errors (`/token`): `{error, error_description}`, always 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const API_VERSION_HEADER = 'x-supabase-api-version';

export class AuthError extends Error {
	readonly status: number;
	readonly errorCode: string;
	/** Reasons of a weak-password error. */
	readonly reasons: string[] | null;
	/** Set for OAuth-style errors: `{error, error_description}`. */
	readonly oauth: { error: string; description: string } | null;

	constructor(status: number, errorCode: string, msg: string, extra: { reasons?: string[]; oauth?: { error: string; description: string } } = {}) {
		super(msg);
		this.status = status;
		this.errorCode = errorCode;
		this.reasons = extra.reasons ?? null;
		this.oauth = extra.oauth ?? null;
	}
}

export const badRequest = (code: string, msg: string) => new AuthError(400, code, msg);
export const unauthorized = (code: string, msg: string) => new AuthError(401, code, msg);
export const forbidden = (code: string, msg: string) => new AuthError(403, code, msg);
export const notFound = (code: string, msg: string) => new AuthError(404, code, msg);
export const unprocessable = (code: string, msg: string) => new AuthError(422, code, msg);
export const tooManyRequests = (code: string, msg: string) => new AuthError(429, code, msg);
export const internal = (msg: string) => new AuthError(500, 'unexpected_failure', msg);
export const weakPassword = (msg: string, reasons: string[]) => new AuthError(422, 'weak_password', msg, { reasons });
export const oauthError = (error: string, description: string) =>
	new AuthError(400, '', `${error}: ${description}`, { oauth: { error, description } });

/** True when the request asked for the 2024-01-01 API (or a later date). */
export function wantsNewApi(req: IncomingMessage): boolean {
	const raw = req.headers[API_VERSION_HEADER];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const parsed = Date.parse(`${value}T00:00:00Z`);
	return Number.isFinite(parsed) && parsed >= Date.parse('2024-01-01T00:00:00Z');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	if (res.headersSent) return;
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...headers });
	res.end(text);
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthError) {
	const headers: Record<string, string> = {};
	const newApi = wantsNewApi(req);
	if (newApi) headers['x-supabase-api-version'] = '2024-01-01';
	if (error.oauth) {
		return sendJson(res, 400, { error: error.oauth.error, error_description: error.oauth.description }, headers);
	}
	const code = error.errorCode || (error.status >= 500 ? 'unexpected_failure' : 'unknown');
	if (error.errorCode) headers['x-sb-error-code'] = error.errorCode;
	if (error.reasons) {
		if (newApi) return sendJson(res, 422, { code, message: error.message, weak_password: { reasons: error.reasons } }, headers);
		return sendJson(res, 422, { code: 422, error_code: code, msg: error.message, weak_password: { reasons: error.reasons } }, headers);
	}
	if (newApi) return sendJson(res, error.status, { code, message: error.message }, headers);
	return sendJson(res, error.status, { code: error.status, error_code: code, msg: error.message }, headers);
}
