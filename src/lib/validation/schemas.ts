/**
 * Every form's input, as valibot schemas. Issue messages are error *keys* (see
 * `ErrorKey`), translated at the route boundary into the person's language.
 */
import * as v from 'valibot';

export const errorKeys = [
	'email_required',
	'email_invalid',
	'password_required',
	'password_too_short',
	'password_too_long',
	'password_mismatch',
	'display_name_required',
	'display_name_too_long',
	'language_invalid',
	'confirm_email_mismatch',
	'invite_invalid',
	'invalid_value'
] as const;
export type ErrorKey = (typeof errorKeys)[number];

const trimmed = v.pipe(v.string('invalid_value'), v.trim());

export const emailSchema = v.pipe(
	trimmed,
	v.nonEmpty('email_required'),
	v.maxLength(254, 'email_invalid'),
	v.email('email_invalid'),
	v.toLowerCase()
);

/** Same minimum as `[auth] minimum_password_length` in supabase/config.toml; bcrypt reads 72 bytes. */
export const PASSWORD_MIN = 8;
export const newPasswordSchema = v.pipe(
	v.string('invalid_value'),
	v.minLength(PASSWORD_MIN, 'password_too_short'),
	v.maxBytes(72, 'password_too_long')
);

export const displayNameSchema = v.pipe(
	trimmed,
	v.nonEmpty('display_name_required'),
	v.maxLength(60, 'display_name_too_long')
);

export const languageSchema = v.picklist(['nl', 'en'], 'language_invalid');

export const signUpSchema = v.object({
	display_name: displayNameSchema,
	email: emailSchema,
	password: newPasswordSchema
});

export const signInSchema = v.object({
	email: emailSchema,
	password: v.pipe(v.string('invalid_value'), v.nonEmpty('password_required'))
});

export const forgotPasswordSchema = v.object({ email: emailSchema });

export const changePasswordSchema = v.pipe(
	v.object({ password: newPasswordSchema, password_confirm: v.string('invalid_value') }),
	v.forward(
		v.partialCheck([['password'], ['password_confirm']], (input) => input.password === input.password_confirm, 'password_mismatch'),
		['password_confirm']
	)
);

export const profileSchema = v.object({ display_name: displayNameSchema, language: languageSchema });

export const deleteAccountSchema = v.object({ confirm_email: emailSchema });

/** Invite tokens: 32 random bytes as URL-safe base64 without padding (43 characters). */
export const inviteTokenSchema = v.pipe(v.string('invite_invalid'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'invite_invalid'));

/** Finds the token in whatever a person pasted: the whole link or the token alone. */
export function inviteTokenFrom(pasted: string): string | null {
	const match = /(?:^|\/invite\/)([A-Za-z0-9_-]{43})(?:[/?#]|$)/.exec(pasted.trim());
	return match ? match[1] : null;
}

export const noticeIdSchema = v.object({ id: v.pipe(v.string('invalid_value'), v.uuid('invalid_value')) });
