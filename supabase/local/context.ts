/**
 * What every part of the runtime (Auth, REST, Realtime) is handed: the config, the keys,
 * the database, the mailbox and a way to say the schema changed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Sql } from 'postgres';
import type { RuntimeConfig } from './config.ts';
import type { ApiKeys } from './keys.ts';
import type { Mailbox } from './mailbox/mailbox.ts';
import type { VerifyJwt } from './jwt.ts';

export interface RuntimeContext {
	config: RuntimeConfig;
	keys: ApiKeys;
	/** Public base URL of the API, e.g. http://127.0.0.1:54321 */
	apiUrl: string;
	/** Superuser connection URL of the database. */
	dbUrl: string;
	/** The embedded database's Unix socket path, when there is one (faster than TCP). */
	dbSocket?: string;
	/** A shared superuser pool for the runtime's own bookkeeping. */
	db: Sql;
	mailbox: Mailbox;
	verifyJwt: VerifyJwt;
	log(line: string): void;
	/** Listeners called after migrations or a reset changed the schema. */
	onSchemaChange(listener: () => void | Promise<void>): void;
}

/** A request as the gateway hands it to a service, after the API key check. */
export interface GatewayRequest {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	/** Path below the service's prefix, starting with "/". */
	path: string;
	/** The role the API key grants: `anon` or `service_role`; null when the request has no key. */
	apiKeyRole: 'anon' | 'service_role' | null;
	/**
	 * The bearer token to act with: the Authorization header's token, or the API key's
	 * JWT when there is none or it is an opaque `sb_…` key (as Supabase's gateway does).
	 */
	token: string | null;
	/** The client's IP address (X-Forwarded-For honoured from loopback). */
	ip: string;
}

export interface Service {
	/** e.g. "/auth/v1" */
	prefix: string;
	handle(request: GatewayRequest): Promise<void>;
	upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
	close?(): Promise<void>;
}

/** What services may ask of the runtime as a whole. */
export interface RuntimeControl {
	reset(options?: { seed?: boolean }): Promise<void>;
	migrate(): Promise<string[]>;
}

export type ServiceFactory = (ctx: RuntimeContext, runtime: RuntimeControl) => Service | Promise<Service>;
