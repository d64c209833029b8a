/**
 * What each kind of request answers, once parsed and authenticated (PostgREST's
 * Response.hs): the schema root's OpenAPI document, a read, a write (insert, upsert,
 * update, delete) and a function call. Each plans its statement, runs it in the request's
 * transaction (`run`, from index.ts) and shapes status, headers and body.
 */
import type { ServerResponse } from 'node:http';
import type { TxOptions, TxResult, Row } from './db.ts';
import { apiRequestError, PgrstError } from './errors.ts';
import { accessOf, accessStatement, openApi } from './openapi.ts';
import { mutatePlan, readPlan, type PlanContext } from './plan.ts';
import { callPlan } from './plan-call.ts';
import { findTable } from './plan-names.ts';
import { callStatement, mutateStatement, plannedCountStatement, readStatement } from './query.ts';
import type { ApiRequest, Preferences } from './request.ts';
import { contentRange, gucOverrides, negotiate, preferenceApplied, rangeStatus, send } from './response.ts';
import type { Routine, SchemaCache } from './schema-cache.ts';

export type RunOptions = Omit<TxOptions, 'setup'> & { readOnly: boolean; routine?: Routine | null };

export interface ActionContext {
	res: ServerResponse;
	/** A HEAD request: headers only. */
	head: boolean;
	request: ApiRequest;
	cache: SchemaCache;
	ctx: PlanContext;
	prefer: Preferences;
	/** Headers already decided (Content-Profile); each answer adds its own. */
	headers: Record<string, string>;
	/** `[api] max_rows`, or null. */
	maxRows: number | null;
	/** Runs statements in the request's transaction, as its role. */
	run: (options: RunOptions) => Promise<TxResult>;
}

/** `GET /`: the OpenAPI description of the schema, listing what the request's role may use. */
export async function answerRoot(action: ActionContext): Promise<void> {
	const { res, head, request, cache, headers, run } = action;
	// Served to every key, as through the CLI's gateway (hosted Supabase keeps it from the
	// anon key; see README).
	const mode = cache.settings.get('openapi_mode') ?? 'follow-privileges';
	if (mode === 'disabled') throw apiRequestError.openApiDisabled();
	if (!request.accept.some((a) => ['application/openapi+json', 'application/json', '*/*'].includes(a.type))) {
		throw apiRequestError.mediaType(request.accept.map((a) => a.type));
	}
	const { rows } = await run({ readOnly: true, main: accessStatement(request.schema, mode) });
	const options = { securityActive: cache.settings.get('openapi_security_active') === 'true', proxyUri: cache.settings.get('openapi_server_proxy_uri') || null };
	const body = JSON.stringify(openApi(cache, request.schema, accessOf(rows[0]), options));
	return send(res, 200, { ...headers, 'content-type': 'application/openapi+json; charset=utf-8' }, body, head);
}

/** `GET`/`HEAD` on a table or view. */
export async function answerRead(action: ActionContext, name: string): Promise<void> {
	const { res, head, request, cache, ctx, prefer, headers, maxRows, run } = action;
	const table = findTable(cache, request.schema, name);
	const root = readPlan(ctx, table, request);
	const media = negotiate(request.accept, 'read');
	const statement = readStatement(root, { format: media.format, stripNulls: media.stripNulls, exactCount: prefer.count === 'exact' || prefer.count === 'estimated', maxRows });
	const planned = prefer.count === 'planned' || prefer.count === 'estimated';
	const { rows, after } = await run({ readOnly: true, main: statement, after: planned ? [plannedCountStatement(root)] : [] });
	const row = rows[0];
	const pageTotal = Number(row.page_total);
	let total = row.total_result_set === null ? null : Number(row.total_result_set);
	if (planned) {
		const plannedRows = plannedRowsOf(after[0]);
		if (prefer.count === 'planned') total = plannedRows;
		// PostgREST compares with `Maybe`: with no max-rows every count is "above" it.
		else if ((maxRows === null || (total !== null && total > maxRows)) && total !== null && plannedRows !== null) total = Math.max(total, plannedRows);
	}
	if (media.format === 'object' && pageTotal !== 1) throw apiRequestError.singularity(pageTotal);
	const { status, contentRange: range } = rangeStatus(request.topRange.offset, pageTotal, total);
	if (status === 416) throw withHeader(apiRequestError.outOfBounds(request.topRange.offset, total ?? 0), 'content-range', range);
	headers['content-range'] = range;
	headers['content-location'] = `/${name}${request.query.canonical ? `?${request.query.canonical}` : ''}`;
	headers['content-type'] = media.contentType;
	const applied = preferenceApplied(prefer, 'read', false);
	if (applied) headers['preference-applied'] = applied;
	const finalStatus = gucOverrides(row, status, headers);
	return send(res, finalStatus, headers, String(row.body), head);
}

