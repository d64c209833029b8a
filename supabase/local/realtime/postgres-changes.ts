/** postgres_changes (placeholder while the replication feed is built). */
import type { Sql } from 'postgres';
import type { ChangeFeed, ChangeListener } from './channel.ts';
import type { Claims } from '../jwt.ts';

export class PostgresChanges implements ChangeFeed {
	ready = true;
	constructor(_options: { dbUrl: string; db: Sql; log(line: string): void }) {}
	async start() {}
	async stop() {}
	schemaChanged() {}
	subscribe(_owner: ChangeListener, params: unknown[], _claims: Claims) {
		return { replies: params.map((p, i) => ({ ...(p as object), id: i + 1 })), errors: [] as string[] };
	}
	updateClaims(_owner: ChangeListener, _claims: Claims) {}
	unsubscribe(_owner: ChangeListener) {}
}
