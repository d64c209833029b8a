import type { LayoutServerLoad } from './$types';

// Only what the header needs (whether someone is signed in, their name) and the
// profile's language, which the (app) layout enforces.
export const load: LayoutServerLoad = async ({ locals, depends }) => {
	depends('supabase:auth');
	const user = await locals.getUser();
	if (!user) return { user: null };
	const { data: profile } = await locals.supabase.from('profiles').select('display_name, language').eq('id', user.id).maybeSingle();
	return {
		user: { id: user.id, email: user.email, displayName: profile?.display_name ?? user.email, language: profile?.language ?? null }
	};
};
