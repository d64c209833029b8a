import { redirect } from '@sveltejs/kit';
import { inviteTokenFrom } from '#lib/validation/schemas.ts';
import type { PageServerLoad } from './$types';

// "I got an invite link": the pasted link (or its token) leads to the invite page.
export const load: PageServerLoad = ({ url }) => {
	const pasted = url.searchParams.get('link');
	if (pasted === null) return { notFound: false };
	const token = inviteTokenFrom(pasted);
	if (token) redirect(303, `/invite/${token}`);
	return { notFound: true, pasted };
};
