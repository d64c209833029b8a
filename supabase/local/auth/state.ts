/**
 * What every Auth handler shares: the settings derived from config.toml (named after the
 * GoTrue settings the Supabase CLI sets from them), the pool, the rate limiters and the
 * redirect policy, plus the per-request view of a gateway request.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'smol-toml';
import type { Sql } from 'postgres';
import type { MfaConfig } from '../config.ts';
import { signingKeyOf, type SigningKey } from '../jwt.ts';
import type { GatewayRequest, RuntimeContext } from '../context.ts';
import { roleOfOpaqueKey } from '../keys.ts';
import type { AccessClaims } from './access-token.ts';
import { tooManyRequests, unauthorized } from './errors.ts';
import { decodeParams, readBody, type Params, type ParamsSchema } from './params.ts';
import { requiredCharacterSets } from './passwords.ts';
import { pgHook, type PgHook } from './hooks.ts';
import { parseGoDuration, RateLimiter } from './ratelimit.ts';
import { RedirectPolicy } from './redirect.ts';

export interface AuthSettings {
	siteUrl: string;
	issuer: string;
	jwtSecret: string;
	/** `[auth] signing_keys_path`: tokens signed with `signingKey`, verified by `kid` (GOTRUE_JWT_KEYS). */
	signingKeys: SigningKey[];
	signingKey: SigningKey | null;
	jwtExpiry: number;
	/** GOTRUE_JWT_AUD and GOTRUE_JWT_DEFAULT_GROUP_NAME as the CLI sets them. */
	aud: string;
	defaultRole: string;
	adminRoles: string[];
	disableSignup: boolean;
	emailEnabled: boolean;
	phoneEnabled: boolean;
	anonymousEnabled: boolean;
	/** `[auth] enable_manual_linking`: `/user/identities` served. */
	manualLinkingEnabled: boolean;
	/** `[auth.sessions] timebox` and `inactivity_timeout` in milliseconds, 0 when unset. */
	sessionTimeboxMs: number;
	/** `[auth.hook.custom_access_token]` as a Postgres function, null when off. */
	customAccessTokenHook: PgHook | null;
	/** `[auth.hook.before_user_created]` as a Postgres function, null when off. */
	beforeUserCreatedHook: PgHook | null;
	passwordVerificationHook: PgHook | null;
	mfaVerificationHook: PgHook | null;
	/** `[auth.hook.send_email]`: mails handed to a Postgres function instead of the mailbox. */
	sendEmailHook: PgHook | null;
	sessionInactivityMs: number;
	/** GOTRUE_MAILER_AUTOCONFIRM: `[auth.email] enable_confirmations = false`. */
	autoconfirm: boolean;
	secureEmailChange: boolean;
	updatePasswordRequireReauthentication: boolean;
	otpLength: number;
	otpExpirySeconds: number;
	maxFrequencyMs: number;
	minPasswordLength: number;
	requiredCharacterSets: string[];
	refreshTokenRotation: boolean;
	refreshTokenReuseIntervalSeconds: number;
	/** The hourly e-mail budget applies only with custom SMTP, as in the CLI. */
	emailSendLimited: boolean;
	/** GOTRUE_SMS_AUTOCONFIRM: `[auth.sms] enable_confirmations = false` (the CLI's default). */
	smsAutoconfirm: boolean;
	flowStateExpiryMs: number;
	maxBodyBytes: number;
	/** `[auth.mfa]` from config.toml, plus GoTrue's fixed MFA defaults. */
	mfa: MfaConfig & {
		/** GOTRUE_MFA_MAX_VERIFIED_FACTORS (not set by the CLI): 10. */
		maxVerifiedFactors: number;
		/** GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION: 300 seconds. */
		challengeExpirySeconds: number;
		/** GOTRUE_MFA_FACTOR_EXPIRY_DURATION: unverified, unchallenged factors go after 300 seconds. */
		factorExpirySeconds: number;
	};
}

export interface Limiters {
	signInSignUps: RateLimiter;
	signInByEmail: RateLimiter;
	tokenRefresh: RateLimiter;
	verify: RateLimiter;
	anonymous: RateLimiter;
	recover: RateLimiter;
	otp: RateLimiter;
	resend: RateLimiter;
	user: RateLimiter;
	emailSent: RateLimiter;
	/** GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY: 15 a minute each, bursts of 30. */
	factorChallenge: RateLimiter;
	factorVerify: RateLimiter;
}

export interface AuthState {
	ctx: RuntimeContext;
	sql: Sql;
	settings: AuthSettings;
	limits: Limiters;
	redirects: RedirectPolicy;
}

