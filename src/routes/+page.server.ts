import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => ({
	deleted: url.searchParams.has('deleted')
});
