import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ locals }) => {
		// Ends the session at Auth too, so a copied refresh token stops working.
		await locals.supabase.auth.signOut();
		redirect(303, '/');
	}
};
