import { describe, expect, it } from 'vitest';
import { SUPABASE_ORIGIN_STAND_IN, SUPABASE_SOCKET_STAND_IN, withSupabaseOrigin } from './csp.ts';

const built = `default-src 'self'; connect-src 'self' ${SUPABASE_ORIGIN_STAND_IN} ${SUPABASE_SOCKET_STAND_IN}; frame-ancestors 'none'`;

describe('the CSP names the Supabase origin the server runs with', () => {
	it('replaces the stand-ins with the http and ws forms of the origin', () => {
		expect(withSupabaseOrigin(built, 'http://127.0.0.1:54321')).toBe(
			"default-src 'self'; connect-src 'self' http://127.0.0.1:54321 ws://127.0.0.1:54321; frame-ancestors 'none'"
		);
		expect(withSupabaseOrigin(built, 'https://abc.supabase.co/some/path?x=1')).toContain("connect-src 'self' https://abc.supabase.co wss://abc.supabase.co;");
	});

	it('allows no API at all when the URL is not an http(s) URL', () => {
		expect(withSupabaseOrigin(built, 'not a url')).toContain("connect-src 'self';");
		expect(withSupabaseOrigin(built, 'javascript:alert(1)')).toContain("connect-src 'self';");
	});
});
