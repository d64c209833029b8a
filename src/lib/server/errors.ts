/**
 * Errors in the person's language. Form validation, Auth and the couple functions each
 * speak their own codes; here they become messages. Unknown codes become a general
 * message (and are logged), never a raw English error from a library.
 */
import type { AuthError, PostgrestError } from '@supabase/supabase-js';
import { m } from '#lib/paraglide/messages.js';
import type { FieldErrors } from '#lib/forms.ts';
import type { ErrorKey } from '#lib/validation/schemas.ts';

const fieldMessages: Record<ErrorKey, () => string> = {
	email_required: m.error_email_required,
	email_invalid: m.error_email_invalid,
	password_required: m.error_password_required,
	password_too_short: m.error_password_too_short,
	password_too_long: m.error_password_too_long,
	password_mismatch: m.error_password_mismatch,
	display_name_required: m.error_display_name_required,
	display_name_too_long: m.error_display_name_too_long,
	language_invalid: m.error_language_invalid,
	confirm_email_mismatch: m.error_confirm_email_mismatch,
	invite_invalid: m.error_invite_invalid,
	invalid_value: m.error_invalid_value
};

/** Field error keys → messages, for the form to show next to each field. */
export function translateFieldErrors(errors: FieldErrors): Record<string, string> {
	return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, fieldMessages[key]()]));
}

/** An Auth error (sign-in, sign-up, password change …) as a sentence for the person. */
export function authErrorMessage(error: AuthError): string {
	switch (error.code) {
		case 'invalid_credentials':
			return m.error_auth_invalid_credentials();
		case 'user_already_exists':
		case 'email_exists':
			return m.error_auth_user_exists();
		case 'weak_password':
			return m.error_password_too_short();
		case 'same_password':
			return m.error_auth_same_password();
		case 'email_not_confirmed':
			return m.error_auth_email_not_confirmed();
		case 'over_request_rate_limit':
		case 'over_email_send_rate_limit':
			return m.error_auth_rate_limited();
		case 'email_address_invalid':
			return m.error_email_invalid();
		case 'signup_disabled':
			return m.error_auth_signup_disabled();
		default:
			console.error('auth error', error.code, error.message);
			return m.error_generic();
	}
}

/** The couple functions raise short codes (`invite_expired` …); these are their messages. */
const coupleMessages: Record<string, () => string> = {
	invite_invalid: m.error_invite_invalid,
	invite_revoked: m.error_invite_revoked,
	invite_used: m.error_invite_used,
	invite_declined: m.error_invite_declined,
	invite_expired: m.error_invite_expired,
	invite_own: m.error_invite_own,
	couple_full: m.error_couple_full,
	already_in_couple: m.error_already_in_couple,
	not_in_couple: m.error_not_in_couple,
	not_a_member: m.error_not_a_member,
	not_authenticated: m.error_not_authenticated
};

export function coupleErrorMessage(error: PostgrestError | { message: string }): string {
	const known = coupleMessages[error.message];
	if (known) return known();
	console.error('couple function error', error.message);
	return m.error_generic();
}

/** A status from `couple_invite_preview` as a message ('valid' has none). */
export function inviteStatusMessage(status: string): string | null {
	return status === 'valid' ? null : (coupleMessages[status] ?? m.error_invite_invalid)();
}
