/**
 * Reads a project's `supabase/config.toml` the way the Supabase CLI does (including
 * `env(NAME)` substitution) and reduces it to the settings this runtime honours. Every
 * setting present in the file that the runtime does not honour is reported, so nothing is
 * silently ignored.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { DEFAULT_JWT_SECRET } from './keys.ts';
import { importSigningKeys, signingKeyOf, type SigningKey } from './jwt.ts';
import { isHonouredTemplateSetting, loadMailTemplates, loadNotifications, MailTemplateError, type MailTemplates, type Notifications } from './auth/mail-templates.ts';

export interface RateLimits {
	/** Emails sent per hour (sign-up confirmation, recovery, magic link). CLI default 2. */
	emailSent: number;
	/** Sign-ins and sign-ups per 5 minutes per IP. CLI default 30. */
	signInSignUps: number;
	/** Token refreshes per 5 minutes per IP. CLI default 150. */
	tokenRefresh: number;
	/** OTP / magic link verifications per 5 minutes per IP. CLI default 30. */
	tokenVerifications: number;
	/** Anonymous sign-ins per hour per IP. CLI default 30. */
	anonymousUsers: number;
}

export interface MfaFactorTypeConfig {
	enrollEnabled: boolean;
	verifyEnabled: boolean;
}

export interface MfaConfig {
	/** Factors (verified or not) a user may hold at once. CLI default 10. */
	maxEnrolledFactors: number;
	totp: MfaFactorTypeConfig;
	phone: MfaFactorTypeConfig;
	webAuthn: MfaFactorTypeConfig;
}

/** `[auth.oauth_server]`: Supabase Auth as an OAuth 2.1 server (off in the CLI's template). */
/** `[auth.hook.<name>] enabled, uri, secrets` (secrets for HTTP hooks only). */
export interface PgHookSetting {
	enabled: boolean;
	uri: string;
	secrets: string;
}

export interface OAuthServerConfig {
	enabled: boolean;
	/** `allow_dynamic_registration`: `POST /oauth/clients/register` open to anyone. */
	allowDynamicRegistration: boolean;
	/** `authorization_url_path`: the consent page under `site_url`. */
	authorizationUrlPath: string;
}

export interface RuntimeConfig {
	projectId: string;
	workdir: string;
	api: { port: number; schemas: string[]; extraSearchPath: string[]; maxRows: number };
	db: { port: number; seedEnabled: boolean; seedPaths: string[] };
	auth: {
		siteUrl: string;
		additionalRedirectUrls: string[];
		jwtExpiry: number;
		jwtSecret: string;
		/** `signing_keys_path` resolved against `supabase/`, or null (HS256 with the secret only). */
		signingKeysPath: string | null;
		/** The JWKs of that file, read and checked at start. */
		signingKeys: SigningKey[];
		enableSignup: boolean;
		enableAnonymousSignIns: boolean;
		enableManualLinking: boolean;
		/** `[auth] jwt_issuer`: the `iss` of access tokens; '' for `<api>/auth/v1`. */
		jwtIssuer: string;
		/** `[auth.hook.<name>] enabled, uri`; only `custom_access_token` is read. */
		hooks: {
			customAccessToken: PgHookSetting;
			beforeUserCreated: PgHookSetting;
			passwordVerificationAttempt: PgHookSetting;
			mfaVerificationAttempt: PgHookSetting;
			sendEmail: PgHookSetting;
		};
		/** `[auth.sessions]`: Go durations, '' when unset (no limit). */
		sessions: { timebox: string; inactivityTimeout: string };
		enableRefreshTokenRotation: boolean;
		refreshTokenReuseInterval: number;
		minimumPasswordLength: number;
		passwordRequirements: string;
		email: {
			enableSignup: boolean;
			enableConfirmations: boolean;
			doubleConfirmChanges: boolean;
			securePasswordChange: boolean;
			otpLength: number;
			otpExpiry: number;
			maxFrequency: string;
			/** `[auth.email.template.<kind>]`: subject and body templates, read and parsed at start. */
			templates: MailTemplates;
			/** `[auth.email.notification.<kind>]`: account-change notices, each off unless enabled. */
			notifications: Notifications;
		};
		rateLimit: RateLimits;
		/** `[auth.mfa]`: per-factor-type switches (all off in the CLI's template) and the factor limit. */
		mfa: MfaConfig;
		oauthServer: OAuthServerConfig;
	};
	realtime: { enabled: boolean; maxEventsPerSecond: number; maxPayloadBytes: number };
	inbucket: { enabled: boolean; port: number };
	/** Request body limit for the API, in bytes. */
	maxBodyBytes: number;
	/** `db-pre-request` function, as PostgREST's config names it (schema-qualified). */
	dbPreRequest: string | null;
	/** Settings present in config.toml that this runtime does not honour (dotted paths). */
	unhonoured: string[];
}

