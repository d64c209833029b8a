/**
 * postgres_changes: row changes of the tables in the `supabase_realtime` publication, read
 * from logical replication (pgoutput on a temporary slot), so only committed transactions
 * are seen and tables added to the publication later are picked up by themselves.
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
import postgres, { type Sql } from 'postgres';
import type { Claims } from '../jwt.ts';
import type { ChangeFeed, ChangeListener } from './channel.ts';
import { parsePgOutput, toJsonValue, type Relation, type Tuple } from './pgoutput.ts';

const PUBLICATION = 'supabase_realtime';
const META_TTL_MS = 2000;

type Op = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'like' | 'ilike' | 'is' | 'match' | 'imatch' | 'isdistinct';
const OPS = new Set<string>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct']);
interface Filter {
	column: string;
	op: Op;
	negate: boolean;
	value: string | string[];
	/** The value as Supabase logs it (`in` lists as `{a,b}`). */
	raw: string;
	/** Compiled pattern of like / ilike / match / imatch. */
	pattern?: RegExp;
}

/** Thrown for a filter Supabase cannot parse; the message is its reason. */
class FilterError extends Error {}

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
	action: 'INSERT' | 'UPDATE' | 'DELETE';
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

/** Splits `a=eq.1,b=in.(x,"y,z")` on commas outside quotes and parentheses. */
function splitConditions(text: string, keepEmpty = false): string[] {
	const parts: string[] = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') quoted = !quoted;
		else if (!quoted && c === '(') depth++;
		else if (!quoted && c === ')') depth--;
		else if (!quoted && depth === 0 && c === ',') {
			parts.push(text.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(text.slice(start));
	const trimmed = parts.map((p) => p.trim());
	return keepEmpty ? trimmed : trimmed.filter(Boolean);
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** A SQL LIKE pattern (`%`, `_`, backslash escapes) as a regular expression. */
function likePattern(pattern: string, caseless: boolean): RegExp {
	let out = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length) out += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		else if (c === '%') out += '[\\s\\S]*';
		else if (c === '_') out += '[\\s\\S]';
		else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${out}$`, caseless ? 'i' : '');
}

/** Parses a `postgres_changes` filter as Supabase does; throws {@link FilterError} with its reason. */
export function parseFilter(text: string): Filter[] {
	if (text.trim() === '') return [];
	return splitConditions(text, true).map((segment) => {
		const condition = segment.trim();
		if (!condition) throw new FilterError('filter must not contain empty segments (check for extra commas)');
		const eq = condition.indexOf('=');
		if (eq < 0) throw new FilterError(`[${JSON.stringify(condition)}]`);
		const column = condition.slice(0, eq);
		let rest = condition.slice(eq + 1);
		const negate = rest.startsWith('not.');
		if (negate) rest = rest.slice(4);
		const dot = rest.indexOf('.');
		if (dot < 0) throw new FilterError(`[${JSON.stringify(rest)}]`);
		const op = rest.slice(0, dot);
		const raw = rest.slice(dot + 1);
		if (!OPS.has(op)) throw new FilterError(`[${JSON.stringify(op)}, ${JSON.stringify(raw)}]`);
		if (op === 'in') {
			const inner = /^\((.*)\)$/s.exec(raw);
			if (!inner) throw new FilterError('`in` filter value must be wrapped by parentheses');
			return { column, op, negate, value: splitConditions(inner[1]).map(unquote), raw: `{${inner[1]}}` };
		}
		const value = unquote(raw);
		const filter: Filter = { column, op: op as Op, negate, value, raw: value };
		if (op === 'is' && !['null', 'true', 'false', 'unknown'].includes(value)) {
			throw new FilterError('invalid value for is filter: must be null, true, false, or unknown');
		}
		if (op === 'like' || op === 'ilike') filter.pattern = likePattern(value, op === 'ilike');
		if (op === 'match' || op === 'imatch') {
			try {
				filter.pattern = new RegExp(value, op === 'imatch' ? 'i' : '');
			} catch (error) {
				throw new FilterError(`invalid regular expression for ${op} filter: ${(error as Error).message}`);
			}
		}
		return filter;
	});
}

/** Subscription parameters as Supabase writes them into its error messages. */
function paramsToLog(event: string, schema: string, table: string, filters: Filter[], select: string[] | null): string {
	const list = (items: string[]) => `[${items.join(', ')}]`;
	const filterText = list(filters.map((f) => `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(f.raw)}, ${f.negate}}`));
	const selectText = select ? list(select.map((c) => JSON.stringify(c))) : 'nil';
	return `[event: ${event}, schema: ${schema}, table: ${table}, filters: ${filterText}, select: ${selectText}]`;
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

function compare(a: unknown, b: string, numeric: boolean): number | null {
	if (a === null || a === undefined) return null;
	if (numeric) {
		const x = Number(a);
		const y = Number(b);
		if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
		return x === y ? 0 : x < y ? -1 : 1;
	}
	const s = typeof a === 'string' ? a : typeof a === 'object' ? JSON.stringify(a) : String(a);
	return s === b ? 0 : s < b ? -1 : 1;
}

function passes(filter: Filter, record: Row | null, types: Map<string, string>): boolean {
	if (!record || !(filter.column in record)) return false;
	const value = record[filter.column];
	const numeric = NUMERIC_TYPES.has(types.get(filter.column) ?? '');
	const bool = types.get(filter.column) === 'bool';
	const norm = (v: string) => (bool ? (['t', 'true'].includes(v.toLowerCase()) ? 'true' : 'false') : v);
	const cmp = (v: string) => compare(bool ? String(value) : value, norm(v), numeric);
	if (filter.op === 'is') {
		const v = filter.value as string;
		const result = v === 'null' || v === 'unknown' ? value === null : value === (v === 'true');
		return filter.negate ? !result : result;
	}
	if (filter.op === 'isdistinct') {
		const distinct = value === null || value === undefined || cmp(filter.value as string) !== 0;
		return filter.negate ? !distinct : distinct;
	}
	// SQL: a comparison with NULL is unknown, and so is its negation.
	if (value === null || value === undefined) return false;
	let result: boolean;
	if (filter.pattern) {
		result = filter.pattern.test(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
	} else if (filter.op === 'in') {
		result = (filter.value as string[]).some((v) => cmp(v) === 0);
	} else {
		const c = cmp(filter.value as string);
		if (c === null) return false;
		result = ({ eq: c === 0, neq: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 } as Record<string, boolean>)[filter.op] ?? false;
	}
	return filter.negate ? !result : result;
}

export class PostgresChanges implements ChangeFeed {
	ready = false;
	private dbUrl: string;
	private db: Sql;
	private log: (line: string) => void;
	private subs = new Map<ChangeListener, Subscription[]>();
	private relations = new Map<number, Relation>();
	private typeNames = new Map<number, string>();
	private tableMeta = new Map<number, TableMeta>();
	private columnGrants = new Map<string, { columns: Set<string>; at: number }>();
	private repl: Sql | null = null;
	private stopped = false;
	private pendingTx: { commitTime: Date; changes: { relationId: number; action: Change['action']; old: Tuple | null; tuple: Tuple | null }[] } | null = null;
	private chain: Promise<void> = Promise.resolve();
	private lastLsn = 0n;
	private statusTimer: NodeJS.Timeout | null = null;
	private reconnectTimer: NodeJS.Timeout | null = null;
	private failures = 0;
	private write: ((chunk: Buffer) => void) | null = null;

	constructor(options: { dbUrl: string; db: Sql; log(line: string): void }) {
		this.dbUrl = options.dbUrl;
		this.db = options.db;
		this.log = options.log;
	}

	async start() {
		if (this.stopped) return;
		await this.connect().then(
			() => {
				this.failures = 0;
			},
			(error) => {
				if (this.failures++ === 0) this.log(`[realtime] postgres_changes: replication not started (retrying): ${(error as Error).message}`);
				this.scheduleReconnect();
			}
		);
	}

	private scheduleReconnect() {
		if (this.stopped || this.reconnectTimer) return;
		this.reconnectTimer = setTimeout(
			() => {
				this.reconnectTimer = null;
				void this.start();
			},
			Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6))
		);
		this.reconnectTimer.unref();
	}

	private async connect() {
		const repl = postgres(this.dbUrl, {
			max: 1,
			fetch_types: false,
			idle_timeout: 0,
			max_lifetime: null,
			onnotice: () => {},
			connection: { application_name: 'supabase_local_realtime_replication', replication: 'database' } as Record<string, string>
		});
		this.repl = repl;
		const slot = `supabase_local_realtime_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
		const [created] = await repl.unsafe(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
		const stream = await repl
			.unsafe(`START_REPLICATION SLOT ${slot} LOGICAL ${created.consistent_point} (proto_version '1', publication_names '${PUBLICATION}')`)
			.writable();
		this.relations.clear();
		this.typeNames.clear();
		this.schemaChanged();
		this.write = (chunk) => stream.write(chunk);
		stream.on('data', (data: Buffer) => this.onData(data));
		stream.on('error', (error: Error) => this.log(`[realtime] postgres_changes: replication stream: ${error.message}`));
		stream.on('close', () => {
			this.ready = false;
			this.write = null;
			if (this.repl === repl) {
				this.repl = null;
				void repl.end({ timeout: 1 }).catch(() => {});
			}
			this.scheduleReconnect();
		});
		if (this.stopped) {
			await repl.end({ timeout: 1 }).catch(() => {});
			return;
		}
		this.statusTimer ??= setInterval(() => this.sendStatus(false), 10_000);
		this.statusTimer.unref();
		this.ready = true;
	}

	async stop() {
		this.stopped = true;
		if (this.statusTimer) clearInterval(this.statusTimer);
		if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
		const repl = this.repl;
		this.repl = null;
		if (repl) await repl.end({ timeout: 1 }).catch(() => {});
		await this.chain;
	}

	schemaChanged() {
		this.typeNames.clear();
		this.tableMeta.clear();
		this.columnGrants.clear();
	}

	private sendStatus(reply: boolean) {
		if (!this.write || this.lastLsn === 0n) return;
		const frame = Buffer.alloc(34);
		frame[0] = 0x72; // r
		frame.writeBigUInt64BE(this.lastLsn, 1);
		frame.writeBigUInt64BE(this.lastLsn, 9);
		frame.writeBigUInt64BE(this.lastLsn, 17);
		frame.writeBigInt64BE(BigInt(Date.now() - Date.UTC(2000, 0, 1)) * 1000n, 25);
		frame[33] = reply ? 1 : 0;
		this.write(frame);
	}

	private onData(data: Buffer) {
		if (data[0] === 0x6b /* k: keepalive */) {
			const walEnd = data.readBigUInt64BE(1);
			if (walEnd > this.lastLsn && !this.pendingTx) this.lastLsn = walEnd;
			if (data[17]) this.sendStatus(false);
			return;
		}
		if (data[0] !== 0x77 /* w: XLogData */) return;
		const message = parsePgOutput(data.subarray(25));
		switch (message.tag) {
			case 'begin':
				this.pendingTx = { commitTime: message.commitTime, changes: [] };
				break;
			case 'relation':
				this.relations.set(message.relation.id, message.relation);
				this.tableMeta.delete(message.relation.id);
				break;
			case 'insert':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'INSERT', old: null, tuple: message.tuple });
				break;
			case 'update':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'UPDATE', old: message.old, tuple: message.tuple });
				break;
			case 'delete':
				this.pendingTx?.changes.push({ relationId: message.relationId, action: 'DELETE', old: message.old, tuple: null });
				break;
			case 'commit': {
				const tx = this.pendingTx;
				this.pendingTx = null;
				this.lastLsn = message.endLsn;
				if (tx && tx.changes.length > 0 && this.subs.size > 0) {
					// Relations are captured now: a later Relation message may replace them.
					const captured = tx.changes.map((c) => ({ ...c, relation: this.relations.get(c.relationId) }));
					this.chain = this.chain
						.then(() => this.processTransaction(tx.commitTime, captured))
						.catch((error) => this.log(`[realtime] postgres_changes: ${(error as Error).stack ?? error}`));
				}
				break;
			}
		}
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

	private async processTransaction(
		commitTime: Date,
		changes: { relation: Relation | undefined; action: Change['action']; old: Tuple | null; tuple: Tuple | null }[]
	) {
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
