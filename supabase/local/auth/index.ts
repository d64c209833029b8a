/**
 * `/auth/v1`: Supabase Auth (GoTrue) as supabase-js and @supabase/ssr call it. Routes,
 * request checks and error shapes follow GoTrue; the gateway in front does what Kong does
 * (API key, CORS).
 */
import type { RuntimeContext, Service } from '../context.ts';
import { challengeFactor, enrollFactor, unenrollFactor, verifyFactor } from './mfa.ts';
import { createUser, deleteFactor, deletePasskey, deleteUser, getUserById, listFactors, listPasskeys, listUsers, requireAdmin, updateFactor, updateUserById } from './admin.ts';
import { generateLink, invite } from './admin-links.ts';
import { createClient as createOAuthClient, deleteClient as deleteOAuthClient, getClient as getOAuthClient, listClients as listOAuthClients, listGrants as listOAuthGrants, oauthFlowNotServed, requireOAuthServerEnabled, revokeGrant as revokeOAuthGrant, regenerateSecret as regenerateOAuthClientSecret, registerClient as registerOAuthClient, updateClient as updateOAuthClient } from './oauth-server.ts';
import { listAuditLog } from './audit.ts';
import { createAuthPool } from './db.ts';
import { linkIdentity, unlinkIdentity } from './identities.ts';
import { AuthError, sendAuthError, sendJson } from './errors.ts';
import { recover, otp, magicLinkRoute, resend } from './otp.ts';
import { RedirectPolicy } from './redirect.ts';
import { signupRoute } from './signup.ts';
import { AuthRequest, limitersFrom, requireLimit, settingsFrom, type AuthState } from './state.ts';
import { tokenRoute } from './token.ts';
import { getUser, logout, reauthenticate, requireAuthentication, updateUser } from './user.ts';
import { verifyGet, verifyPost } from './verify.ts';

type Handler = (state: AuthState, r: AuthRequest, ...params: string[]) => Promise<void>;

interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

const KNOWN_PROVIDERS = new Set([
	'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google', 'kakao', 'keycloak',
	'linkedin', 'linkedin_oidc', 'notion', 'slack', 'slack_oidc', 'snapchat', 'spotify', 'twitch', 'twitter', 'x', 'vercel_marketplace', 'workos', 'zoom'
]);

function settings(state: AuthState): Record<string, unknown> {
	const s = state.settings;
	const external: Record<string, boolean> = { anonymous_users: s.anonymousEnabled };
	for (const name of ['apple', 'azure', 'bitbucket', 'discord', 'facebook', 'snapchat', 'figma', 'fly', 'github', 'gitlab', 'google', 'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch', 'twitter']) {
		external[name] = false;
	}
	external.email = s.emailEnabled;
	external.phone = s.phoneEnabled;
	external.zoom = false;
	return {
		external,
		disable_signup: s.disableSignup,
		mailer_autoconfirm: s.autoconfirm,
		phone_autoconfirm: s.smsAutoconfirm,
		sms_provider: '',
		saml_enabled: false,
		saml_private_key_next_configured: false,
		passkeys_enabled: false
	};
}

/** GoTrue's answer for a provider it cannot redirect to: none is enabled here. */
function unsupportedProvider(provider: string): AuthError {
	if (KNOWN_PROVIDERS.has(provider)) return new AuthError(400, 'validation_failed', 'Unsupported provider: provider is not enabled');
	return new AuthError(400, 'validation_failed', `Unsupported provider: Provider ${provider} could not be found`);
}

async function authorize(_state: AuthState, r: AuthRequest): Promise<void> {
	throw unsupportedProvider((r.url.searchParams.get('provider') ?? '').toLowerCase());
}

async function samlDisabled(): Promise<void> {
	throw new AuthError(404, 'saml_provider_disabled', 'SAML 2.0 is disabled');
}

/**
 * The OAuth 2.1 server's authorization flow (`[auth.oauth_server]`): GoTrue's 404 while the
 * server is off; on, a 501, as the flow is not served (only client management is).
 */
