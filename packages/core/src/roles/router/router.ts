import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, pino } from 'pino';
import { DeadBackends } from './dead-backends';
import type { ProxyContext } from './proxy-context';
import { proxyHttp } from './proxy-http';
import { proxyUpgrade } from './proxy-upgrade';
import { type RouterStats, RouterStatsCollector } from './router-stats';
import { RouterStatsFlusher } from './router-stats-flusher';
import type { RouterStatsStore } from './router-stats-store';
import type { RoutingTable } from './routing-table';
import { UpstreamAgent } from './upstream-agent';

/** Options of {@link startRouter}. */
export interface RouterOptions {
  /** The table requests are routed by; changes apply to the next request. */
  table: RoutingTable;
  /** Address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0 (a free port, see {@link Router.port}). */
  port?: number;
  /** Where proxy errors are logged; default silent. */
  logger?: Logger;
  /**
   * Milliseconds a backend may take to accept a connection before it is marked dead (see
   * `deadBackendMs`) and another instance is tried; default {@link DEFAULT_CONNECT_TIMEOUT_MS}.
   * An instance on a lost machine answers nothing at all, so this bounds what each request pays.
   */
  connectTimeoutMs?: number;
  /** How long an instance that refused a connection is tried last; default 2 000 ms. */
  deadBackendMs?: number;
  /** Pooled upstream connections per instance; default 256. */
  maxSocketsPerBackend?: number;
  /** Where the per-minute stats go (the pacemaker API reads them there); none by default. */
  statsStore?: RouterStatsStore;
  /** Milliseconds between additions to `statsStore`; default 1 000, as the nginx router. */
  statsFlushMs?: number;
}

/** Default of {@link RouterOptions.connectTimeoutMs}: loopback and LAN backends connect in well under it. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1500;

/** A running built-in router (a Node HTTP reverse proxy). */
export interface Router {
  /** `http://host:port` the router listens on. */
  readonly url: string;
  /** The port it listens on (the chosen one when started with port 0). */
  readonly port: number;
  /** Counters since start; see {@link RouterStats}. */
  stats(): RouterStats;
  /** Adds the counts not yet added to {@link RouterOptions.statsStore} now (none without a store). */
  flushStats(): Promise<void>;
  /** Stops listening, cuts open connections and websockets, and empties the upstream pool. */
  close(): Promise<void>;
}

/**
 * Starts the built-in router: routes each request by its `Host` header through `table` (exact
 * hostname, then one wildcard level) to a random instance, streaming bodies, passing websockets
 * through, and setting `X-Forwarded-For`/`-Host`/`-Port`/`-Proto`. See `docs/router.md`.
 */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const logger = (options.logger ?? pino({ enabled: false })).child({ component: 'router' });
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const agent = new UpstreamAgent(
    {
      keepAlive: true,
      maxSockets: options.maxSocketsPerBackend ?? 256,
      maxFreeSockets: 64,
      scheduling: 'lifo',
    },
    connectTimeoutMs,
  );
  const stats = new RouterStatsCollector();
  const flusher = options.statsStore
    ? new RouterStatsFlusher(stats, options.statsStore, options.statsFlushMs ?? 1000, logger)
    : undefined;
  const context: ProxyContext = {
    table: options.table,
    agent,
    dead: new DeadBackends(options.deadBackendMs ?? 2000),
    stats,
    logger,
    connectTimeoutMs,
    onClientRequestError: (error) => logger.debug({ err: error }, 'client request error'),
    onClientResponseError: (error) => logger.debug({ err: error }, 'client response error'),
  };
  const upgraded = new Set<Duplex>();
  // No overall request deadline (uploads and long polls take what they need); a missing Host is
  // answered by the router (400, counted as uncaught) rather than by Node itself.
  const server = createServer({ requestTimeout: 0, requireHostHeader: false }, (request, response) =>
    proxyHttp(context, request, response),
  );
  server.on('upgrade', (request, socket: Duplex, head: Buffer) =>
    proxyUpgrade(context, request, socket, head, upgraded),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'router server error'));
  const address = server.address() as AddressInfo;
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ url: `http://${hostname}:${address.port}` }, 'router listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname}:${address.port}`,
    port: address.port,
    stats: () => stats.snapshot(),
    flushStats: async () => flusher?.flush(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        agent.destroy();
      }).then(() => flusher?.close());
      return closing;
    },
  };
}
