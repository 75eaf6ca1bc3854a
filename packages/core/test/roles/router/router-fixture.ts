import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Route, type Router, RoutingTable, startRouter } from '../../../src/roles/router/index';

/** A real HTTP backend on loopback that says who it is and echoes what it got. */
export interface Backend {
  readonly name: string;
  readonly port: number;
  /** Requests served so far. */
  hits: number;
  close(): Promise<void>;
}

/**
 * Starts a backend: `GET /` answers JSON `{ name, url, headers }`; `POST /echo` streams the body
 * back; `POST /digest` reads the whole body, then answers its `{ bytes, sha256 }`; `GET /stream`
 * sends 64 KiB chunks until the client goes away; `GET /cut` promises 100 000 bytes, sends 1 KiB
 * and drops the connection; `GET /status/<code>` answers that status with a short body.
 */
export async function startBackend(name: string): Promise<Backend> {
  const server: Server = createServer((req, res) => {
    backend.hits += 1;
    if (req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    if (req.url === '/digest') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
      return;
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100000' });
      res.write(Buffer.alloc(1024, 120), () => res.socket?.destroy());
      return;
    }
    const status = /^\/status\/([1-5][0-9][0-9])$/.exec(req.url ?? '');
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
      res.end(`status ${status[1]}`);
      return;
    }
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const timer = setInterval(() => res.write(chunk), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const body = JSON.stringify({ name, url: req.url, headers: req.headers });
    res.writeHead(200, {
      'content-type': 'application/json',
      connection: 'keep-alive, x-backend-private',
      'x-backend-private': 'for the router only',
      'x-backend': name,
    });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const backend: Backend = {
    name,
    port: (server.address() as AddressInfo).port,
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return backend;
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A route to `port` on loopback with stats keys derived from `instanceId`. */
export function routeTo(instanceId: string, port: number, versionTypeKey = 'vt-1', nodeId = 'node-1'): Route {
  return { instanceId, host: '127.0.0.1', port, versionTypeKey, nodeId };
}

/** A response read whole. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/**
 * Sends one request to the router. `host: null` sends no Host header at all. Uses no agent so
 * every request is independent.
 */
export async function send(
  router: Pick<Router, 'port'>,
  options: {
    host: string | null;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer;
  },
): Promise<Reply> {
  const req = request({
    host: '127.0.0.1',
    port: router.port,
    path: options.path ?? '/',
    method: options.method ?? 'GET',
    setHost: false,
    agent: false,
    headers: { ...(options.host === null ? {} : { host: options.host }), ...options.headers },
  });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') };
}

/** A router over a fresh table, plus everything to close after the test. */
export interface RouterRig {
  table: RoutingTable;
  router: Router;
  close(): Promise<void>;
}

/** Starts a router on a new, empty table. */
export async function startRig(options: { deadBackendMs?: number } = {}): Promise<RouterRig> {
  const table = new RoutingTable();
  const router = await startRouter({ table, ...options });
  return { table, router, close: () => router.close() };
}
