/**
 * `/_local/v1`: the runtime's own control routes, used by the CLI against a running
 * instance (reset, migrate). Only the secret / service_role key may call them.
 */
import type { RuntimeContext, RuntimeControl, Service } from './context.ts';
import { sendJson } from './gateway.ts';

export function createAdminService(ctx: RuntimeContext, runtime: RuntimeControl): Service {
	return {
		prefix: '/_local/v1',
		async handle({ path, req, res, apiKeyRole }) {
			if (apiKeyRole !== 'service_role') return sendJson(res, 403, { message: 'The secret (service_role) key is required.' });
			if (req.method === 'GET' && path === '/status') {
				return sendJson(res, 200, { url: ctx.apiUrl, db_url: ctx.dbUrl, mailbox_url: ctx.mailbox.url, pid: process.pid });
			}
			if (req.method === 'POST' && path === '/reset') {
				try {
					await runtime.reset();
					return sendJson(res, 200, { message: 'reset' });
				} catch (error) {
					return sendJson(res, 500, { message: (error as Error).message });
				}
			}
			if (req.method === 'POST' && path === '/migrate') {
				try {
					return sendJson(res, 200, { applied: await runtime.migrate() });
				} catch (error) {
					return sendJson(res, 500, { message: (error as Error).message });
				}
			}
			sendJson(res, 404, { message: 'not found' });
		}
	};
}
