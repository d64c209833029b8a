/**
 * The audit log (GoTrue's `models/audit_log_entry.go` and `GET /admin/audit`): a row of
 * `auth.audit_log_entries` for each account event, written in the same transaction as
 * the change it records, as GoTrue does unless `GOTRUE_AUDIT_LOG_DISABLE_POSTGRES` is set
 * (the CLI leaves it unset).
 */
import { randomUUID } from 'node:crypto';
import { isoTime, type Query, type UserRow } from './db.ts';
import { badRequest, sendJson } from './errors.ts';
import { paginationHeaders, parsePage } from './pagination.ts';
import { sortedKeys } from './params.ts';
import type { AuthRequest, AuthState } from './state.ts';

const LOG_TYPE = {
	login: 'account',
	logout: 'account',
	invite_accepted: 'account',
	user_signedup: 'team',
	user_invited: 'team',
	user_deleted: 'team',
	token_revoked: 'token',
	token_refreshed: 'token',
	user_modified: 'user',
	user_recovery_requested: 'user',
	user_reauthenticate_requested: 'user',
	user_confirmation_requested: 'user',
	user_repeated_signup: 'user',
	user_updated_password: 'user',
	identity_linked: 'user',
	identity_unlinked: 'user',
	factor_in_progress: 'factor',
	factor_unenrolled: 'factor',
	challenge_created: 'factor',
	verification_attempted: 'factor',
	factor_deleted: 'factor',
	factor_updated: 'factor'
} as const;

export type AuditAction = keyof typeof LOG_TYPE;

/** Who did it: a user, or an admin key (GoTrue's admin user: nil id, the role as its e-mail). */
export type AuditActor = Pick<UserRow, 'id' | 'email' | 'phone' | 'is_sso_user' | 'raw_user_meta_data'>;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** GoTrue's `getAdminUser`: the admin key's role stands in for a user. */
export function adminActor(r: AuthRequest): AuditActor {
	return { id: NIL_UUID, email: String(r.claims?.role ?? ''), phone: null, is_sso_user: false, raw_user_meta_data: null };
}

/**
 * `models.NewAuditLogEntry`: the actor's phone, else e-mail, as its username; its
 * `full_name` from user_metadata when set; `traits` when given. `ip` is the client's
 * address for the events GoTrue records it for (factors, identities), else empty.
 */
export async function audit(
	q: Query,
	actor: AuditActor,
	action: AuditAction,
	traits: Record<string, unknown> | null = null,
	ip = ''
): Promise<void> {
	const payload: Record<string, unknown> = {
		actor_id: actor.id,
		actor_via_sso: actor.is_sso_user ?? false,
		actor_username: actor.phone || actor.email || '',
		action,
		log_type: LOG_TYPE[action]
	};
	const fullName = actor.raw_user_meta_data?.full_name;
	if (fullName !== undefined) payload.actor_name = fullName;
	if (traits) payload.traits = traits;
	await q`
		insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
		values (${NIL_UUID}, ${randomUUID()}, (${JSON.stringify(sortedKeys(payload))}::text)::json, clock_timestamp(), ${ip})`;
}

const QUERY_COLUMNS: Record<string, string[]> = {
	author: ['actor_username', 'actor_name'],
	action: ['action'],
	type: ['log_type']
};

interface AuditRow {
	id: string;
	payload: Record<string, unknown> | string;
	created_at: string;
	ip_address: string;
}

/**
 * `GET /admin/audit`: newest first, paginated as `/admin/users` (`page`, `per_page`,
 * `Link`, `X-Total-Count`), filtered by `query=author|action|type:<text>` (a
 * case-insensitive substring of those payload fields).
 */
export async function listAuditLog(state: AuthState, r: AuthRequest): Promise<void> {
	const pageParams = parsePage(r.url.searchParams);
	const query = r.url.searchParams.get('query') ?? '';
	let columns: string[] = [];
	let needle = '';
	if (query) {
		const at = query.indexOf(':');
		columns = at >= 0 ? (QUERY_COLUMNS[query.slice(0, at)] ?? []) : [];
		if (!columns.length) throw badRequest('validation_failed', `Invalid query scope: ${query}`);
		needle = query.slice(at + 1);
	}
	const sql = state.sql;
	const like = `%${needle}%`;
	const [first, second] = columns;
	const filter = !needle
		? sql``
		: second
			? sql`and (payload->>${first} ilike ${like} or payload->>${second} ilike ${like})`
			: sql`and payload->>${first} ilike ${like}`;
	const [{ count }] = await sql<{ count: string }[]>`
		select count(*)::text as count from auth.audit_log_entries where instance_id = ${NIL_UUID} ${filter}`;
	const rows = await sql<AuditRow[]>`
		select id, payload, created_at, ip_address from auth.audit_log_entries
		where instance_id = ${NIL_UUID} ${filter}
		order by created_at desc
		limit ${pageParams.perPage} offset ${(pageParams.page - 1) * pageParams.perPage}`;
	const entries = rows.map((row) => ({
		id: row.id,
		payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
		created_at: isoTime(row.created_at),
		ip_address: row.ip_address
	}));
	return sendJson(r.res, 200, entries, paginationHeaders(r, '/admin/audit', pageParams, Number(count)));
}
