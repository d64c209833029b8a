/**
 * The API process of a benchmark: the local runtime, run from its bundle as the CLI runs it
 * (see supabase/local/launch.mjs), in a child process of its own so its memory and CPU are
 * the API's alone. Plain JavaScript, so no TypeScript compiler sits in its memory.
 *
 *   fork('bench/support/api-server.mjs', [workdir])
 *
 * Sends { url, dbUrl, anonKey, serviceRoleKey, jwtSecret, pid } once started, then answers:
 *   'memory'                 → { memory: process.memoryUsage(), spaces } (after a GC with --expose-gc)
 *   'profile-start'          → 'profiling' once a CPU profile runs
 *   { profileStop: file }    → 'profiled' once the profile is written to file
 *   'stop'                   → stops the runtime and exits
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import { loadRuntime } from '../../supabase/local/launch.mjs';

const workdir = process.argv[2];
const { startLocalSupabase } = await loadRuntime();
const runtime = await startLocalSupabase({ workdir, port: 0, dbPort: 0, mailboxPort: 0, ephemeral: true, databaseUrl: '' });
process.send({ url: runtime.url, dbUrl: runtime.dbUrl, anonKey: runtime.anonKey, serviceRoleKey: runtime.serviceRoleKey, jwtSecret: runtime.jwtSecret, pid: process.pid });

let profiler = null;
const post = (method) => new Promise((resolve, reject) => profiler.post(method, (error, result) => (error ? reject(error) : resolve(result))));
process.on('message', async (m) => {
	if (m === 'memory') {
		globalThis.gc?.();
		process.send({ memory: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size })) });
	} else if (m === 'profile-start') {
		profiler = new Session();
		profiler.connect();
		await post('Profiler.enable');
		await post('Profiler.start');
		process.send('profiling');
	} else if (m && typeof m === 'object' && 'profileStop' in m) {
		const { profile } = await post('Profiler.stop');
		await writeFile(m.profileStop, JSON.stringify(profile));
		profiler.disconnect();
		process.send('profiled');
	} else if (m === 'stop') {
		await runtime.stop();
		process.exit(0);
	}
});
