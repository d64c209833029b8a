/**
 * Auth hooks (GoTrue's `hooks/hookspgfunc` and `v0hooks`; HTTP ones in hooks-http.ts):
 * `[auth.hook.custom_access_token]`, `[auth.hook.before_user_created]`,
 * `[auth.hook.password_verification_attempt]` and `[auth.hook.mfa_verification_attempt]`, each `enabled, uri =
 * "pg-functions://postgres/<schema>/<fn>"` (or an `http(s)://` address with `secrets`). The function is called as `supabase_auth_admin`
 * with a 2 s statement timeout: the access token hook inside the transaction that issues the
 * token (its answer replaces the claims), the sign-up hook in a transaction of its own before
 * the user is written (an error in its answer refuses the sign-up), the attempt hooks after a
 * password or TOTP code was checked (`decision: "reject"` refuses it).
 */
import { randomUUID } from 'node:crypto';
import type { Query } from './db.ts';
import type postgres from 'postgres';
import { AuthError } from './errors.ts';
import { postHook } from './hooks-http.ts';
import { sortedKeys } from './params.ts';
import type { AuthRequest } from './state.ts';

export interface PgHook {
	/** As configured, for messages. */
	uri: string;
	/** `"schema"."function"`, quoted as GoTrue's `%q.%q`; null for an HTTP hook. */
	functionName: string | null;
	/** An HTTP hook's `v1,whsec_…` secrets (`secrets`, several joined by `|`). */
	secrets: string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', 'host.docker.internal']);

/**
 * The hook a URI names: a `pg-functions://` function, or an `https://` address (`http://`
 * only on the local hosts GoTrue allows), which needs secrets; null otherwise.
 */
export function pgHook(enabled: boolean, uri: string, secrets = ''): PgHook | null {
	if (!enabled) return null;
	let url: URL;
	try {
		url = new URL(uri);
	} catch {
		return null;
	}
	if (url.protocol === 'pg-functions:') {
		const parts = url.pathname.split('/');
		if (parts.length < 3 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(parts[1]) || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(parts[2])) return null;
		return { uri, functionName: `${JSON.stringify(parts[1])}.${JSON.stringify(parts[2])}`, secrets: [] };
	}
	const list = secrets.split('|').map((s) => s.trim()).filter(Boolean);
	if (!list.length) return null;
	if (url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) return { uri, functionName: null, secrets: list };
	return null;
}

/** GoTrue's hook `Metadata`: a fresh id, the time, the hook's name and the client's address. */
function metadata(r: AuthRequest | undefined, name: string): Record<string, unknown> {
	const base = { uuid: randomUUID(), time: new Date().toISOString(), name };
	return r?.ip ? { ...base, ip_address: r.ip } : base;
}

/**
 * Runs the hook function with `input` and returns its answer. An answer with
 * `error.message` fails the request with `error.http_code` (500 when absent); a function
 * that fails fails it with GoTrue's "Error running hook URI".
 */
async function runHook(q: Query, hook: PgHook, input: Record<string, unknown>): Promise<Record<string, unknown>> {
	let text: string | null;
	if (!hook.functionName) return checkAnswer(await postHook(hook.uri, hook.secrets, input));
	try {
		await q.unsafe(`set local statement_timeout to '2000'`);
		const [row] = await q.unsafe<{ out: string | null }[]>(`select (${hook.functionName}(($1::text)::jsonb))::text as out`, [JSON.stringify(input)]);
		await q.unsafe('set local statement_timeout to default');
		text = row?.out ?? null;
	} catch {
		throw new AuthError(500, '', `Error running hook URI: ${hook.uri}`);
	}
	return checkAnswer(text === null ? null : (JSON.parse(text) as unknown));
}

/** GoTrue's `hookserrors.Check`: an answer with `error.message` fails the request. */
function checkAnswer(output: unknown): Record<string, unknown> {
	const failure = (output as { error?: { http_code?: unknown; message?: unknown } } | null)?.error;
	if (failure && typeof failure === 'object' && typeof failure.message === 'string' && failure.message) {
		const status = typeof failure.http_code === 'number' && failure.http_code ? failure.http_code : 500;
		throw new AuthError(status, '', failure.message);
	}
	return output && typeof output === 'object' && !Array.isArray(output) ? (output as Record<string, unknown>) : {};
}

const CLAIM_TYPES: Record<string, string[]> = {
	aud: ['string', 'array'],
	exp: ['integer'],
	jti: ['string'],
	iat: ['integer'],
	iss: ['string'],
	nbf: ['integer'],
	sub: ['string'],
	email: ['string'],
	phone: ['string'],
	app_metadata: ['object'],
	user_metadata: ['object'],
	role: ['string'],
	aal: ['string'],
	amr: ['array'],
	session_id: ['string'],
	client_id: ['string']
};
const REQUIRED_CLAIMS = ['aud', 'exp', 'iat', 'sub', 'email', 'phone', 'role', 'aal', 'session_id', 'is_anonymous'];

/** A JSON value's type as JSON Schema names it (a whole number is an integer). */
function schemaType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

/** GoTrue's `MinimumViableTokenSchema` check, its messages as gojsonschema words them. */
function validateClaims(claims: Record<string, unknown>): void {
	const errors: string[] = [];
	for (const name of REQUIRED_CLAIMS) if (!(name in claims)) errors.push(`(root): ${name} is required`);
	for (const [name, types] of Object.entries(CLAIM_TYPES)) {
		if (!(name in claims)) continue;
		const actual = schemaType(claims[name]);
		if (!types.includes(actual) && !(types.includes('number') && actual === 'integer')) {
			errors.push(`${name}: Invalid type. Expected: ${types.join(', ')}, given: ${actual}`);
		}
	}
	if (errors.length) {
		throw new AuthError(500, '', `output claims do not conform to the expected schema: \n${errors.map((e) => `- ${e}\n`).join('')}`);
	}
}

/** The customize-access-token hook: the claims the token is signed with. */
export async function customizeAccessToken(
	q: Query,
	r: AuthRequest,
	hook: PgHook,
	userId: string,
	claims: Record<string, unknown>,
	authenticationMethod: string
): Promise<Record<string, unknown>> {
	const output = await runHook(q, hook, {
		metadata: metadata(r, 'customize-access-token'),
		user_id: userId,
		claims,
		authentication_method: authenticationMethod
	});
	if (!('claims' in output)) throw new AuthError(500, '', 'output claims field is missing');
	const outputClaims = output.claims;
	if (!outputClaims || typeof outputClaims !== 'object' || Array.isArray(outputClaims)) {
		throw new AuthError(500, '', 'Error unmarshaling JSON output.');
	}
	validateClaims(outputClaims as Record<string, unknown>);
	return sortedKeys(outputClaims) as Record<string, unknown>;
}

/** The user GoTrue's `ToUserModel` makes before a sign-up, as `models.User` marshals it. */
export interface ProspectiveUser {
	id: string;
	aud: string;
	email: string;
	phone: string;
	appMetadata: Record<string, unknown>;
	userMetadata: Record<string, unknown>;
	isAnonymous: boolean;
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** The user an e-mail sign-up or invite is about to write. */
export function emailProspect(id: string, aud: string, email: string, userMetadata: Record<string, unknown>): ProspectiveUser {
	return { id, aud, email, phone: '', appMetadata: { provider: 'email', providers: ['email'] }, userMetadata, isAnonymous: false };
}

/** The before-user-created hook: runs before the user is written; its error refuses the sign-up. */
export async function beforeUserCreated(sql: postgres.Sql, r: AuthRequest, hook: PgHook, user: ProspectiveUser): Promise<void> {
	const userJson = {
		id: user.id,
		aud: user.aud,
		role: '',
		email: user.email,
		phone: user.phone,
		app_metadata: user.appMetadata,
		user_metadata: user.userMetadata,
		identities: [],
		created_at: GO_ZERO_TIME,
		updated_at: GO_ZERO_TIME,
		is_anonymous: user.isAnonymous
	};
	await sql.begin((tx) => runHook(tx, hook, { metadata: metadata(r, 'before-user-created'), user: userJson }));
}

/** What a verification-attempt hook decided: `decision: "reject"` refuses, with its message. */
export interface AttemptDecision {
	reject: boolean;
	message: string;
	logout: boolean;
}

async function verificationAttempt(sql: postgres.Sql, r: AuthRequest, hook: PgHook, name: string, input: Record<string, unknown>): Promise<AttemptDecision> {
	const output = await sql.begin((tx) => runHook(tx, hook, { metadata: metadata(r, name), ...input }));
	return {
		reject: output.decision === 'reject',
		message: typeof output.message === 'string' ? output.message : '',
		logout: output.should_logout_user === true
	};
}

/** The password-verification-attempt hook, told whether the password was right. */
export function passwordVerificationAttempt(sql: postgres.Sql, r: AuthRequest, hook: PgHook, userId: string, valid: boolean): Promise<AttemptDecision> {
	return verificationAttempt(sql, r, hook, 'password-verification', { user_id: userId, valid });
}

/** The MFA-verification-attempt hook, told whether the code was right. */
export function mfaVerificationAttempt(
	sql: postgres.Sql,
	r: AuthRequest,
	hook: PgHook,
	factor: { id: string; userId: string; type: string },
	valid: boolean
): Promise<AttemptDecision> {
	return verificationAttempt(sql, r, hook, 'mfa-verification', { user_id: factor.userId, factor_id: factor.id, factor_type: factor.type, valid });
}

/** The send-email hook: given the user and the tokens, it sends the mail itself. */
export async function sendEmailHook(q: Query, r: AuthRequest | undefined, hook: PgHook, user: Record<string, unknown>, emailData: Record<string, unknown>): Promise<void> {
	await runHook(q, hook, { metadata: metadata(r, 'send-email'), user, email_data: emailData });
}
