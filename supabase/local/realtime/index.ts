// Placeholder until the Realtime service lands (issue 5): answers 501 so nothing pretends.
import type { RuntimeContext, Service } from '../context.ts';
import { sendJson } from '../gateway.ts';
export function createRealtimeService(_ctx: RuntimeContext): Service {
	return { prefix: '/realtime/v1', handle: async ({ res }) => sendJson(res, 501, { message: 'Realtime is not built yet' }) };
}