/** Dotted paths this runtime reads; everything else found in config.toml is reported. */
const HONOURED = new Set([
	'project_id',
	'api.enabled',
	'api.port',
	'api.schemas',
	'api.extra_search_path',
	'api.max_rows',
	'db.port',
	'db.major_version',
	'db.seed.enabled',
	'db.seed.sql_paths',
	'realtime.enabled',
	'realtime.max_events_per_second',
	'realtime.max_payload_bytes',
	'inbucket.enabled',
	'inbucket.port',
	'auth.enabled',
	'auth.site_url',
	'auth.additional_redirect_urls',
	'auth.jwt_expiry',
	'auth.jwt_secret',
	'auth.jwt_issuer',
	'auth.signing_keys_path',
	'auth.enable_signup',
	'auth.enable_anonymous_sign_ins',
	'auth.enable_manual_linking',
	'auth.sessions.timebox',
	'auth.hook.custom_access_token.enabled',
	'auth.hook.custom_access_token.uri',
	'auth.hook.before_user_created.enabled',
	'auth.hook.before_user_created.uri',
	'auth.hook.password_verification_attempt.enabled',
	'auth.hook.password_verification_attempt.uri',
	'auth.hook.mfa_verification_attempt.enabled',
	'auth.hook.mfa_verification_attempt.uri',
	'auth.hook.send_email.enabled',
	'auth.hook.send_email.uri',
	'auth.sessions.inactivity_timeout',
	'auth.enable_refresh_token_rotation',
	'auth.refresh_token_reuse_interval',
	'auth.minimum_password_length',
	'auth.password_requirements',
	'auth.email.enable_signup',
	'auth.email.enable_confirmations',
	'auth.email.double_confirm_changes',
	'auth.email.secure_password_change',
	'auth.email.otp_length',
	'auth.email.otp_expiry',
	'auth.email.max_frequency',
	'auth.rate_limit.email_sent',
	'auth.rate_limit.sign_in_sign_ups',
	'auth.rate_limit.token_refresh',
	'auth.rate_limit.token_verifications',
	'auth.rate_limit.anonymous_users',
	'auth.mfa.max_enrolled_factors',
	'auth.mfa.totp.enroll_enabled',
	'auth.mfa.totp.verify_enabled',
	'auth.mfa.phone.enroll_enabled',
	'auth.mfa.phone.verify_enabled',
	'auth.mfa.web_authn.enroll_enabled',
	'auth.mfa.web_authn.verify_enabled',
	'auth.oauth_server.enabled',
	'auth.oauth_server.allow_dynamic_registration',
	'auth.oauth_server.authorization_url_path'
]);

type Table = Record<string, unknown>;

function flatten(table: Table, prefix = '', out: string[] = []): string[] {
	for (const [key, value] of Object.entries(table)) {
		const dotted = prefix ? `${prefix}.${key}` : key;
		if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
			flatten(value as Table, dotted, out);
		} else {
			out.push(dotted);
		}
	}
	return out;
}

/** `env(NAME)` values are replaced by the environment variable, as the CLI does. */
function substituteEnv(value: unknown): unknown {
	if (typeof value === 'string') {
		const match = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value.trim());
		return match ? (process.env[match[1]] ?? '') : value;
	}
	if (Array.isArray(value)) return value.map(substituteEnv);
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v)]));
	}
	return value;
}

