import { describe, expect, it } from 'vitest';
import { formValues, parseForm } from './forms.ts';
import {
	changePasswordSchema,
	inviteTokenFrom,
	inviteTokenSchema,
	profileSchema,
	signInSchema,
	signUpSchema
} from './validation/schemas.ts';

const form = (entries: Record<string, string>) => {
	const data = new FormData();
	for (const [k, v] of Object.entries(entries)) data.set(k, v);
	return data;
};

describe('formValues', () => {
	it('reads the named fields and turns missing ones into empty strings', () => {
		expect(formValues(form({ email: 'a@b.nl', extra: 'x' }), ['email', 'password'])).toEqual({ email: 'a@b.nl', password: '' });
	});
});

describe('sign-up input', () => {
	it('accepts a name, an e-mail address and a long enough password, trimmed and lower-cased', () => {
		const parsed = parseForm(signUpSchema, { display_name: '  Anna ', email: ' Anna@Example.NL ', password: 'lang genoeg' });
		expect(parsed).toEqual({ ok: true, output: { display_name: 'Anna', email: 'anna@example.nl', password: 'lang genoeg' } });
	});

	it('names every wrong field with its own error key', () => {
		const parsed = parseForm(signUpSchema, { display_name: '   ', email: 'not-an-address', password: 'short' });
		expect(parsed).toEqual({
			ok: false,
			errors: { display_name: 'display_name_required', email: 'email_invalid', password: 'password_too_short' }
		});
	});

	it('refuses passwords longer than bcrypt reads (72 bytes), counting bytes not characters', () => {
		const parsed = parseForm(signUpSchema, { display_name: 'A', email: 'a@b.nl', password: 'é'.repeat(37) });
		expect(parsed.ok ? null : parsed.errors.password).toBe('password_too_long');
	});

	it('refuses display names over 60 characters', () => {
		const parsed = parseForm(signUpSchema, { display_name: 'x'.repeat(61), email: 'a@b.nl', password: '12345678' });
		expect(parsed.ok ? null : parsed.errors.display_name).toBe('display_name_too_long');
	});
});

describe('sign-in input', () => {
	it('asks for both fields', () => {
		expect(parseForm(signInSchema, { email: '', password: '' })).toEqual({
			ok: false,
			errors: { email: 'email_required', password: 'password_required' }
		});
	});
	it('turns a missing field (not a string) into invalid_value rather than a library message', () => {
		expect(parseForm(signInSchema, { email: 'a@b.nl' })).toEqual({ ok: false, errors: { password: 'invalid_value' } });
	});
});

describe('new password', () => {
	it('puts a mismatch on the confirmation field', () => {
		expect(parseForm(changePasswordSchema, { password: 'abcdefgh', password_confirm: 'abcdefgx' })).toEqual({
			ok: false,
			errors: { password_confirm: 'password_mismatch' }
		});
	});
	it('accepts two equal passwords', () => {
		expect(parseForm(changePasswordSchema, { password: 'abcdefgh', password_confirm: 'abcdefgh' }).ok).toBe(true);
	});
});

describe('profile', () => {
	it('only knows Dutch and English', () => {
		expect(parseForm(profileSchema, { display_name: 'Ben', language: 'de' })).toEqual({ ok: false, errors: { language: 'language_invalid' } });
		expect(parseForm(profileSchema, { display_name: 'Ben', language: 'en' }).ok).toBe(true);
	});
});

describe('invite tokens', () => {
	const token = 'A'.repeat(20) + '-_' + 'z9'.repeat(10) + 'q';
	it('have 43 URL-safe characters', () => {
		expect(token).toHaveLength(43);
		expect(parseForm(inviteTokenSchema, token).ok).toBe(true);
		expect(parseForm(inviteTokenSchema, token.slice(1)).ok).toBe(false);
		expect(parseForm(inviteTokenSchema, token.slice(1) + '=').ok).toBe(false);
	});
	it('are found in a pasted link or on their own, and nowhere else', () => {
		expect(inviteTokenFrom(`https://samenspel.example/invite/${token}`)).toBe(token);
		expect(inviteTokenFrom(`  http://localhost:5173/invite/${token}?x=1 `)).toBe(token);
		expect(inviteTokenFrom(token)).toBe(token);
		expect(inviteTokenFrom(`https://samenspel.example/other/${token}`)).toBeNull();
		expect(inviteTokenFrom('hello')).toBeNull();
	});
});
