import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** "Export my data": everything the person owns, as a JSON download. */
export const GET: RequestHandler = async ({ locals }) => {
	const user = await locals.getUser();
	if (!user) error(401, 'not signed in');
	const { data, error: rpcError } = await locals.supabase.rpc('export_my_data');
	if (rpcError) error(500, rpcError.message);
	const day = new Date().toISOString().slice(0, 10);
	return new Response(JSON.stringify(data, null, 2), {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="samenspel-export-${day}.json"`,
			'cache-control': 'no-store'
		}
	});
};
