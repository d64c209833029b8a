/**
 * postgres_changes: row changes of the tables in the `supabase_realtime` publication, as
 * replication-stream.ts hands them on, delivered to the channels that subscribed.
 *
 * Each change goes only to subscribers whose filter matches and whose role and RLS let
 * them see the row, checked the way Supabase's `realtime.apply_rls` does it: column
 * privileges per role; for RLS tables (not deletes) `select exists(… where pk = …)` run
 * as each distinct set of claims, in one transaction per change that is rolled back.
 * Deletes cannot be checked against RLS, so on RLS tables their `old_record` carries only
 * the primary key. The payload is `{ids, data: {schema, table, commit_timestamp, type,
 * columns, record?, old_record?, errors}}`, which realtime-js maps to
 * `{eventType, new, old, …}`.
 */
import type { Sql } from 'postgres';
import type { Claims } from '../jwt.ts';
import { FilterError, parseFilter, passes, type Filter } from './change-filters.ts';
import type { ChangeFeed, ChangeListener } from './channel.ts';
import { toJsonValue, type Relation, type Tuple } from './pgoutput.ts';
import { PUBLICATION, ReplicationStream, type ChangeAction, type RowChange } from './replication-stream.ts';

const META_TTL_MS = 2000;

interface Subscription {
	id: number;
	owner: ChangeListener;
	event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
	schema: string;
	table: string | null;
	filters: Filter[];
	select: string[] | null;
	claims: Claims;
	role: string;
}

interface TableMeta {
	rls: boolean;
	/** Primary key columns with their SQL types. */
	pk: { name: string; type: string }[];
	at: number;
}

type Row = Record<string, unknown>;

interface Change {
	relation: Relation;
	action: ChangeAction;
	record: Row | null;
	oldRecord: Row | null;
	/** Text values of the primary key, for the RLS probe. */
	keyText: Record<string, string | null>;
	commitTimestamp: string;
}

