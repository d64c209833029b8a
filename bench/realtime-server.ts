/**
 * The server side of bench/realtime.ts, run in a child process so its memory and CPU are
 * measured apart from the clients: either the local runtime (`runtime <workdir>`) or a
 * bare `ws` relay (`relay`) that forwards each frame to the other sockets of its room.
 *
 * Talks to the parent over IPC: sends {ready, url, …} once listening; answers {mem} with
 * the process's memory after a garbage collection; exits on {stop}.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { startLocalSupabase } from '../supabase/local/index.ts';

const send = (message: unknown) => process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc;

function memory() {
	gc?.();
	gc?.();
	const m = process.memoryUsage();
	return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

async function main() {
	const [mode, workdir] = process.argv.slice(2);
	let stop: () => Promise<void>;
	if (mode === 'runtime') {
		const runtime = await startLocalSupabase({ workdir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
		stop = () => runtime.stop();
		send({ ready: true, url: runtime.url, anonKey: runtime.anonKey, dbUrl: runtime.dbUrl, jwtSecret: runtime.jwtSecret });
	} else {
		const rooms = new Map<string, Set<WebSocket>>();
		const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
		wss.on('connection', (ws) => {
			let room: Set<WebSocket> | null = null;
			ws.on('message', (data, binary) => {
				if (!room) {
					const name = String(data);
					room = rooms.get(name) ?? new Set();
					rooms.set(name, room);
					room.add(ws);
					return;
				}
				for (const peer of room) if (peer !== ws) peer.send(data, { binary });
			});
			ws.on('close', () => room?.delete(ws));
		});
		await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
		const address = wss.address();
		const port = address && typeof address === 'object' ? address.port : 0;
		stop = async () => {
			for (const ws of wss.clients) ws.terminate();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
		};
		send({ ready: true, url: `ws://127.0.0.1:${port}` });
	}
	process.on('message', async (message: { mem?: boolean; stop?: boolean }) => {
		if (message.mem) send({ mem: memory() });
		if (message.stop) {
			await stop();
			send({ stopped: true });
			process.exit(0);
		}
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
