import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startLocalSupabase, type LocalSupabase, type StartOptions } from '../../supabase/local/index.ts';
import { closeClients, eventually, Inbox, realtimeClient, realtimeFixture, sleep, subscribed } from '../support/realtime.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
	for (const fn of cleanups.reverse()) await fn().catch(() => {});
});

describe('a runtime restart', () => {
	it('realtime-js reconnects and rejoins by itself, and messages flow again', { timeout: 90_000 }, async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'sb-realtime-restart-'));
		cleanups.push(() => rm(dir, { recursive: true, force: true }));
		const options: StartOptions = {
			workdir: realtimeFixture,
			port: await freePort(),
			dbPort: await freePort(),
			mailboxPort: await freePort(),
			dataDir: path.join(dir, 'db'),
			databaseUrl: ''
		};
		let runtime: LocalSupabase | null = await startLocalSupabase(options);
		cleanups.push(async () => runtime?.stop());

		const a = realtimeClient(runtime, { vsn: '2.0.0' });
		const b = realtimeClient(runtime, { vsn: '1.0.0' });
		cleanups.push(() => closeClients(a, b));
		const received = new Inbox<{ payload: { n: number } }>();
		const statuses = new Inbox<string>();
		const name = `restart-${Date.now()}`;
		b.channel(name)
			.on('broadcast', { event: 'tick' }, received.push as (p: unknown) => void)
			.subscribe((s) => statuses.push(s));
		await statuses.waitFor((s) => s === 'SUBSCRIBED');
		const out = await subscribed(a.channel(name));
		await out.send({ type: 'broadcast', event: 'tick', payload: { n: 1 } });
		await received.waitFor((m) => m.payload.n === 1);

		await runtime.stop();
		runtime = null;
		await statuses.waitFor((s) => s === 'CHANNEL_ERROR', 10_000);
		runtime = await startLocalSupabase(options);

		// Both clients find the new server on their own; keep sending until a message lands.
		let n = 2;
		await eventually(
			async () => {
				if (out.state === 'joined') await out.send({ type: 'broadcast', event: 'tick', payload: { n: n++ } });
				await sleep(250);
				return received.items.some((m) => m.payload.n >= 2);
			},
			45_000,
			'a broadcast after the restart'
		);
		expect(statuses.items.filter((s) => s === 'SUBSCRIBED').length).toBeGreaterThanOrEqual(2);
	});
});
