/**
 * The round functions raise short codes (`round_submitted` …); these are their messages
 * in the person's language. Used on the server (form actions) and in the browser (the
 * answer page saves and submits with the browser client).
 */
import { m } from '#lib/paraglide/messages.js';

const roundMessages: Record<string, () => string> = {
	not_in_couple: m.answer_error_not_in_couple,
	not_in_round: m.answer_error_not_in_round,
	round_submitted: m.answer_error_round_submitted,
	invalid_answers: m.answer_error_invalid,
	invalid_reflection: m.answer_error_invalid,
	not_authenticated: m.error_not_authenticated
};

export function roundErrorMessage(error: { message: string } | null | undefined): string {
	const known = error ? roundMessages[error.message] : undefined;
	if (known) return known();
	if (error && /fetch|network|Failed/i.test(error.message)) return m.answer_error_offline();
	console.error('round function error', error?.message);
	return m.error_generic();
}