/**
 * Two settings the runtime's config reader does not carry but GoTrue's behaviour depends
 * on: whether custom SMTP is enabled (`[auth.email.smtp] enabled`), and whether SMS sign-ups
 * need confirming (`[auth.sms] enable_confirmations`; with the default, false, GoTrue
 * auto-confirms phones, which also makes a repeated e-mail sign-up an error rather than a
 * look-alike user).
 */
function rawAuthSettings(workdir: string): { smtp: boolean; smsConfirmations: boolean } {
	try {
		const raw = parse(readFileSync(path.join(workdir, 'supabase', 'config.toml'), 'utf8')) as Record<string, unknown>;
		const auth = (raw.auth ?? {}) as Record<string, Record<string, unknown> | undefined>;
		const smtp = (auth.email?.smtp ?? {}) as Record<string, unknown>;
		return { smtp: smtp.enabled === true, smsConfirmations: auth.sms?.enable_confirmations === true };
	} catch {
		return { smtp: false, smsConfirmations: false };
	}
}

export function settingsFrom(ctx: RuntimeContext): AuthSettings {
	const auth = ctx.config.auth;
	const otpLength = auth.email.otpLength >= 6 && auth.email.otpLength <= 10 ? auth.email.otpLength : 6;
	const raw = rawAuthSettings(ctx.config.workdir);
	return {
		siteUrl: auth.siteUrl,
		issuer: auth.jwtIssuer || `${ctx.apiUrl}/auth/v1`,
		jwtSecret: ctx.keys.jwtSecret,
		signingKeys: ctx.config.auth.signingKeys,
		signingKey: signingKeyOf(ctx.config.auth.signingKeys),
		jwtExpiry: auth.jwtExpiry,
		aud: 'authenticated',
		defaultRole: 'authenticated',
		adminRoles: ['service_role', 'supabase_admin'],
		disableSignup: !auth.enableSignup,
		emailEnabled: auth.email.enableSignup,
		phoneEnabled: false,
		anonymousEnabled: auth.enableAnonymousSignIns,
		manualLinkingEnabled: auth.enableManualLinking,
		sessionTimeboxMs: parseGoDuration(auth.sessions.timebox) ?? 0,
		customAccessTokenHook: pgHook(auth.hooks.customAccessToken.enabled, auth.hooks.customAccessToken.uri, auth.hooks.customAccessToken.secrets),
		beforeUserCreatedHook: pgHook(auth.hooks.beforeUserCreated.enabled, auth.hooks.beforeUserCreated.uri, auth.hooks.beforeUserCreated.secrets),
		passwordVerificationHook: pgHook(auth.hooks.passwordVerificationAttempt.enabled, auth.hooks.passwordVerificationAttempt.uri, auth.hooks.passwordVerificationAttempt.secrets),
		mfaVerificationHook: pgHook(auth.hooks.mfaVerificationAttempt.enabled, auth.hooks.mfaVerificationAttempt.uri, auth.hooks.mfaVerificationAttempt.secrets),
		sendEmailHook: pgHook(auth.hooks.sendEmail.enabled, auth.hooks.sendEmail.uri, auth.hooks.sendEmail.secrets),
		sessionInactivityMs: parseGoDuration(auth.sessions.inactivityTimeout) ?? 0,
		autoconfirm: !auth.email.enableConfirmations,
		secureEmailChange: auth.email.doubleConfirmChanges,
		updatePasswordRequireReauthentication: auth.email.securePasswordChange,
		otpLength,
		otpExpirySeconds: auth.email.otpExpiry > 0 ? auth.email.otpExpiry : 86400,
		maxFrequencyMs: parseGoDuration(auth.email.maxFrequency) || 60_000,
		minPasswordLength: auth.minimumPasswordLength,
		requiredCharacterSets: requiredCharacterSets(auth.passwordRequirements),
		refreshTokenRotation: auth.enableRefreshTokenRotation,
		refreshTokenReuseIntervalSeconds: auth.refreshTokenReuseInterval,
		emailSendLimited: raw.smtp,
		smsAutoconfirm: !raw.smsConfirmations,
		flowStateExpiryMs: 300_000,
		maxBodyBytes: ctx.config.maxBodyBytes,
		mfa: { ...auth.mfa, maxVerifiedFactors: 10, challengeExpirySeconds: 300, factorExpirySeconds: 300 }
	};
}