async function oauthServerDisabled(state: AuthState): Promise<void> {
	oauthFlowNotServed(state);
}

function buildRoutes(): Route[] {
	const route = routeOf;
	const admin = (handler: Handler): Handler =>
		async (state, r, ...params) => {
			await requireAdmin(state, r);
			return handler(state, r, ...params);
		};
	return [
		route('GET', '/health', async (_state, r) =>
			sendJson(r.res, 200, { version: 'local', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' })
		),
		// Only the public parts of the signing keys; the secret (HS256) is never listed.
		route('GET', '/.well-known/jwks.json', async (state, r) =>
			sendJson(r.res, 200, { keys: state.settings.signingKeys.map((key) => key.publicJwk) }, { 'cache-control': 'public, max-age=600' })
		),
		route('GET', '/.well-known/openid-configuration', async (state, r) =>
			sendJson(r.res, 200, openIdConfiguration(state), { 'cache-control': 'public, max-age=600' })
		),
		route('GET', '/settings', async (state, r) => sendJson(r.res, 200, settings(state))),
		route('GET', '/authorize', authorize),
		route('GET', '/callback', async () => {
			throw new AuthError(400, 'bad_oauth_callback', 'OAuth state parameter missing');
		}),
		route('POST', '/callback', async () => {
			throw new AuthError(400, 'bad_oauth_callback', 'OAuth state parameter missing');
		}),
		route('POST', '/signup', signupRoute),
		route('POST', '/token', tokenRoute),
		route('GET', '/verify', async (state, r) => {
			requireLimit(state.limits.verify, r.rateLimitKey);
			return verifyGet(state, r);
		}),
		route('POST', '/verify', async (state, r) => {
			requireLimit(state.limits.verify, r.rateLimitKey);
			return verifyPost(state, r);
		}),
		route('POST', '/recover', recover),
		route('POST', '/otp', otp),
		route('POST', '/magiclink', magicLinkRoute),
		route('POST', '/resend', resend),
		route('GET', '/user', getUser),
		route('PUT', '/user', updateUser),
		route('POST', '/logout', logout),
		route('GET', '/reauthenticate', reauthenticate),
		route('GET', '/user/identities/authorize', (state, r) => linkIdentity(state, r, unsupportedProvider)),
		route('DELETE', '/user/identities/:id', unlinkIdentity),
		route('POST', '/sso', samlDisabled),
		route('GET', '/sso/saml/metadata', samlDisabled),
		route('POST', '/sso/saml/acs', samlDisabled),
		route('POST', '/factors', enrollFactor),
		route('POST', '/factors/:id/challenge', challengeFactor),
		route('POST', '/factors/:id/verify', verifyFactor),
		route('DELETE', '/factors/:id', unenrollFactor),
		route('POST', '/invite', admin(invite)),
		route('GET', '/admin/audit', admin(listAuditLog)),
		route('GET', '/admin/users', admin(listUsers)),
		route('POST', '/admin/users', admin(createUser)),
		route('GET', '/admin/users/:id', admin(getUserById)),
		route('PUT', '/admin/users/:id', admin(updateUserById)),
		route('DELETE', '/admin/users/:id', admin(deleteUser)),
		route('GET', '/admin/users/:id/factors', admin(listFactors)),
		route('PUT', '/admin/users/:id/factors/:factor_id', admin(updateFactor)),
		route('DELETE', '/admin/users/:id/factors/:factor_id', admin(deleteFactor)),
		route('POST', '/admin/generate_link', admin(generateLink)),
		route('GET', '/admin/users/:id/passkeys', admin(listPasskeys)),
		route('DELETE', '/admin/users/:id/passkeys/:passkey_id', admin(deletePasskey)),
		...passkeyRoutes(),
		...ssoAdminRoutes(admin),
		...oauthServerRoutes(admin)
	];
}

/**
 * GoTrue's `/.well-known/openid-configuration` (served whether or not the OAuth 2.1
 * server is on), also its `/.well-known/oauth-authorization-server` (RFC 8414) while the
 * server is on: the endpoints under the issuer and what they support, with the registration
 * endpoint when dynamic registration is open.
 */
function openIdConfiguration(state: AuthState): Record<string, unknown> {
	const issuer = state.settings.issuer;
	const base = issuer.replace(/\/+$/, '');
	const { enabled, allowDynamicRegistration } = state.ctx.config.auth.oauthServer;
	return {
		issuer,
		authorization_endpoint: `${base}/oauth/authorize`,
		token_endpoint: `${base}/oauth/token`,
		jwks_uri: `${base}/.well-known/jwks.json`,
		userinfo_endpoint: `${base}/oauth/userinfo`,
		...(enabled && allowDynamicRegistration ? { registration_endpoint: `${base}/oauth/clients/register` } : {}),
		scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
		response_types_supported: ['code'],
		response_modes_supported: ['query'],
		grant_types_supported: ['authorization_code', 'refresh_token'],
		subject_types_supported: ['public'],
		id_token_signing_alg_values_supported: ['RS256', 'HS256', 'ES256'],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
		claims_supported: ['sub', 'aud', 'iss', 'exp', 'iat', 'auth_time', 'nonce', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'name', 'picture', 'preferred_username', 'updated_at'],
		code_challenge_methods_supported: ['S256', 'plain']
	};
}

/** The passkey routes, answered as GoTrue does with `[auth.passkey] enabled = false` (checked before anything else). */
function passkeyRoutes(): Route[] {
	const disabled: Handler = async () => {
		throw new AuthError(404, 'passkey_disabled', 'Passkeys are disabled');
	};
	return [
		['POST', '/passkeys/authentication/options'],
		['POST', '/passkeys/authentication/verify'],
		['POST', '/passkeys/registration/options'],
		['POST', '/passkeys/registration/verify'],
		['GET', '/passkeys'],
		['PATCH', '/passkeys/:id'],
		['DELETE', '/passkeys/:id']
	].map(([method, path]) => routeOf(method, path, disabled));
}

/** The OAuth 2.1 server's routes: client management served, the flow answering after the checks GoTrue makes first. */
function oauthServerRoutes(admin: (handler: Handler) => Handler): Route[] {
	const disabled: [string, string, Handler][] = [
		['GET', '/.well-known/oauth-authorization-server', async (state, r) => {
			requireOAuthServerEnabled(state);
			sendJson(r.res, 200, openIdConfiguration(state), { 'cache-control': 'public, max-age=600' });
		}],
		['GET', '/user/oauth/grants', async (state, r) => (await requireAuthentication(state, r), listOAuthGrants(state, r))],
		['DELETE', '/user/oauth/grants', async (state, r) => (await requireAuthentication(state, r), revokeOAuthGrant(state, r))],
		['GET', '/admin/oauth/clients', admin(listOAuthClients)],
		['POST', '/admin/oauth/clients', admin(createOAuthClient)],
		['GET', '/admin/oauth/clients/:id', admin(getOAuthClient)],
		['PUT', '/admin/oauth/clients/:id', admin(updateOAuthClient)],
		['DELETE', '/admin/oauth/clients/:id', admin(deleteOAuthClient)],
		['POST', '/admin/oauth/clients/:id/regenerate_secret', admin(regenerateOAuthClientSecret)],
		...['GET /admin/custom-providers', 'POST /admin/custom-providers', 'GET /admin/custom-providers/:identifier', 'PUT /admin/custom-providers/:identifier', 'DELETE /admin/custom-providers/:identifier'].map(
			(route): [string, string, Handler] => [...(route.split(' ') as [string, string]), admin(customProvidersDisabled)]
		),
		['POST', '/oauth/clients/register', registerOAuthClient],
		['POST', '/oauth/token', oauthServerDisabled],
		['GET', '/oauth/userinfo', oauthServerDisabled],
		['GET', '/oauth/authorize', oauthServerDisabled],
		['GET', '/oauth/authorizations/:id', oauthServerDisabled],
		['POST', '/oauth/authorizations/:id/consent', oauthServerDisabled]
	];
	return disabled.map(([method, path, handler]) => routeOf(method, path, handler));
}

/** GoTrue's `requireCustomOAuthEnabled`, with `[auth]` custom OAuth providers off (the CLI has no setting for them). */
async function customProvidersDisabled(): Promise<void> {
	throw new AuthError(404, 'feature_disabled', 'Custom OAuth providers are disabled');
}

/**
 * `/admin/sso/providers`, which GoTrue serves even with SAML off: no SAML identity provider
 * can be registered here, so the list is empty and every id is not found. Registering one
 * (`POST`) is SAML itself and answers as with SAML off.
 */
function ssoAdminRoutes(admin: (handler: Handler) => Handler): Route[] {
	const notFound: Handler = async () => {
		throw new AuthError(404, 'sso_provider_not_found', 'SSO Identity Provider not found');
	};
	return [
		routeOf('GET', '/admin/sso/providers', admin(async (_state, r) => sendJson(r.res, 200, { items: [] }))),
		routeOf('POST', '/admin/sso/providers', admin(samlDisabled)),
		routeOf('GET', '/admin/sso/providers/:id', admin(notFound)),
		routeOf('PUT', '/admin/sso/providers/:id', admin(notFound)),
		routeOf('DELETE', '/admin/sso/providers/:id', admin(notFound))
	];
}

function routeOf(method: string, path: string, handler: Handler): Route {
	return { method, pattern: new RegExp(`^${path.replace(/\./g, '\\.').replace(/:[a-z_]+/g, '([^/]+)')}$`), handler };
}

/** The database URL with another role, whose password is the CLI's (`postgres`). */
function roleUrl(dbUrl: string, role: string): string {
	const url = new URL(dbUrl);
	url.username = role;
	url.password = 'postgres';
	return url.toString();
}

export function createAuthService(ctx: RuntimeContext): Service {
	const state: AuthState = {
		ctx,
		// As GoTrue on Supabase: the embedded database is reached as supabase_auth_admin (not a
		// superuser; search_path `auth`), so a trigger on auth.users fails here as it would
		// there. A DATABASE_URL server may lack that role: its own user is used.
		sql: createAuthPool(ctx.dbSocket ? roleUrl(ctx.dbUrl, 'supabase_auth_admin') : ctx.dbUrl),
		settings: settingsFrom(ctx),
		limits: limitersFrom(ctx),
		redirects: new RedirectPolicy(ctx.config.auth.siteUrl, ctx.config.auth.additionalRedirectUrls)
	};
	const routes = buildRoutes();

	return {
		prefix: '/auth/v1',
		async handle(gw) {
			const r = new AuthRequest(state, gw);
			try {
				const candidates = routes.filter((route) => route.pattern.test(r.path));
				if (!candidates.length) {
					r.res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
					r.res.end('404 page not found\n');
					return;
				}
				const method = r.method === 'HEAD' ? 'GET' : r.method;
				const match = candidates.find((route) => route.method === method);
				if (!match) {
					r.res.writeHead(405);
					r.res.end();
					return;
				}
				const params = match.pattern.exec(r.path)!.slice(1).map(decodeURIComponent);
				await match.handler(state, r, ...params);
			} catch (error) {
				if (r.res.headersSent) {
					r.res.end();
					return;
				}
				if (error instanceof AuthError) {
					if (error.status === 413) r.res.setHeader('connection', 'close');
					return sendAuthError(r.req, r.res, error);
				}
				ctx.log(`[auth] ${r.method} ${r.path}: ${(error as Error).stack ?? error}`);
				return sendAuthError(
					r.req,
					r.res,
					new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information')
				);
			}
		},
		async close() {
			await state.sql.end({ timeout: 2 });
		}
	};
}
