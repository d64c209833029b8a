// Placeholder until the Auth service lands (issue 3): answers 501 so nothing pretends.
import type { RuntimeContext, Service } from '../context.ts';
import { sendJson } from '../gateway.ts';
export function createAuthService(_ctx: RuntimeContext): Service {
	return { prefix: '/auth/v1', handle: async ({ res }) => sendJson(res, 501, { msg: 'Auth is not built yet' }) };
}