function pick<T>(table: Table, dotted: string, fallback: T): T {
	let current: unknown = table;
	for (const part of dotted.split('.')) {
		if (!current || typeof current !== 'object') return fallback;
		current = (current as Table)[part];
	}
	return current === undefined ? fallback : (current as T);
}

export class ConfigError extends Error {}

/** Reads `<workdir>/supabase/config.toml` (absent file: the CLI's defaults). */
export async function loadConfig(workdir: string): Promise<RuntimeConfig> {
	const file = path.join(workdir, 'supabase', 'config.toml');
	let raw: Table = {};
	if (existsSync(file)) {
		try {
			raw = substituteEnv(parse(await readFile(file, 'utf8'))) as Table;
		} catch (error) {
			throw new ConfigError(`${file}: ${(error as Error).message}`);
		}
	}
	const unhonoured = flatten(raw).filter(
		(key) => !HONOURED.has(key) && !isHonouredTemplateSetting(key) && !key.startsWith('auth.hook') && key !== 'edge_runtime.enabled'
	);
	const num = (dotted: string, fallback: number) => {
		const value = pick<unknown>(raw, dotted, fallback);
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			throw new ConfigError(`${file}: ${dotted} must be a number`);
		}
		return value;
	};
	const hook = (name: string): PgHookSetting => ({
		enabled: pick<unknown>(raw, `auth.hook.${name}.enabled`, false) === true,
		uri: String(pick<unknown>(raw, `auth.hook.${name}.uri`, '')),
		secrets: String(pick<unknown>(raw, `auth.hook.${name}.secrets`, ''))
	});
	const mfaFactorType = (kind: string): MfaFactorTypeConfig => ({
		enrollEnabled: pick<unknown>(raw, `auth.mfa.${kind}.enroll_enabled`, false) === true,
		verifyEnabled: pick<unknown>(raw, `auth.mfa.${kind}.verify_enabled`, false) === true
	});
	let templates: MailTemplates;
	let notifications: Notifications;
	try {
		templates = await loadMailTemplates(pick<unknown>(raw, 'auth.email.template', undefined), workdir);
		notifications = await loadNotifications(pick<unknown>(raw, 'auth.email.notification', undefined), workdir);
	} catch (error) {
		if (error instanceof MailTemplateError) throw new ConfigError(`${file}: ${error.message}`);
		throw error;
	}
	const signingKeysSetting = pick<unknown>(raw, 'auth.signing_keys_path', '');
	if (typeof signingKeysSetting !== 'string') throw new ConfigError(`${file}: auth.signing_keys_path must be a string`);
	const signingKeysPath = signingKeysSetting ? path.resolve(workdir, 'supabase', signingKeysSetting) : null;
	const signingKeys = signingKeysPath ? await readSigningKeys(signingKeysPath, file) : [];
	return {
		projectId: pick(raw, 'project_id', path.basename(workdir)),
		workdir,
		api: {
			port: num('api.port', 54321),
			schemas: pick(raw, 'api.schemas', ['public', 'graphql_public']),
			extraSearchPath: pick(raw, 'api.extra_search_path', ['public', 'extensions']),
			maxRows: num('api.max_rows', 1000)
		},
		db: {
			port: num('db.port', 54322),
			seedEnabled: pick(raw, 'db.seed.enabled', true),
			seedPaths: pick(raw, 'db.seed.sql_paths', ['./seed.sql'])
		},
		auth: {
			siteUrl: pick(raw, 'auth.site_url', 'http://127.0.0.1:3000'),
			additionalRedirectUrls: pick(raw, 'auth.additional_redirect_urls', [
				'https://127.0.0.1:3000'
			]),
			jwtExpiry: num('auth.jwt_expiry', 3600),
			jwtSecret: pick(raw, 'auth.jwt_secret', '') || DEFAULT_JWT_SECRET,
			signingKeysPath,
			signingKeys,
			enableSignup: pick(raw, 'auth.enable_signup', true),
			enableAnonymousSignIns: pick(raw, 'auth.enable_anonymous_sign_ins', false),
			enableManualLinking: pick(raw, 'auth.enable_manual_linking', false),
			jwtIssuer: String(pick<unknown>(raw, 'auth.jwt_issuer', '')),
			hooks: {
				customAccessToken: hook('custom_access_token'),
				beforeUserCreated: hook('before_user_created'),
				passwordVerificationAttempt: hook('password_verification_attempt'),
				mfaVerificationAttempt: hook('mfa_verification_attempt'),
				sendEmail: hook('send_email')
			},
			sessions: {
				timebox: String(pick<unknown>(raw, 'auth.sessions.timebox', '')),
				inactivityTimeout: String(pick<unknown>(raw, 'auth.sessions.inactivity_timeout', ''))
			},
			enableRefreshTokenRotation: pick(raw, 'auth.enable_refresh_token_rotation', true),
			refreshTokenReuseInterval: num('auth.refresh_token_reuse_interval', 10),
			minimumPasswordLength: num('auth.minimum_password_length', 6),
			passwordRequirements: pick(raw, 'auth.password_requirements', ''),
			email: {
				enableSignup: pick(raw, 'auth.email.enable_signup', true),
				enableConfirmations: pick(raw, 'auth.email.enable_confirmations', false),
				doubleConfirmChanges: pick(raw, 'auth.email.double_confirm_changes', true),
				securePasswordChange: pick(raw, 'auth.email.secure_password_change', false),
				otpLength: num('auth.email.otp_length', 6),
				otpExpiry: num('auth.email.otp_expiry', 3600),
				maxFrequency: pick(raw, 'auth.email.max_frequency', '1s'),
				templates,
				notifications
			},
			rateLimit: {
				emailSent: num('auth.rate_limit.email_sent', 2),
				signInSignUps: num('auth.rate_limit.sign_in_sign_ups', 30),
				tokenRefresh: num('auth.rate_limit.token_refresh', 150),
				tokenVerifications: num('auth.rate_limit.token_verifications', 30),
				anonymousUsers: num('auth.rate_limit.anonymous_users', 30)
			},
			mfa: {
				maxEnrolledFactors: num('auth.mfa.max_enrolled_factors', 10),
				totp: mfaFactorType('totp'),
				phone: mfaFactorType('phone'),
				webAuthn: mfaFactorType('web_authn')
			},
			oauthServer: {
				enabled: pick<unknown>(raw, 'auth.oauth_server.enabled', false) === true,
				allowDynamicRegistration: pick<unknown>(raw, 'auth.oauth_server.allow_dynamic_registration', false) === true,
				authorizationUrlPath: String(pick<unknown>(raw, 'auth.oauth_server.authorization_url_path', '/oauth/consent'))
			}
		},
		realtime: {
			enabled: pick(raw, 'realtime.enabled', true),
			maxEventsPerSecond: num('realtime.max_events_per_second', 100),
			maxPayloadBytes: num('realtime.max_payload_bytes', 3 * 1024 * 1024)
		},
		inbucket: {
			enabled: pick(raw, 'inbucket.enabled', true),
			port: num('inbucket.port', 54324)
		},
		maxBodyBytes: 10 * 1024 * 1024,
		dbPreRequest: null,
		unhonoured
	};
}

/**
 * The JWKs of `[auth] signing_keys_path`, as the CLI reads them at start: a file that is
 * missing, not JSON, or holds no usable signing key stops the start, naming the file.
 */
async function readSigningKeys(keysPath: string, configFile: string): Promise<SigningKey[]> {
	const fail = (what: string) => new ConfigError(`${keysPath} (auth.signing_keys_path in ${configFile}): ${what}`);
	let text: string;
	try {
		text = await readFile(keysPath, 'utf8');
	} catch (error) {
		throw fail(`failed to read signing keys: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw fail(`failed to decode signing keys: ${(error as Error).message}`);
	}
	try {
		const keys = await importSigningKeys(parsed);
		signingKeyOf(keys);
		return keys;
	} catch (error) {
		throw fail(`failed to decode signing keys: ${(error as Error).message}`);
	}
}
