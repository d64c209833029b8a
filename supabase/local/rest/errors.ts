/**
 * PostgREST's errors: one family per kind (request, schema cache, JWT, database), each
 * with PostgREST's code, message, details, hint and HTTP status, and the SQLSTATE → HTTP
 * mapping PostgREST documents. The body shape is always `{code, message, details, hint}`.
 */

export interface ErrorBody {
	code: string;
	message: string;
	details: string | null | unknown[];
	hint: string | null;
}

export class PgrstError extends Error {
	readonly status: number;
	readonly code: string;
	readonly details: string | null | unknown[];
	readonly hint: string | null;
	readonly headers: Record<string, string>;
	/** The reason phrase a RAISE SQLSTATE 'PGRST' asked for (`status_text`). */
	statusText?: string;
	constructor(status: number, code: string, message: string, details: string | null | unknown[] = null, hint: string | null = null, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.details = details;
		this.hint = hint;
		this.headers = headers;
	}
	body(): ErrorBody {
		return { code: this.code, message: this.message, details: this.details, hint: this.hint };
	}
}

// ---- PGRST1xx: the request itself ----------------------------------------------------

export const apiRequestError = {
	/** PGRST100: a query parameter (select, filter, order …) does not parse. */
	queryParam: (message: string, details: string) => new PgrstError(400, 'PGRST100', message, details),
	invalidRpcMethod: (method: string) => new PgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`),
	invalidBody: (message: string) => new PgrstError(400, 'PGRST102', message),
	negativeLimit: () => new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', 'Limit should be greater than or equal to zero.'),
	lowerGtUpper: () =>
		new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', 'The lower boundary must be lower than or equal to the upper boundary in the Range header.'),
	outOfBounds: (offset: number, total: number) =>
		new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`),
	invalidFilters: () => new PgrstError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators"),
	unacceptableSchema: (schema: string, schemas: string[]) =>
		new PgrstError(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${schemas.join(', ')}`),
	mediaType: (types: string[]) => new PgrstError(406, 'PGRST107', `None of these media types are available: ${types.join(', ')}`),
	notEmbedded: (resource: string) =>
		new PgrstError(400, 'PGRST108', `'${resource}' is not an embedded resource in this request`, null, `Verify that '${resource}' is included in the 'select' query parameter.`),
	putLimitNotAllowed: () => new PgrstError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT'),
	putMatchingPk: () => new PgrstError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)'),
	singularity: (rows: number) => new PgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`),
	unsupportedMethod: (method: string) => new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
	relatedOrderNotToOne: (origin: string, target: string) =>
		new PgrstError(400, 'PGRST118', `A related order on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`),
	unacceptableFilter: (target: string) =>
		new PgrstError(400, 'PGRST120', `Bad operator on the '${target}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources'),
	invalidPreferences: (prefs: string[]) =>
		new PgrstError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.join(', ')}`),
	aggregatesNotAllowed: () => new PgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed'),
	maxAffected: (rows: number) => new PgrstError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${rows} rows`),
	invalidResourcePath: () => new PgrstError(404, 'PGRST125', 'Invalid path specified in request URL'),
	openApiDisabled: () => new PgrstError(404, 'PGRST126', 'Root endpoint metadata is disabled'),
	notImplemented: (details: string) => new PgrstError(400, 'PGRST127', 'Feature not implemented', details),
	maxAffectedRpc: () =>
		new PgrstError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict')
};

// ---- PGRST2xx: the schema cache ------------------------------------------------------

export interface RelationshipSummary {
	embedding: string;
	cardinality: string;
	relationship: string;
}

export const schemaCacheError = {
	noRelBetween: (parent: string, child: string, hint: string | null, schema: string, suggestion: string | null) =>
		new PgrstError(
			400,
			'PGRST200',
			`Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
			`Searched for a foreign key relationship between '${parent}' and '${child}${hint ? `' using the hint '${hint}` : ''}' in the schema '${schema}', but no matches were found.`,
			suggestion
		),
	ambiguousRel: (parent: string, child: string, rels: RelationshipSummary[], hints: string[]) =>
		new PgrstError(
			300,
			'PGRST201',
			`Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
			rels,
			`Try changing '${child}' to one of the following: ${hints.join(', ')}. Find the desired relationship in the 'details' key.`
		),
	/** `rawParam`: the single unnamed parameter type a text/xml/binary body looked for. */
	noRpc: (schema: string, name: string, keys: string[], jsonBody: boolean, hint: string | null, rawParam?: string) => {
		if (rawParam)
			return new PgrstError(
				404,
				'PGRST202',
				`Could not find the function ${schema}.${name} in the schema cache`,
				`Searched for the function ${schema}.${name} with a single unnamed ${rawParam} parameter, but no matches were found in the schema cache.`,
				null
			);
		const params = keys.length ? `(${keys.join(', ')})` : ' without parameters';
		const withParams = keys.length ? ` with parameter${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : ' without parameters';
		return new PgrstError(
			404,
			'PGRST202',
			`Could not find the function ${schema}.${name}${params} in the schema cache`,
			`Searched for the function ${schema}.${name}${withParams}${jsonBody ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
			hint
		);
	},
	ambiguousRpc: (candidates: string[]) =>
		new PgrstError(
			300,
			'PGRST203',
			`Could not choose the best candidate function between: ${candidates.join(', ')}`,
			null,
			'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
		),
	columnNotFound: (relation: string, column: string) => new PgrstError(400, 'PGRST204', `Could not find the '${column}' column of '${relation}' in the schema cache`),
	tableNotFound: (schema: string, name: string, suggestion: string | null) =>
		new PgrstError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null, suggestion),
	noSchemaCache: () => new PgrstError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.')
};

// ---- PGRST3xx: JWT -------------------------------------------------------------------

const invalidToken = (message: string) => ({ 'www-authenticate': `Bearer error="invalid_token", error_description="${message}"` });

export const jwtError = {
	decode: (message: string) => new PgrstError(401, 'PGRST301', message, null, null, invalidToken(message)),
	tokenRequired: () => new PgrstError(401, 'PGRST302', 'Anonymous access is disabled', null, null, { 'www-authenticate': 'Bearer' }),
	claims: (message: string) => new PgrstError(401, 'PGRST303', message, null, null, invalidToken(message))
};

// ---- PostgreSQL errors -----------------------------------------------------------------

/** What postgres.js puts on a server error. */
export interface PgServerError {
	code?: string;
	message?: string;
	detail?: string;
	hint?: string;
}

/** The HTTP status PostgREST answers for a SQLSTATE (`authed`: the request carried a JWT role other than anon). */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
	const two = code.slice(0, 2);
	switch (code) {
		case '23503':
		case '23505':
			return 409;
		case '25006':
			return 405;
		case '21000':
			return message.endsWith('requires a WHERE clause') ? 400 : 500;
		case '22023':
			return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
		case '53400':
			return 500;
		case '57P01':
			return 503;
		case 'P0001':
			return 400;
		case '42883':
			return message.startsWith('function xmlagg(') ? 406 : 404;
		case '42P01':
			return 404;
		case '42P17':
			return 500;
		case '42501':
			return authed ? 403 : 401;
	}
	switch (two) {
		case '08':
			return 503;
		case '09':
			return 500;
		case '0L':
		case '0P':
			return 403;
		case '25':
			return 500;
		case '28':
			return 403;
		case '2D':
		case '38':
		case '39':
		case '3B':
		case '40':
			return 500;
		case '53':
			return 503;
		case '54':
		case '55':
		case '57':
		case '58':
		case 'F0':
		case 'HV':
		case 'P0':
		case 'XX':
			return 500;
	}
	if (code.startsWith('PT')) {
		const n = Number(code.slice(2));
		return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
	}
	return 400;
}

/** Turns a PostgreSQL error into PostgREST's answer (including `RAISE SQLSTATE 'PGRST'`). */
export function fromPgError(error: PgServerError, authed: boolean): PgrstError {
	const code = error.code ?? 'XX000';
	const message = error.message ?? 'unknown error';
	if (code === 'PGRST') return fromRaisePgrst(message, error.detail);
	const status = statusForSqlState(code, message, authed);
	const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
	return new PgrstError(status, code, message, error.detail ?? null, error.hint ?? null, headers);
}

function fromRaisePgrst(message: string, detail: string | undefined): PgrstError {
	let body: { code?: unknown; message?: unknown; details?: unknown; hint?: unknown };
	try {
		body = JSON.parse(message);
		if (!body || typeof body !== 'object' || typeof body.code !== 'string' || typeof body.message !== 'string') throw new Error('shape');
	} catch {
		return new PgrstError(
			500,
			'PGRST121',
			'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
			`Invalid JSON value for MESSAGE: '${message}'`,
			"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
		);
	}
	const parseFail = (details: string) =>
		new PgrstError(
			500,
			'PGRST121',
			'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
			details,
			"DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
		);
	if (detail === undefined) return parseFail('DETAIL is missing in the RAISE statement');
	let det: { status?: unknown; headers?: unknown; status_text?: unknown };
	try {
		det = JSON.parse(detail);
		if (!det || typeof det.status !== 'number' || typeof det.headers !== 'object') throw new Error('shape');
	} catch {
		return parseFail(`Invalid JSON value for DETAIL: '${detail}'`);
	}
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(det.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
	const raised = new PgrstError(
		det.status,
		body.code as string,
		body.message as string,
		typeof body.details === 'string' ? body.details : null,
		typeof body.hint === 'string' ? body.hint : null,
		headers
	);
	if (typeof det.status_text === 'string') raised.statusText = det.status_text;
	return raised;
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let prev = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const tmp = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
			prev = tmp;
		}
	}
	return row[b.length];
}

/** Closest name by Levenshtein similarity (for PostgREST's "Perhaps you meant" hints). */
export function closest(name: string, candidates: Iterable<string>, minScore = 0.75): string | null {
	let best: string | null = null;
	let bestScore = 0;
	for (const candidate of candidates) {
		const score = 1 - levenshtein(name.toLowerCase(), candidate.toLowerCase()) / Math.max(name.length, candidate.length, 1);
		if (score > bestScore) {
			bestScore = score;
			best = candidate;
		}
	}
	return bestScore >= minScore && best !== name ? best : null;
}
