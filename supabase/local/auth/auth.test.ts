/**
 * Unit tests of the Auth service's pure parts: Go-compatible JSON checking and decoding,
 * redirect globs, durations, token buckets, access-token checks, password rules and TOTP.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signHs256, verifyAccessToken } from './access-token.ts';
import { AuthError } from './errors.ts';
import { goEncodeValues, goQueryEscape } from './mail.ts';
import { decodeParams, goSyntaxError } from './params.ts';
import { checkPasswordStrength, requiredCharacterSets } from './passwords.ts';
import { parseGoDuration, RateLimiter } from './ratelimit.ts';
import { globToRegExp, RedirectPolicy } from './redirect.ts';
import { Secret } from 'otpauth';
import { newTotpSecret, otpauthUri, totpCode, validateTotp } from './totp.ts';

describe('goSyntaxError', () => {
	it('accepts exactly what JSON.parse accepts', () => {
		expect(() => fc.assert(fc.property(fc.json(), (text) => goSyntaxError(text) === null), { numRuns: 300 })).not.toThrow();
		// Strings over JSON's own characters, so most are near-JSON and exercise every state.
		const nearJson = fc.string({ unit: fc.constantFrom(...'{}[],:"0123-.eE +tfrulsn\\x'.split('')), maxLength: 16 });
		const agreesWithJsonParse = fc.property(nearJson, (text) => {
			let valid = true;
			try {
				JSON.parse(text);
			} catch {
				valid = false;
			}
			return (goSyntaxError(text) === null) === valid;
		});
		expect(() => fc.assert(agreesWithJsonParse, { numRuns: 4_000 })).not.toThrow();
	}, 30_000);

	it("words errors as Go's encoding/json does", () => {
		expect(goSyntaxError('')).toBe('unexpected end of JSON input');
		expect(goSyntaxError('{"a":1,}')).toBe("invalid character '}' looking for beginning of object key string");
		expect(goSyntaxError('{"a" 1}')).toBe("invalid character '1' after object key");
		expect(goSyntaxError('[1 2]')).toBe("invalid character '2' after array element");
		expect(goSyntaxError('{"a":1 "b":2}')).toBe(`invalid character '"' after object key:value pair`);
		expect(goSyntaxError('nul')).toBe('unexpected end of JSON input');
		expect(goSyntaxError('nux')).toBe("invalid character 'x' in literal null (expecting 'l')");
		expect(goSyntaxError('"\\q"')).toBe("invalid character 'q' in string escape code");
		expect(goSyntaxError('"a\nb"')).toBe("invalid character '\\n' in string literal");
		expect(goSyntaxError('-x')).toBe("invalid character 'x' in numeric literal");
		expect(goSyntaxError('{} {}')).toBe("invalid character '{' after top-level value");
		expect(goSyntaxError('['.repeat(10_001))).toBe('exceeded max depth');
	});
});

describe('decodeParams', () => {
	const schema = { name: 'SignupParams', fields: { email: 'string', data: 'map', flag: 'bool', password: 'pointer-string' } } as const;

	it('ignores unknown fields, matches keys case-insensitively and leaves nulls unset', () => {
		expect(decodeParams('{"EMAIL":"a@b.c","other":1,"data":null,"password":null,"flag":true}', { ...schema, fields: { ...schema.fields } })).toEqual({
			email: 'a@b.c',
			flag: true
		});
	});

	it('refuses mistyped fields and non-object bodies with bad_json', () => {
		const decode = (text: string) => {
			try {
				decodeParams(text, { ...schema, fields: { ...schema.fields } });
				return null;
			} catch (error) {
				return error as AuthError;
			}
		};
		expect(decode('{"email":1}')?.message).toBe(
			'Could not parse request body as JSON: json: cannot unmarshal number into Go struct field SignupParams.email of type string'
		);
		expect(decode('{"data":[1]}')?.message).toBe(
			'Could not parse request body as JSON: json: cannot unmarshal array into Go struct field SignupParams.data of type map[string]interface {}'
		);
		expect(decode('"x"')?.message).toBe('Could not parse request body as JSON: json: cannot unmarshal string into Go value of type api.SignupParams');
		expect(decode('{')?.errorCode).toBe('bad_json');
		expect(decode('null')).toBeNull();
	});
});

describe('redirects', () => {
	it('matches globs with . and / as separators', () => {
		expect(globToRegExp('https://*.example.com/**').test('https://app.example.com/a/b')).toBe(true);
		expect(globToRegExp('https://*.example.com/**').test('https://a.b.example.com/a')).toBe(false);
		expect(globToRegExp('http://localhost:3000/auth/*').test('http://localhost:3000/auth/callback')).toBe(true);
		expect(globToRegExp('http://localhost:3000/auth/*').test('http://localhost:3000/auth/a/b')).toBe(false);
		expect(globToRegExp('https://{a,b}.example.com').test('https://b.example.com')).toBe(true);
		expect(globToRegExp('https://x?.example.com').test('https://xy.example.com')).toBe(true);
	});

	it('allows the site host, loopback addresses and the allow list, nothing else', () => {
		const policy = new RedirectPolicy('https://site.example.com', ['myapp://callback', 'https://*.preview.example.com/**']);
		expect(policy.isValid('https://site.example.com/any/path?x=1')).toBe(true);
		expect(policy.isValid('http://127.0.0.1:5173/cb')).toBe(true);
		expect(policy.isValid('myapp://callback')).toBe(true);
		expect(policy.isValid('https://pr-1.preview.example.com/a#frag')).toBe(true);
		expect(policy.isValid('https://evil.example.net/')).toBe(false);
		expect(policy.isValid('http://10.0.0.1/')).toBe(false);
		expect(policy.isValid('https://2130706433/')).toBe(false);
		expect(policy.isValid('')).toBe(false);
	});
});

describe('small helpers', () => {
	it('parses Go durations', () => {
		expect(parseGoDuration('1s')).toBe(1000);
		expect(parseGoDuration('1m30s')).toBe(90_000);
		expect(parseGoDuration('500ms')).toBe(500);
		expect(parseGoDuration('24h')).toBe(86_400_000);
		expect(parseGoDuration('soon')).toBeNull();
	});

	it('refills token buckets at the configured rate', () => {
		const limiter = new RateLimiter(30, 300_000, 2);
		expect([limiter.take('ip', 0), limiter.take('ip', 0), limiter.take('ip', 0)]).toEqual([true, true, false]);
		expect(limiter.take('other', 0)).toBe(true);
		expect(limiter.take('ip', 9_999)).toBe(false);
		expect(limiter.take('ip', 10_001)).toBe(true);
	});

	it('encodes query values as Go does', () => {
		expect(goQueryEscape("a b&c=d/é!'()*")).toBe('a+b%26c%3Dd%2F%C3%A9%21%27%28%29%2A');
		expect(goEncodeValues({ type: 'signup', access_token: 'x', sb: '' })).toBe('access_token=x&sb=&type=signup');
	});

	it('applies minimum length and required characters', () => {
		const weak = (pw: string, sets: string[] = []) => {
			try {
				checkPasswordStrength(pw, 8, sets);
				return null;
			} catch (error) {
				return (error as AuthError).reasons;
			}
		};
		expect(weak('short')).toEqual(['length']);
		expect(weak('longenough')).toBeNull();
		expect(weak('longenough', requiredCharacterSets('letters_digits'))).toEqual(['characters']);
		expect(weak('long3nough', requiredCharacterSets('letters_digits'))).toBeNull();
		expect(weak('x', requiredCharacterSets('lower_upper_letters_digits'))).toEqual(['length', 'characters']);
	});
});

describe('verifyAccessToken', () => {
	const secret = 'a-test-secret-of-at-least-thirty-two-chars';
	const now = 1_700_000_000_000;
	const keys = { jwtSecret: secret, signingKeys: [], signingKey: null };
	const reason = async (token: string) => {
		try {
			await verifyAccessToken(keys, token, now);
			return null;
		} catch (error) {
			return (error as AuthError).message.replace('invalid JWT: unable to parse or verify signature, ', '');
		}
	};

	it('accepts a good token and refuses others with golang-jwt’s reasons, in its order', async () => {
		const good = signHs256(secret, { sub: 'x', exp: now / 1000 + 60 });
		expect(await reason(good)).toBeNull();
		expect(await reason(signHs256(secret, { sub: 'x', exp: now / 1000 - 1 }))).toBe('token has invalid claims: token is expired');
		// A bad signature is reported before an expiry.
		expect(await reason(signHs256('another-secret', { sub: 'x', exp: now / 1000 - 1 }))).toBe('token signature is invalid: signature is invalid');
		expect(await reason('a.b')).toBe('token is malformed: token contains an invalid number of segments');
		expect(await reason('!!.e30.x')).toBe('token is malformed: could not base64 decode header: illegal base64 data at input byte 0');
		const header = (h: object) => `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${good.split('.')[1]}.${good.split('.')[2]}`;
		expect(await reason(header({ alg: 'none' }))).toBe('token signature is invalid: signing method none is invalid');
		// RS256 and ES256 are valid methods (as the CLI sets them); with no key for the kid the keyfunc fails.
		expect(await reason(header({ alg: 'RS256' }))).toBe('token is unverifiable: error while executing keyfunc: unrecognized JWT kid <nil> for algorithm RS256');
		expect(await reason(header({ alg: 'ES256', kid: 'k1' }))).toBe('token is unverifiable: error while executing keyfunc: unrecognized JWT kid k1 for algorithm ES256');
		expect(await reason(header({ alg: 'RS512' }))).toBe('token signature is invalid: signing method RS512 is invalid');
		expect(await reason(header({ alg: 'XX1' }))).toBe('token is unverifiable: signing method (alg) is unavailable');
		expect(await reason(header({ typ: 'JWT' }))).toBe('token is unverifiable: signing method (alg) is unspecified');
	});
});

describe('TOTP', () => {
	// RFC 6238, appendix B: SHA-1 with the ASCII key "12345678901234567890" (8-digit codes, of which a 6-digit code is the tail).
	const rfcSecret = Secret.fromLatin1('12345678901234567890').base32;

	it('computes the codes of RFC 6238', () => {
		expect(rfcSecret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
		expect(totpCode(rfcSecret, 59_000)).toBe('287082');
		expect(totpCode(rfcSecret, 1_111_111_109_000)).toBe('081804');
		expect(totpCode(rfcSecret, 1_234_567_890_000)).toBe('005924');
		expect(totpCode(rfcSecret, 20_000_000_000_000)).toBe('353130');
	});

	it('accepts the code of the current step and one step either side, nothing further or of another length', () => {
		const now = 1_700_000_015_000;
		for (const step of [-1, 0, 1]) expect(validateTotp(totpCode(rfcSecret, now + step * 30_000), rfcSecret, now)).toBe(true);
		for (const step of [-2, 2]) expect(validateTotp(totpCode(rfcSecret, now + step * 30_000), rfcSecret, now)).toBe(false);
		expect(validateTotp(`0${totpCode(rfcSecret, now)}`, rfcSecret, now)).toBe(false);
	});

	it('makes a new 20-byte base32 secret each time, whose codes validate', () => {
		const a = newTotpSecret();
		const b = newTotpSecret();
		expect(a).toMatch(/^[A-Z2-7]{32}$/);
		expect(a).not.toBe(b);
		expect(Secret.fromBase32(a).bytes.length).toBe(20);
		expect(validateTotp(totpCode(a, Date.now()), a)).toBe(true);
		expect(validateTotp(totpCode(a, Date.now()), b)).toBe(false);
	});

	it('writes the otpauth URI as Go escapes it: the label path keeps ":" "@" "+", the query is sorted', () => {
		expect(otpauthUri('My App', 'a b+c@example.com', 'ABC')).toBe(
			'otpauth://totp/My%20App:a%20b+c@example.com?algorithm=SHA1&digits=6&issuer=My+App&period=30&secret=ABC'
		);
	});
});
