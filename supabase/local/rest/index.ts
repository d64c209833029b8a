// Placeholder until the REST service lands (issue 4): answers 501 so nothing pretends.
import type { RuntimeContext, Service } from '../context.ts';
import { sendJson } from '../gateway.ts';
export function createRestService(_ctx: RuntimeContext): Service {
	return { prefix: '/rest/v1', handle: async ({ res }) => sendJson(res, 501, { message: 'REST is not built yet' }) };
}
