/**
 * The floor under any HTTP API on this machine: a bare node:http server, in a process of
 * its own, answering every request at once with a fixed JSON body shaped like the REST
 * answer (no JWT, no database). A load generator's figure against it is the most any
 * HTTP API could reach; its ratio to the bare driver is the least any could show.
 *
 *   fork('bench/support/http-floor.mjs')   → sends { url, pid }; 'stop' ends it
 */
import { createServer } from 'node:http';

const body = JSON.stringify([{ id: 1, owner_id: '5f0c3e1e-7a49-4e55-8b1f-0c1d2e3f4a5b', body: 'note 1' }]);
const server = createServer((req, res) => {
	req.resume();
	res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-range': '0-0/*', 'content-length': Buffer.byteLength(body) });
	res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid }));
process.on('message', (m) => {
	if (m !== 'stop') return;
	server.close(() => process.exit(0));
	server.closeAllConnections();
});