export function limitersFrom(ctx: RuntimeContext): Limiters {
	const rl = ctx.config.auth.rateLimit;
	const fiveMinutes = 5 * 60 * 1000;
	const hour = 60 * 60 * 1000;
	// GoTrue's per-IP buckets hold at most 30 requests; a lower configured limit is honoured as the bucket size.
	const per5m = (limit: number) => new RateLimiter(limit, fiveMinutes, Math.min(30, limit));
	return {
		signInSignUps: per5m(rl.signInSignUps),
		signInByEmail: per5m(rl.signInSignUps),
		tokenRefresh: per5m(rl.tokenRefresh),
		verify: per5m(rl.tokenVerifications),
		anonymous: new RateLimiter(rl.anonymousUsers, hour, rl.anonymousUsers),
		recover: per5m(rl.signInSignUps),
		otp: per5m(rl.signInSignUps),
		resend: per5m(rl.signInSignUps),
		user: per5m(rl.signInSignUps),
		emailSent: new RateLimiter(rl.emailSent, hour, rl.emailSent),
		factorChallenge: new RateLimiter(15, 60_000, 30),
		factorVerify: new RateLimiter(15, 60_000, 30)
	};
}

/** Takes a token for `key`; no key (the request names no client) is not limited. */
export function requireLimit(limiter: RateLimiter, key: string | null): void {
	if (key !== null && !limiter.take(key)) throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
}

/** One request to the Auth service. */
export class AuthRequest {
	readonly gw: GatewayRequest;
	readonly req: IncomingMessage;
	readonly res: ServerResponse;
	readonly url: URL;
	readonly path: string;
	readonly method: string;
	readonly ip: string;
	/**
	 * The key of the per-client rate limits: the client's address when the request names
	 * it in X-Forwarded-For, else null (not limited). GoTrue limits by the header named in
	 * GOTRUE_RATE_LIMIT_HEADER and skips requests without it; the Supabase CLI sets no such
	 * header, so a local stack limits nothing per IP, while hosted Supabase's proxy always
	 * names the client.
	 */
	readonly rateLimitKey: string | null;
	/** Claims of the bearer token, once an endpoint required them. */
	claims: AccessClaims | null = null;
	private bodyText: Promise<string> | null = null;
	private readonly state: AuthState;

	constructor(state: AuthState, gw: GatewayRequest) {
		this.state = state;
		this.gw = gw;
		this.req = gw.req;
		this.res = gw.res;
		this.url = gw.url;
		this.path = gw.path.replace(/\/+$/, '') || '/';
		this.method = (gw.req.method ?? 'GET').toUpperCase();
		this.ip = gw.ip;
		this.rateLimitKey = this.header('x-forwarded-for').trim() ? gw.ip : null;
	}

	header(name: string): string {
		const value = this.req.headers[name.toLowerCase()];
		return (Array.isArray(value) ? value[0] : value) ?? '';
	}

	body(): Promise<string> {
		this.bodyText ??= readBody(this.req, this.state.settings.maxBodyBytes);
		return this.bodyText;
	}

	async params(schema: ParamsSchema): Promise<Params> {
		return decodeParams(await this.body(), schema);
	}

	/** The form value `name` from the query (and an urlencoded body), as Go's `FormValue`. */
	async formValue(name: string): Promise<string> {
		const fromQuery = this.url.searchParams.get(name);
		if (fromQuery !== null) return fromQuery;
		if (this.header('content-type').startsWith('application/x-www-form-urlencoded')) {
			return new URLSearchParams(await this.body()).get(name) ?? '';
		}
		return '';
	}

	referrer(): string {
		return this.state.redirects.referrer(this.req, this.url);
	}

	userAgent(): string {
		return this.header('user-agent');
	}

	/**
	 * The bearer token GoTrue would see behind the CLI's Kong: the Authorization header when
	 * given (an opaque `sb_…` key standing for its role's JWT); without one, Kong fills in
	 * the role's JWT for an opaque API key but copies a legacy JWT API key bare (no
	 * `Bearer `), which GoTrue refuses.
	 */
	bearer(): string {
		const raw = this.header('authorization');
		if (!raw) {
			const apikey = this.header('apikey');
			if (this.gw.token && roleOfOpaqueKey(this.state.ctx.keys, apikey)) return this.gw.token;
			throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token');
		}
		const match = /^bearer (\S+)$/i.exec(raw);
		if (!match) throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token');
		const keys = this.state.ctx.keys;
		const role = roleOfOpaqueKey(keys, match[1]);
		if (role) return role === 'anon' ? keys.anonKey : keys.serviceRoleKey;
		return match[1];
	}

	/** GoTrue's `requestAud`: the X-JWT-AUD header, else a non-admin token's audience, else the default. */
	aud(): string {
		const header = this.header('x-jwt-aud');
		if (header) return header;
		const claims = this.claims;
		if (claims && !this.state.settings.adminRoles.includes(String(claims.role ?? ''))) {
			const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
			if (typeof aud === 'string' && aud) return aud;
		}
		return this.state.settings.aud;
	}
}