const quoteIdent = (name: string) => '"' + name.replace(/"/g, '""') + '"';

/** A stable small integer for a subscription's params, like Supabase's `phash2`. */
function paramsId(params: unknown): number {
	const text = JSON.stringify(params);
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash % 134217728;
}

/** Subscription parameters as Supabase writes them into its error messages. */
function paramsToLog(event: string, schema: string, table: string, filters: Filter[], select: string[] | null): string {
	const list = (items: string[]) => `[${items.join(', ')}]`;
	const filterText = list(filters.map((f) => `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(f.raw)}, ${f.negate}}`));
	const selectText = select ? list(select.map((c) => JSON.stringify(c))) : 'nil';
	return `[event: ${event}, schema: ${schema}, table: ${table}, filters: ${filterText}, select: ${selectText}]`;
}

export class PostgresChanges implements ChangeFeed {
	private db: Sql;
	private log: (line: string) => void;
	private stream: ReplicationStream;
	private subs = new Map<ChangeListener, Subscription[]>();
	private typeNames = new Map<number, string>();
	private tableMeta = new Map<number, TableMeta>();
	private columnGrants = new Map<string, { columns: Set<string>; at: number }>();

	constructor(options: { dbUrl: string; db: Sql; log(line: string): void }) {
		this.db = options.db;
		this.log = options.log;
		this.stream = new ReplicationStream({
			dbUrl: options.dbUrl,
			log: options.log,
			restarted: () => this.schemaChanged(),
			relationChanged: (relationId) => this.tableMeta.delete(relationId),
			hasSubscribers: () => this.subs.size > 0,
			transaction: (commitTime, changes) => this.processTransaction(commitTime, changes)
		});
	}

	get ready() {
		return this.stream.ready;
	}

	start() {
		return this.stream.start();
	}

	stop() {
		return this.stream.stop();
	}

	schemaChanged() {
		this.typeNames.clear();
		this.tableMeta.clear();
		this.columnGrants.clear();
	}

	// ---- subscriptions -------------------------------------------------------------

	async subscribe(owner: ChangeListener, params: unknown[], claims: Claims) {
		const replies: Record<string, unknown>[] = [];
		const errors: string[] = [];
		const subs: Subscription[] = [];
		for (const raw of params) {
			const p = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
			const id = paramsId(p);
			replies.push({ ...p, id });
			// Supabase creates all of a join's subscriptions in one transaction: the first
			// failure is reported (one `system` error) and none of them is live.
			if (errors.length > 0) continue;
			const upper = typeof p.event === 'string' ? p.event.toUpperCase() : '*';
			const event = (['INSERT', 'UPDATE', 'DELETE'].includes(upper) ? upper : '*') as Subscription['event'];
			const hasSchema = typeof p.schema === 'string';
			const hasTable = typeof p.table === 'string';
			const hasFilter = 'filter' in p && p.filter !== undefined;
			const shapeOk = hasSchema && hasTable ? !hasFilter || typeof p.filter === 'string' : (hasSchema || hasTable) && !hasFilter;
			if (!shapeOk) {
				const shown = JSON.stringify(Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'id')));
				errors.push(`No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${shown}`);
				continue;
			}
			const schema = hasSchema ? (p.schema as string) : 'public';
			const tableName = hasTable ? (p.table as string) : '*';
			let select: string[] | null = null;
			if (typeof p.select === 'string') {
				errors.push('Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]');
				continue;
			}
			if (Array.isArray(p.select)) {
				const names = p.select.filter((c): c is string => typeof c === 'string');
				select = names.length > 0 ? names : null;
			}
			if (select && (schema === '*' || tableName === '*')) {
				errors.push('Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.');
				continue;
			}
			let filters: Filter[] = [];
			try {
				filters = typeof p.filter === 'string' ? parseFilter(p.filter) : [];
			} catch (error) {
				if (!(error instanceof FilterError)) throw error;
				errors.push(`Error parsing \`filter\` params: ${error.message}`);
				continue;
			}
			const logged = paramsToLog(event, schema, tableName, filters, select);
			const role = typeof claims.role === 'string' ? claims.role : 'anon';
			// The published tables this subscription covers, and the columns the role may read.
			const like = (v: string) => (v === '*' ? '%' : v);
			const tables = await this.db`select t.schemaname, t.tablename,
					coalesce((select array_agg(a.attname::text) from pg_attribute a
						where a.attrelid = format('%I.%I', t.schemaname, t.tablename)::regclass and a.attnum > 0 and not a.attisdropped
						and has_column_privilege(${role}, a.attrelid, a.attnum, 'SELECT')), '{}') as columns
				from pg_publication_tables t
				where t.pubname = ${PUBLICATION} and t.schemaname like ${like(schema)} escape '' and t.tablename like ${like(tableName)} escape ''`.catch(
				() => []
			);
			if (tables.length === 0) {
				errors.push(`Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${logged}`);
				continue;
			}
			const problem = ((): string | null => {
				for (const t of tables) {
					const names = new Set(t.columns as string[]);
					const bad = filters.find((f) => !names.has(f.column));
					if (bad) return `invalid column for filter ${bad.column}`;
					const badSelect = select?.find((c) => !names.has(c));
					if (badSelect) return `invalid column for select ${badSelect}`;
				}
				return null;
			})();
			if (problem) {
				errors.push(
					`Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ${logged}. Exception: ERROR P0001 (raise_exception) ${problem}`
				);
				continue;
			}
			subs.push({
				id,
				owner,
				event,
				schema: schema === '*' ? '*' : schema,
				table: tableName === '*' ? null : tableName,
				filters,
				select,
				claims,
				role
			});
		}
		if (errors.length > 0) return { replies, errors: errors.slice(0, 1) };
		if (subs.length > 0) this.subs.set(owner, subs);
		return { replies, errors };
	}

	updateClaims(owner: ChangeListener, claims: Claims) {
		for (const sub of this.subs.get(owner) ?? []) {
			sub.claims = claims;
			sub.role = typeof claims.role === 'string' ? claims.role : 'anon';
		}
	}

	unsubscribe(owner: ChangeListener) {
		this.subs.delete(owner);
	}

	// ---- delivery ------------------------------------------------------------------

	private async typeNamesOf(relation: Relation): Promise<Map<string, string>> {
		const missing = relation.columns.filter((c) => !this.typeNames.has(c.typeOid)).map((c) => c.typeOid);
		if (missing.length > 0) {
			const rows = await this.db`select oid::int as oid, typname from pg_type where oid = any(${missing}::oid[])`;
			for (const row of rows) this.typeNames.set(row.oid as number, row.typname as string);
		}
		return new Map(relation.columns.map((c) => [c.name, this.typeNames.get(c.typeOid) ?? 'text']));
	}

	private async metaOf(relation: Relation): Promise<TableMeta> {
		const cached = this.tableMeta.get(relation.id);
		if (cached && Date.now() - cached.at < META_TTL_MS) return cached;
		const [row] = await this.db`select c.relrowsecurity as rls,
			coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
				from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
				where i.indrelid = c.oid and i.indisprimary), '[]'::json) as pk
			from pg_class c where c.oid = ${relation.id}`;
		const meta: TableMeta = { rls: row?.rls ?? false, pk: (row?.pk as TableMeta['pk']) ?? [], at: Date.now() };
		this.tableMeta.set(relation.id, meta);
		return meta;
	}

	private async grantsOf(role: string, relation: Relation): Promise<Set<string>> {
		const key = `${role}\u0000${relation.id}`;
		const cached = this.columnGrants.get(key);
		if (cached && Date.now() - cached.at < META_TTL_MS) return cached.columns;
		let columns = new Set<string>();
		try {
			const rows = await this.db`select a.attname from pg_attribute a
				where a.attrelid = ${relation.id} and a.attnum > 0 and not a.attisdropped
				and has_column_privilege(${role}, a.attrelid, a.attname, 'SELECT')`;
			columns = new Set(rows.map((r) => r.attname as string));
		} catch {
			/* unknown role: sees nothing */
		}
		this.columnGrants.set(key, { columns, at: Date.now() });
		return columns;
	}

	private matching(relation: Relation, action: Change['action']): Subscription[] {
		const out: Subscription[] = [];
		for (const subs of this.subs.values()) {
			for (const sub of subs) {
				if (sub.event !== '*' && sub.event !== action) continue;
				if (sub.schema !== '*' && sub.schema !== relation.schema) continue;
				if (sub.table !== null && sub.table !== relation.table) continue;
				out.push(sub);
			}
		}
		return out;
	}

	private async processTransaction(commitTime: Date, changes: RowChange[]) {
		const commitTimestamp = commitTime.toISOString();
		for (const raw of changes) {
			if (!raw.relation) continue;
			const subs = this.matching(raw.relation, raw.action);
			if (subs.length === 0) continue;
			const relation = raw.relation;
			const types = await this.typeNamesOf(relation);
			const meta = await this.metaOf(relation);
			const toRow = (tuple: Tuple | null, onlyIdentity: boolean): Row | null => {
				if (!tuple) return null;
				const row: Row = {};
				relation.columns.forEach((column, i) => {
					if (onlyIdentity && !column.identity) return;
					const value = tuple[i];
					if (value !== undefined) row[column.name] = toJsonValue(types.get(column.name) ?? 'text', value);
				});
				return row;
			};
			let record = raw.action === 'DELETE' ? null : toRow(raw.tuple, false);
			let oldRecord = raw.old ? toRow(raw.old, false) : raw.action === 'UPDATE' ? toRow(raw.tuple, true) : null;
			// Unchanged TOASTed values of an update come from the old row when it has them.
			if (record && raw.old) for (const [k, v] of Object.entries(oldRecord ?? {})) if (!(k in record)) record[k] = v;
			if (raw.action === 'DELETE' && !oldRecord) oldRecord = {};
			const keyText: Record<string, string | null> = {};
			const source = raw.tuple ?? raw.old;
			for (const pk of meta.pk) {
				const index = relation.columns.findIndex((c) => c.name === pk.name);
				keyText[pk.name] = source && index >= 0 ? (source[index] ?? null) : null;
			}
			record = record ?? null;
			await this.deliver({ relation, action: raw.action, record, oldRecord, keyText, commitTimestamp }, subs, types, meta);
		}
	}

	private async deliver(change: Change, subs: Subscription[], types: Map<string, string>, meta: TableMeta) {
		const { relation, action } = change;
		const byRole = new Map<string, Subscription[]>();
		for (const sub of subs) {
			const list = byRole.get(sub.role);
			if (list) list.push(sub);
			else byRole.set(sub.role, [sub]);
		}
		// Which subscriptions pass their filters (deletes may match on the old row).
		const filtered = (list: Subscription[]) =>
			list.filter(
				(sub) =>
					sub.filters.every((f) => passes(f, change.record, types)) ||
					(action === 'DELETE' && sub.filters.every((f) => passes(f, change.oldRecord, types)))
			);
		const checkRls = meta.rls && action !== 'DELETE';
		const visibleByClaims = checkRls ? await this.rlsVisibility(change, meta, [...byRole.values()].flatMap(filtered)) : null;

		for (const [role, list] of byRole) {
			const grants = await this.grantsOf(role, relation);
			const base = { schema: relation.schema, table: relation.table, commit_timestamp: change.commitTimestamp, type: action };
			const noPk = meta.pk.length === 0;
			const pkHidden = meta.pk.some((pk) => !grants.has(pk.name));
			if (action !== 'DELETE' && (noPk || pkHidden)) {
				// Supabase's error rows carry no timestamp and no columns; record (and old_record) are empty.
				const data = JSON.stringify({
					...base,
					commit_timestamp: null,
					columns: [],
					record: {},
					...(action === 'UPDATE' ? { old_record: {} } : {}),
					errors: [noPk ? 'Error 400: Bad Request, no primary key' : 'Error 401: Unauthorized']
				});
				this.send(list, data);
				continue;
			}
			const visible = filtered(list).filter((sub) => !visibleByClaims || visibleByClaims.get(JSON.stringify(sub.claims)) === true);
			if (visible.length === 0) continue;
			// One payload per distinct column selection.
			const bySelect = new Map<string, Subscription[]>();
			for (const sub of visible) {
				const key = sub.select ? sub.select.join(',') : '';
				const group = bySelect.get(key);
				if (group) group.push(sub);
				else bySelect.set(key, [sub]);
			}
			const pkNames = new Set(meta.pk.map((pk) => pk.name));
			for (const group of bySelect.values()) {
				const select = group[0].select;
				const shown = (name: string) => grants.has(name) && (!select || select.includes(name) || pkNames.has(name));
				const pick = (row: Row | null, onlyPk = false) => {
					const out: Row = {};
					for (const [k, v] of Object.entries(row ?? {})) if (shown(k) && (!onlyPk || pkNames.has(k))) out[k] = v;
					return out;
				};
				const data: Record<string, unknown> = {
					...base,
					columns: relation.columns.filter((c) => shown(c.name)).map((c) => ({ name: c.name, type: types.get(c.name) ?? 'text' }))
				};
				if (action !== 'DELETE') data.record = pick(change.record);
				if (action === 'UPDATE') data.old_record = pick(change.oldRecord);
				if (action === 'DELETE') data.old_record = pick(change.oldRecord, meta.rls);
				data.errors = null;
				this.send(group, JSON.stringify(data));
			}
		}
	}

	private send(subs: Subscription[], data: string) {
		const byOwner = new Map<ChangeListener, number[]>();
		for (const sub of subs) {
			const ids = byOwner.get(sub.owner);
			if (ids) {
				if (!ids.includes(sub.id)) ids.push(sub.id);
			} else byOwner.set(sub.owner, [sub.id]);
		}
		for (const [owner, ids] of byOwner) owner.deliverChange(ids, data);
	}

	/** For each distinct set of claims, whether RLS lets it see the changed row now. */
	private async rlsVisibility(change: Change, meta: TableMeta, subs: Subscription[]): Promise<Map<string, boolean>> {
		const result = new Map<string, boolean>();
		const groups = new Map<string, Subscription>();
		for (const sub of subs) groups.set(JSON.stringify(sub.claims), sub);
		if (groups.size === 0 || meta.pk.length === 0) return result;
		const table = `${quoteIdent(change.relation.schema)}.${quoteIdent(change.relation.table)}`;
		const where = meta.pk.map((pk, i) => `${quoteIdent(pk.name)} = $${i + 1}::${pk.type}`).join(' and ');
		const query = `select exists(select 1 from ${table} where ${where}) as visible`;
		const params = meta.pk.map((pk) => change.keyText[pk.name]);
		class Rollback extends Error {}
		try {
			await this.db.begin(async (tx) => {
				for (const [key, sub] of groups) {
					try {
						await tx.savepoint(async (sp) => {
							await sp`select set_config('role', ${sub.role}, true), set_config('request.jwt.claims', ${key}, true),
								set_config('request.jwt.claim.sub', ${typeof sub.claims.sub === 'string' ? sub.claims.sub : ''}, true),
								set_config('request.jwt.claim.role', ${sub.role}, true)`;
							const [row] = await sp.unsafe(query, params as string[]);
							result.set(key, row?.visible === true);
							await sp`select set_config('role', 'none', true)`;
						});
					} catch (error) {
						this.log(`[realtime] postgres_changes: RLS check failed for ${table}: ${(error as Error).message}`);
						result.set(key, false);
					}
				}
				throw new Rollback();
			});
		} catch (error) {
			if (!(error instanceof Rollback)) throw error;
		}
		return result;
	}
}