/** `POST`/`PUT`/`PATCH`/`DELETE` on a table or view. */
export async function answerWrite(action: ActionContext, name: string): Promise<void> {
	const { res, head, request, cache, ctx, prefer, headers, run } = action;
	const table = findTable(cache, request.schema, name);
	const plan = mutatePlan(ctx, table, request);
	const returnRows = prefer.return === 'representation';
	// Negotiated even without a body: a single-object Accept still demands exactly one row.
	const media = negotiate(request.accept, 'mutate');
	const upsert = plan.kind === 'insert' && plan.onConflict !== null;
	const statement = mutateStatement(plan, {
		format: returnRows ? media.format : 'none',
		stripNulls: media.stripNulls,
		returnRows,
		location: plan.kind === 'insert' && prefer.return === 'headers-only',
		countInserted: upsert && plan.onConflict!.resolution === 'merge-duplicates'
	});
	const strictMax = prefer.handling === 'strict' && prefer.maxAffected !== undefined && (plan.kind === 'update' || plan.kind === 'delete');
	const singular = media.format === 'object' && request.method !== 'PUT';
	const decide = decideRows(singular, strictMax ? prefer.maxAffected! : null);
	const { rows } = await run({ readOnly: false, main: statement, decide });
	const row = rows[0];
	const pageTotal = Number(row.page_total);
	const kind = request.method === 'PUT' ? 'upsert' : plan.kind;
	const applied = preferenceApplied(prefer, kind, plan.kind === 'insert' && (table.pk.length > 0 || request.query.onConflict !== null));
	if (applied) headers['preference-applied'] = applied;
	let status: number;
	if (plan.kind === 'insert') {
		if (row.location) {
			const loc = JSON.parse(String(row.location)) as Record<string, unknown>;
			headers['location'] = `/${name}?${Object.entries(loc)
				.map(([k, v]) => `${encodeURIComponent(k)}=${v === null ? 'is.null' : encodeURIComponent(`eq.${v}`)}`)
				.join('&')}`;
		}
		const counted = prefer.count === 'exact' || prefer.count === 'estimated';
		if (request.method !== 'PUT') headers['content-range'] = contentRange(1, 0, counted ? pageTotal : null);
		const inserted = row.inserted === null ? null : Number(row.inserted);
		// An upsert that offered no row at all inserted nothing: 200, as PostgREST.
		const insertedNone = (inserted === null && upsert && plan.onConflict!.resolution === 'merge-duplicates') || (inserted !== null && inserted <= 0);
		status = request.method === 'PUT' ? (inserted !== null && inserted > 0 ? 201 : 200) : insertedNone && prefer.resolution === 'merge-duplicates' ? 200 : 201;
		if (!returnRows) {
			// PUT answers 204, with no Content-Length (as PostgREST); POST a 201 with an empty body.
			if (request.method === 'PUT') status = 204;
			return send(res, gucOverrides(row, status, headers), headers, status === 204 ? null : '', head);
		}
	} else {
		const counted = prefer.count === 'exact' || prefer.count === 'estimated';
		headers['content-range'] = plan.kind === 'update' ? contentRange(0, pageTotal - 1, counted ? pageTotal : null) : contentRange(1, 0, counted ? pageTotal : null);
		if (!returnRows) return send(res, gucOverrides(row, 204, headers), headers, null, head);
		status = 200;
	}
	headers['content-type'] = media.contentType;
	return send(res, gucOverrides(row, status, headers), headers, String(row.body), head);
}

