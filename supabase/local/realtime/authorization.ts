/**
 * Private channel authorisation, the way Supabase Realtime does it: in one transaction
 * that is always rolled back, insert probe rows into `realtime.messages` for the topic,
 * become the user (`role`, `request.jwt.claims`, `realtime.topic`), and see which probes
 * the `select` policies let through (read); then try inserting as the user (write). The
 * result is kept on the channel; nothing touches the database per message.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Claims } from '../jwt.ts';

export interface Policies {
	broadcastRead: boolean;
	broadcastWrite: boolean;
	presenceRead: boolean;
	presenceWrite: boolean;
}

export class AuthorizationError extends Error {}

class Rollback extends Error {}

/** Session settings as Realtime sets them before policies are evaluated. */
async function becomeUser(tx: Sql, topic: string, claims: Claims) {
	const role = typeof claims.role === 'string' ? claims.role : 'anon';
	await tx`select
		set_config('role', ${role}, true),
		set_config('realtime.topic', ${topic}, true),
		set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
		set_config('request.jwt.claim.sub', ${typeof claims.sub === 'string' ? claims.sub : ''}, true),
		set_config('request.jwt.claim.role', ${role}, true),
		set_config('request.headers', '{}', true)`;
}

/** Evaluates read and write policies for broadcast and presence on `topic` as `claims`. */
export async function authorizeTopic(db: Sql, topic: string, claims: Claims): Promise<Policies> {
	let result: Policies | null = null;
	try {
		await db.begin(async (tx) => {
			const broadcastId = randomUUID();
			const presenceId = randomUUID();
			await tx`insert into realtime.messages (id, topic, extension)
				values (${broadcastId}, ${topic}, 'broadcast'), (${presenceId}, ${topic}, 'presence')`;
			await becomeUser(tx as unknown as Sql, topic, claims);
			const seen = new Set(
				(await tx`select id from realtime.messages where id in (${broadcastId}, ${presenceId})`).map((r) => r.id as string)
			);
			const canInsert = async (extension: string) => {
				try {
					await tx.savepoint((sp) => sp`insert into realtime.messages (topic, extension) values (${topic}, ${extension})`);
					return true;
				} catch (error) {
					if ((error as { code?: string }).code === '42501') return false;
					throw error;
				}
			};
			result = {
				broadcastRead: seen.has(broadcastId),
				presenceRead: seen.has(presenceId),
				broadcastWrite: await canInsert('broadcast'),
				presenceWrite: await canInsert('presence')
			};
			throw new Rollback();
		});
	} catch (error) {
		if (!(error instanceof Rollback)) throw new AuthorizationError((error as Error).message);
	}
	return result!;
}

/** Whether `claims` may insert (send) on `topic`: the HTTP broadcast API's check. */
export async function canWriteTopic(db: Sql, topic: string, claims: Claims): Promise<boolean> {
	let allowed = false;
	try {
		await db.begin(async (tx) => {
			await becomeUser(tx as unknown as Sql, topic, claims);
			try {
				await tx.savepoint((sp) => sp`insert into realtime.messages (topic, extension) values (${topic}, 'broadcast')`);
				allowed = true;
			} catch (error) {
				if ((error as { code?: string }).code !== '42501') throw error;
			}
			throw new Rollback();
		});
	} catch (error) {
		if (!(error instanceof Rollback)) throw new AuthorizationError((error as Error).message);
	}
	return allowed;
}
