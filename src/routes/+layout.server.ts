import type { LayoutServerLoad } from './$types';

// Only what the header needs: whether someone is signed in and their name.
export const load: LayoutServerLoad = async ({ locals, depends }) => {
	depends('supabase:auth');
	const user = await locals.getUser();
	if (!user) return { user: null };
	const { data: profile } = await locals.supabase.from('profiles').select('display_name').eq('id', user.id).maybeSingle();
	return { user: { id: user.id, email: user.email, displayName: profile?.display_name ?? user.email } };
};