/** `GET`/`HEAD`/`POST` on `/rpc/<name>`. */
export async function answerCall(action: ActionContext, name: string): Promise<void> {
	const { res, head, request, ctx, prefer, headers, maxRows, run } = action;
	const plan = callPlan(ctx, request, name);
	const routine = plan.source.routine;
	// A function returning a media-type domain ("text/html") answers that type raw when asked for it.
	const rawMedia = routine.mediaType && routine.returnKind === 'scalar' && !routine.returnsSet && request.accept.some((a) => a.type === routine.mediaType) ? routine.mediaType : null;
	const media = rawMedia
		? { format: 'raw' as const, stripNulls: false, contentType: ['text/plain', 'text/xml', 'text/csv', 'application/json'].includes(rawMedia) ? `${rawMedia}; charset=utf-8` : rawMedia }
		: negotiate(request.accept, 'call');
	if (prefer.handling === 'strict' && prefer.maxAffected !== undefined && !routine.returnsSet) throw apiRequestError.maxAffectedRpc();
	const statement = callStatement(plan, { format: media.format, stripNulls: media.stripNulls, exactCount: prefer.count === 'exact' || prefer.count === 'estimated', maxRows });
	const readOnly = request.method !== 'POST' || routine.volatility !== 'v';
	const singular = media.format === 'object' && routine.returnsSet;
	const strictMax = prefer.handling === 'strict' && prefer.maxAffected !== undefined;
	const decide = decideRows(singular, strictMax ? prefer.maxAffected! : null);
	const { rows } = await run({ readOnly, main: statement, decide, routine });
	const row = rows[0];
	const pageTotal = Number(row.page_total);
	const total = row.total_result_set === null ? null : Number(row.total_result_set);
	const applied = preferenceApplied(prefer, 'call', false);
	if (applied) headers['preference-applied'] = applied;
	const { status, contentRange: range } = rangeStatus(request.topRange.offset, pageTotal, total);
	headers['content-range'] = range;
	if (routine.returnKind === 'void') return send(res, gucOverrides(row, 204, headers), headers, null, head);
	if (status === 416) throw withHeader(apiRequestError.outOfBounds(request.topRange.offset, total ?? 0), 'content-range', range);
	headers['content-type'] = media.contentType;
	return send(res, gucOverrides(row, status, headers), headers, String(row.body), head);
}

/** Rolls back with PostgREST's error when a single object was asked for and the count is not 1, or max-affected was passed. */
function decideRows(singular: boolean, maxAffected: number | null): ((rows: Row[]) => Error | null) | undefined {
	if (!singular && maxAffected === null) return undefined;
	return (rows) => {
		const n = Number(rows[0].page_total);
		if (maxAffected !== null && n > maxAffected) return apiRequestError.maxAffected(n);
		if (singular && n !== 1) return apiRequestError.singularity(n);
		return null;
	};
}

function withHeader(error: PgrstError, name: string, value: string): PgrstError {
	error.headers[name] = value;
	return error;
}

function plannedRowsOf(rows: Row[] | undefined): number | null {
	const plan = rows?.[0]?.['QUERY PLAN'] as unknown;
	const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
	const n = Array.isArray(parsed) ? parsed[0]?.Plan?.['Plan Rows'] : undefined;
	return typeof n === 'number' ? n : null;
}
