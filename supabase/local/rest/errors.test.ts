/**
 * PostgREST's SQLSTATE → HTTP mapping and the shapes of its own errors.
 */
import { describe, expect, it } from 'vitest';
import { apiRequestError, closest, fromPgError, jwtError, statusForSqlState } from './errors.ts';

describe('SQLSTATE → HTTP status', () => {
	it.each([
		['23505', 'duplicate key', true, 409],
		['23503', 'fk', true, 409],
		['23502', 'not null', true, 400],
		['25006', 'read-only', true, 405],
		['42501', 'denied', true, 403],
		['42501', 'denied', false, 401],
		['42883', 'function foo() does not exist', true, 404],
		['42P01', 'no table', true, 404],
		['22023', 'role "x" does not exist', true, 401],
		['22023', 'invalid value', true, 400],
		['P0001', 'raise', true, 400],
		['PT418', 'teapot', true, 418],
		['08006', 'connection', true, 503],
		['53300', 'too many connections', true, 503],
		['57014', 'canceling statement due to statement timeout', true, 500],
		['XX000', 'internal', true, 500],
		['21000', 'UPDATE requires a WHERE clause', true, 400],
		['21000', 'more than one row returned by a subquery', true, 500]
	])('%s (%s, authed=%s) → %i', (code, message, authed, status) => {
		expect(statusForSqlState(code, message, authed)).toBe(status);
	});

	it('keeps the database error fields and asks for a bearer token on 401', () => {
		const error = fromPgError({ code: '42501', message: 'permission denied for table notes', detail: 'd', hint: 'h' }, false);
		expect(error.status).toBe(401);
		expect(error.body()).toEqual({ code: '42501', message: 'permission denied for table notes', details: 'd', hint: 'h' });
		expect(error.headers['www-authenticate']).toBe('Bearer');
	});

	it("reads RAISE SQLSTATE 'PGRST' messages, and reports malformed ones as PGRST121", () => {
		const custom = fromPgError({ code: 'PGRST', message: '{"code":"X1","message":"m"}', detail: '{"status":402,"headers":{"X-A":"b"}}' }, true);
		expect(custom.status).toBe(402);
		expect(custom.body()).toEqual({ code: 'X1', message: 'm', details: null, hint: null });
		expect(custom.headers['x-a']).toBe('b');
		expect(fromPgError({ code: 'PGRST', message: 'not json' }, true).code).toBe('PGRST121');
	});
});

describe("PostgREST's own errors", () => {
	it('JWT errors carry WWW-Authenticate', () => {
		expect(jwtError.claims('JWT expired').headers['www-authenticate']).toBe('Bearer error="invalid_token", error_description="JWT expired"');
		expect(jwtError.decode('Expected 3 parts in JWT; got 2').code).toBe('PGRST301');
	});

	it('singularity and range errors read like PostgREST', () => {
		expect(apiRequestError.singularity(3).body()).toEqual({
			code: 'PGRST116',
			message: 'Cannot coerce the result to a single JSON object',
			details: 'The result contains 3 rows',
			hint: null
		});
		expect(apiRequestError.outOfBounds(10, 5).status).toBe(416);
	});

	it('suggests close names only when they are close', () => {
		expect(closest('filmz', ['films', 'directors'])).toBe('films');
		expect(closest('zzz', ['films', 'directors'])).toBeNull();
	});
});
