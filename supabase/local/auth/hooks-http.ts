/**
 * Auth hooks reached over HTTP (GoTrue's `hooks/hookshttp`): a POST of the JSON input,
 * signed as Standard Webhooks sign (`webhook-id`, `webhook-timestamp`, `webhook-signature:
 * v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with each `v1,whsec_…` secret), a 5 s
 * limit, and GoTrue's reading of the answer: 204 is no answer, 200/202 must be JSON, other
 * statuses fail the request with GoTrue's messages.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { AuthError } from './errors.ts';

const TIMEOUT_MS = 5000;
const RESPONSE_LIMIT = 200 * 1024;

/** The hook's `webhook-signature` header: one signature per secret. */
export function webhookSignatures(secrets: string[], id: string, timestamp: number, body: string): string {
	return secrets
		.map((secret) => {
			if (!secret.startsWith('v1,')) throw new AuthError(500, '', 'Error generating signatures: invalid signature format');
			const key = Buffer.from(secret.slice(3).replace(/^whsec_/, ''), 'base64');
			return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
		})
		.join(', ');
}

/** Posts `input` to the hook and returns the JSON it answered (null for 204). */
export async function postHook(uri: string, secrets: string[], input: Record<string, unknown>): Promise<unknown> {
	const body = JSON.stringify(input);
	const id = randomUUID();
	const timestamp = Math.floor(Date.now() / 1000);
	let res: Response;
	try {
		res = await fetch(uri, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': id,
				'webhook-timestamp': String(timestamp),
				'webhook-signature': webhookSignatures(secrets, id, timestamp, body),
				'accept-encoding': 'identity'
			},
			body,
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
	} catch (error) {
		if (error instanceof AuthError) throw error;
		if ((error as Error).name === 'TimeoutError') {
			throw new AuthError(422, 'hook_timeout', `Failed to reach hook within maximum time of ${(TIMEOUT_MS / 1000).toFixed(6)} seconds`);
		}
		throw new AuthError(422, 'hook_timeout_after_retry', 'Failed to reach hook after maximum retries');
	}
	switch (res.status) {
		case 204:
			return null;
		case 200:
		case 202: {
			const contentType = res.headers.get('content-type');
			if (!contentType) throw new AuthError(400, 'hook_payload_invalid_content_type', 'Invalid Content-Type: Missing Content-Type header');
			if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
				throw new AuthError(400, 'hook_payload_invalid_content_type', `Invalid JSON response. Received content-type: ${contentType}`);
			}
			const text = await res.text();
			if (Buffer.byteLength(text) > RESPONSE_LIMIT) {
				throw new AuthError(422, 'hook_payload_over_size_limit', `Payload size exceeded size limit of ${RESPONSE_LIMIT} bytes`);
			}
			try {
				return JSON.parse(text) as unknown;
			} catch {
				throw new AuthError(500, '', 'Error unmarshaling JSON output.');
			}
		}
		case 400:
			throw new AuthError(500, '', 'Invalid payload sent to hook');
		case 401:
			throw new AuthError(500, '', 'Hook requires authorization token');
		case 429:
		case 503:
			throw new AuthError(500, '', 'Service currently unavailable due to hook');
		default:
			throw new AuthError(500, '', `Unexpected status code returned from hook: ${res.status}`);
	}
}
