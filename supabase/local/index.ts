/**
 * The programmatic API of the local Supabase runtime:
 *
 *   const sb = await startLocalSupabase({ workdir, port: 0, dbPort: 0 });
 *   // sb.url, sb.dbUrl, sb.anonKey, sb.serviceRoleKey, sb.jwtSecret …
 *   await sb.stop();
 *
 * Port 0 picks a free port, so several isolated instances can run side by side (tests).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { loadConfig, type RuntimeConfig } from './config.ts';
import type { RuntimeContext, Service, ServiceFactory } from './context.ts';
import { Gateway } from './gateway.ts';
import { createJwtVerifier, signingKeyOf } from './jwt.ts';
import { apiKeysFor } from './keys.ts';
import { Mailbox } from './mailbox/mailbox.ts';
import { applyBootstrap, applyMigrations, applySeed, isFreshDatabase, recreateDatabase } from './migrate.ts';
import { startEmbeddedPostgres, useExternalPostgres, type DatabaseHandle } from './postgres.ts';
import { createAuthService } from './auth/index.ts';
import { createRestService } from './rest/index.ts';
import { createRealtimeService } from './realtime/index.ts';
import { createAdminService } from './admin.ts';

export interface StartOptions {
	/** Project folder holding `supabase/` (config.toml, migrations/, seed.sql). Default: cwd. */
	workdir?: string;
	/** API port; default `[api] port` (54321); 0 picks a free one. */
	port?: number;
	/** Embedded PostgreSQL port; default `[db] port` (54322); 0 picks a free one. */
	dbPort?: number;
	/** Mailbox port; default `[inbucket] port` (54324); 0 picks a free one. */
	mailboxPort?: number;
	/** Use this PostgreSQL (15+) instead of the embedded one. Default: env DATABASE_URL. */
	databaseUrl?: string;
	/** Data folder of the embedded PostgreSQL. Default: `<workdir>/supabase/.local/db`. */
	dataDir?: string;
	/** A throwaway instance: data in a temporary folder, removed at stop; crash-unsafe but fast. */
	ephemeral?: boolean;
	/** Run seed files when the database is set up fresh. Default true. */
	seed?: boolean;
	/** Where log lines go. Default: nowhere. */
	log?: (line: string) => void;
}

export interface LocalSupabase {
	url: string;
	dbUrl: string;
	mailboxUrl: string;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
	jwtSecret: string;
	config: RuntimeConfig;
	mailbox: Mailbox;
	/** Drops the database, replays bootstrap, migrations and seed. */
	reset(options?: { seed?: boolean }): Promise<void>;
	/** Applies migrations added since start. */
	migrate(): Promise<string[]>;
	stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

const factories: ServiceFactory[] = [createAuthService, createRestService, createRealtimeService, createAdminService];

export async function startLocalSupabase(options: StartOptions = {}): Promise<LocalSupabase> {
	const workdir = path.resolve(options.workdir ?? process.cwd());
	const config = await loadConfig(workdir);
	const log = options.log ?? (() => {});
	const keys = await apiKeysFor(config.auth.jwtSecret, config.auth.signingKeys);
	const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;

	let tempDir: string | null = null;
	let database: DatabaseHandle;
	if (databaseUrl) {
		database = await useExternalPostgres(databaseUrl);
	} else {
		let dataDir = options.dataDir ?? path.join(workdir, 'supabase', '.local', 'db');
		if (options.ephemeral && !options.dataDir) {
			tempDir = await mkdtemp(path.join(tmpdir(), 'supabase-local-'));
			dataDir = path.join(tempDir, 'db');
		}
		const dbPort = options.dbPort === 0 ? await freePort() : (options.dbPort ?? config.db.port);
		database = await startEmbeddedPostgres({ dataDir, port: dbPort, ephemeral: options.ephemeral, log });
	}

	const cleanups: (() => Promise<void>)[] = [];
	const cleanup = async () => {
		for (const fn of cleanups.reverse()) await fn().catch((e) => log(`stop: ${e}`));
		cleanups.length = 0;
	};
	cleanups.push(async () => {
		await database.stop();
		if (tempDir) await rm(tempDir, { recursive: true, force: true });
	});

	try {
		const setUp = async (seed: boolean) => {
			const fresh = await isFreshDatabase(database.url);
			await applyBootstrap(database.url);
			await applyMigrations(database.url, workdir);
			if (fresh && seed && config.db.seedEnabled) await applySeed(database.url, workdir, config.db.seedPaths);
		};
		await setUp(options.seed ?? true);

		const db = postgres(database.url, { max: 4, onnotice: () => {}, connection: { application_name: 'supabase_local' } });
		cleanups.push(() => db.end({ timeout: 2 }));

		const mailbox = new Mailbox();
		const mailboxPort = options.mailboxPort === 0 ? 0 : (options.mailboxPort ?? config.inbucket.port);
		const mailboxUrl = await mailbox.listen(mailboxPort);
		cleanups.push(() => mailbox.close());

		const schemaListeners: (() => void | Promise<void>)[] = [];
		const ctx: RuntimeContext = {
			config,
			keys,
			apiUrl: '',
			dbUrl: database.url,
			...(database.socketPath ? { dbSocket: database.socketPath } : {}),
			db,
			mailbox,
			verifyJwt: createJwtVerifier({ secret: keys.jwtSecret, signingKeys: config.auth.signingKeys, signingKey: signingKeyOf(config.auth.signingKeys) }),
			log,
			onSchemaChange: (listener) => void schemaListeners.push(listener)
		};
		const gateway = new Gateway(ctx);
		const apiPort = await gateway.listen(options.port ?? config.api.port);
		ctx.apiUrl = `http://127.0.0.1:${apiPort}`;
		cleanups.push(() => gateway.close());

		const schemaChanged = async () => {
			for (const listener of schemaListeners) await listener();
		};

		const instance: LocalSupabase = {
			url: ctx.apiUrl,
			dbUrl: database.url,
			mailboxUrl,
			anonKey: keys.anonKey,
			serviceRoleKey: keys.serviceRoleKey,
			publishableKey: keys.publishableKey,
			secretKey: keys.secretKey,
			jwtSecret: keys.jwtSecret,
			config,
			mailbox,
			async reset(resetOptions = {}) {
				await recreateDatabase(database.url);
				await setUp(resetOptions.seed ?? true);
				await schemaChanged();
			},
			async migrate() {
				const applied = await applyMigrations(database.url, workdir);
				if (applied.length) await schemaChanged();
				return applied;
			},
			stop: cleanup
		};

		const services: Service[] = [];
		for (const factory of factories) services.push(await factory(ctx, instance));
		for (const service of services) gateway.use(service);
		return instance;
	} catch (error) {
		await cleanup();
		throw error;
	}
}

export type { RuntimeConfig } from './config.ts';
