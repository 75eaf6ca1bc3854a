import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { upstreamHeaders } from './forwarded-headers';
import { connectTimeoutError, errorText, isConnectError, type ProxyContext } from './proxy-context';
import type { Route, RouteLookup } from './route';
import { pickRoute } from './route-picker';

/**
 * Passes an upgrade request (websockets) through: the same lookup and retry rules as HTTP, then
 * the request head is written to a raw TCP connection to the instance and bytes are piped both
 * ways until either side closes. `open` tracks the sockets so the router can cut them on close.
 */
export function proxyUpgrade(
  context: ProxyContext,
  request: IncomingMessage,
  client: Duplex,
  head: Buffer,
  open: Set<Duplex>,
): void {
  const started = performance.now();
  track(open, client);
  client.on('error', (error) => context.logger.debug({ err: error }, 'upgrade client socket error'));
  const host = request.headers.host;
  const found = host ? context.table.lookup(host) : null;
  const refusal = refusalFor(found);
  if (refusal || !found) {
    const status = refusal?.status ?? 400;
    const bytes = reject(client, status, refusal?.detail ?? '');
    context.stats.record(null, status, bytes, null);
    return;
  }

  const tried = new Set<string>();
  const requestBytes = Buffer.concat([requestHead(request), head]);
  let last: Route | null = null;
  const attempt = (): void => {
    const route = pickRoute(found.routes, tried, context.dead);
    if (!route) {
      const bytes = reject(client, 502, 'Bad Gateway: no instance accepted the connection.');
      context.stats.record(last, 502, bytes, performance.now() - started, true);
      return;
    }
    tried.add(route.instanceId);
    last = route;
    connectBackend(route);
  };

  const connectBackend = (route: Route): void => {
    if (client.destroyed) return;
    const backend = connect({ host: route.host, port: route.port });
    const timer = setTimeout(
      () => backend.destroy(connectTimeoutError(context.connectTimeoutMs)),
      context.connectTimeoutMs,
    );
    let connected = false;
    backend.on('error', (error) => {
      clearTimeout(timer);
      if (!connected && isConnectError(error) && !client.destroyed) {
        context.dead.mark(route.instanceId);
        context.logger.warn(
          { err: error, instanceId: route.instanceId },
          'backend refused upgrade; trying another instance',
        );
        attempt();
        return;
      }
      context.logger.debug({ err: error, instanceId: route.instanceId }, 'upgrade backend socket error');
      client.destroy();
    });
    backend.once('connect', () => {
      clearTimeout(timer);
      connected = true;
      context.dead.clear(route.instanceId);
      relay(context, route, client, backend, requestBytes, open, started);
    });
  };
  attempt();
}

function relay(
  context: ProxyContext,
  route: Route,
  client: Duplex,
  backend: Socket,
  head: Buffer,
  open: Set<Duplex>,
  started: number,
): void {
  track(open, backend);
  let status = 0;
  let bytes = 0;
  let timeMs: number | null = null;
  backend.on('data', (chunk: Buffer) => {
    if (timeMs === null) {
      timeMs = performance.now() - started;
      status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0);
    }
    bytes += chunk.length;
  });
  let recorded = false;
  const finish = (): void => {
    client.destroy();
    backend.destroy();
    if (recorded) return;
    recorded = true;
    // No status line from the backend: the 502 is the router's.
    context.stats.record(route, status || 502, bytes, timeMs, status === 0);
  };
  client.on('close', finish);
  backend.on('close', finish);
  backend.write(head);
  client.pipe(backend);
  backend.pipe(client);
}

function refusalFor(found: RouteLookup | null): { status: number; detail: string } | null {
  if (!found) return { status: 400, detail: 'Bad Request: no Host header.' };
  if (!found.known) return { status: 404, detail: `Not Found: no route for ${found.hostname}.` };
  if (found.routes.length === 0)
    return { status: 503, detail: `Service Unavailable: no instances for ${found.hostname}.` };
  return null;
}

function requestHead(request: IncomingMessage): Buffer {
  const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
  for (const [name, value] of Object.entries(upstreamHeaders(request, true))) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

function reject(socket: Duplex, status: number, detail: string): number {
  const body = errorText(status, detail);
  const length = Buffer.byteLength(body);
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return 0;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${length}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  return length;
}

function track(open: Set<Duplex>, socket: Duplex): void {
  open.add(socket);
  socket.once('close', () => open.delete(socket));
}
