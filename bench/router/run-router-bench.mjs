// @ts-check
// Requests per second through the built-in router vs straight to the backend, on loopback.
// `npm run build && node bench/router/run-router-bench.mjs [seconds] [connections]`.
// The backend and the load client each run in a process of their own (the same file with a role
// argument) so the router's event loop is the only thing measured in this process. The client is
// a small keep-alive loop (no autocannon dependency). The last line is a summary a script can
// read: `bench:router direct-rps=<n> router-rps=<n> ratio=<n>`.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const role = argv[0] === 'backend' || argv[0] === 'client' ? argv[0] : 'main';
const rest = role === 'main' ? argv : argv.slice(1);

if (role === 'backend') {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '12' });
    response.end('hello world\n');
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
} else if (role === 'client') {
  const [port, host, seconds, connections] = rest;
  const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
  const deadline = performance.now() + Number(seconds) * 1000;
  let done = 0;
  let failed = 0;
  /** @returns {Promise<void>} */
  const once200 = () =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: Number(port), agent, headers: { host } }, (response) => {
        if (response.statusCode === 200) done += 1;
        else failed += 1;
        response.resume();
        response.on('end', resolve);
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (performance.now() < deadline) await once200();
  };
  await Promise.all(Array.from({ length: Number(connections) }, worker));
  agent.destroy();
  process.send?.({ rps: Math.round(done / Number(seconds)), failed });
  process.disconnect?.();
} else {
  const { RoutingTable, startRouter } = await import('@paasmaker/core');
  const seconds = Number(rest[0] ?? 5);
  const connections = Number(rest[1] ?? 32);

  const backend = fork(self, ['backend']);
  const [{ port: backendPort }] = /** @type {[{ port: number }]} */ (await once(backend, 'message'));
  const table = new RoutingTable();
  table.add('bench.test', {
    instanceId: 'bench',
    host: '127.0.0.1',
    port: backendPort,
    versionTypeKey: 'bench',
    nodeId: 'bench',
  });
  const router = await startRouter({ table });

  /** @param {number} port */
  const load = async (port) => {
    const client = fork(self, ['client', String(port), 'bench.test', String(seconds), String(connections)]);
    const [result] = /** @type {[{ rps: number, failed: number }]} */ (await once(client, 'message'));
    return result;
  };
  await load(backendPort); // warm-up, both paths share the backend
  const direct = await load(backendPort);
  const routed = await load(router.port);
  await router.close();
  backend.kill();

  const ratio = (routed.rps / direct.rps).toFixed(2);
  console.log(
    `connections=${connections} seconds=${seconds} (keep-alive client, loopback, ${process.version})`,
  );
  console.log(`direct: ${direct.rps} req/s (${direct.failed} failed)`);
  console.log(`router: ${routed.rps} req/s (${routed.failed} failed)`);
  console.log(`bench:router direct-rps=${direct.rps} router-rps=${routed.rps} ratio=${ratio}`);
}
