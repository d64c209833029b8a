import { describe, expect, it } from 'vitest';
import { safeRedirectPath, signInPath, withRedirect } from './redirect.ts';

describe('safeRedirectPath', () => {
	it('keeps paths on this site, with their query', () => {
		expect(safeRedirectPath('/invite/abc?x=1')).toBe('/invite/abc?x=1');
	});
	it.each([null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)'])(
		'falls back for %s',
		(value) => {
			expect(safeRedirectPath(value)).toBe('/space');
		}
	);
});

describe('signInPath', () => {
	it('remembers where the person was going', () => {
		expect(signInPath(new URL('http://x/account?tab=1'))).toBe('/sign-in?redirectTo=%2Faccount%3Ftab%3D1');
		expect(signInPath(new URL('http://x/'))).toBe('/sign-in');
	});
});

describe('withRedirect', () => {
	it('passes a safe target on and drops an unsafe one', () => {
		expect(withRedirect('/sign-up', '/invite/t')).toBe('/sign-up?redirectTo=%2Finvite%2Ft');
		expect(withRedirect('/sign-up', 'https://evil.example')).toBe('/sign-up?redirectTo=%2Fspace');
		expect(withRedirect('/sign-up', null)).toBe('/sign-up');
	});
});
