import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Logger, pino } from 'pino';
import { requireDriver } from '../../drivers/require-driver';
import { constantTimeEqual } from '../../kernel/constant-time-equal';
import type { JobStore } from '../job-store';
import type { JobLogFiles } from './job-log-files';
import { serveJobLogRequest } from './job-log-http';
import { JobLogRelays } from './job-log-relays';
import { JobStreamConnection } from './job-stream-connection';
import { JobTreeEventFanout } from './job-tree-event-fanout';

/** The store methods a job stream server uses. */
export type JobStreamStore = Pick<JobStore, 'getJob' | 'getTree' | 'nodes' | 'subscribe'>;

/** Options of {@link JobStreamServer}. */
export interface JobStreamServerOptions {
  /** This node's id: logs of jobs assigned to it are local, even before they exist. */
  nodeId: string;
  logs: JobLogFiles;
  store: JobStreamStore;
  /** When set, clients must send `Authorization: Bearer <token>`; also used to reach other nodes. */
  token?: string;
  /** The token to reach other nodes' job streams with, when it is not {@link token}. */
  relayToken?: string;
  /**
   * Whether the client that upgraded with `request` may follow job `jobId` (a tree id is its root
   * job's id): asked before every log and tree subscription. Without it, any client may follow
   * any job.
   */
  mayFollow?: (request: IncomingMessage, jobId: string) => Promise<boolean>;
  /**
   * Checks again that the client that upgraded with `request` may still use the stream (its
   * credentials still authenticate and authorise): before every subscription, every
   * {@link revalidateIntervalMs} and on {@link JobStreamServer.revalidate}, when subscriptions
   * are also held to {@link mayFollow} again. Rejecting with `E_API_UNAUTHENTICATED` or
   * `E_API_FORBIDDEN` disconnects the client: it is sent that error, then close code 1008. Any
   * other rejection refuses the subscription at hand only (a periodic check logs it).
   */
  revalidate?: (request: IncomingMessage) => Promise<void>;
  /** How often every connection is checked with {@link revalidate}; default 60 000 ms. */
  revalidateIntervalMs?: number;
  log?: Logger;
}

/** Default of {@link JobStreamServerOptions.revalidateIntervalMs}. */
export const DEFAULT_REVALIDATE_INTERVAL_MS = 60_000;

/**
 * Handles a plain HTTP request to a node's job stream server: true when it answered it, false to
 * leave it (the server then asks for a websocket upgrade).
 */
export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Client messages are small; anything bigger is refused by the websocket layer. */
const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/**
 * Serves the job stream (see `job-stream-protocol.ts`) over websockets: job logs of this node,
 * logs of other nodes relayed from their own job streams, and job tree events from the store.
 */
export class JobStreamServer {
  private readonly wss = new (requireDriver('ws', 'the job stream server').WebSocketServer)({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
  });
  private readonly connections = new Set<JobStreamConnection>();
  private readonly detachers: Array<() => void> = [];
  private readonly relays: JobLogRelays;
  private readonly trees: JobTreeEventFanout;
  private readonly log: Logger;
  private ownServer: Server | undefined;
  private readonly revalidateTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: JobStreamServerOptions) {
    this.log = (options.log ?? pino({ level: 'silent' })).child({
      component: 'job-stream',
      nodeId: options.nodeId,
    });
    this.relays = new JobLogRelays({
      store: options.store,
      token: options.relayToken ?? options.token,
      log: this.log,
    });
    this.trees = new JobTreeEventFanout(options.store, this.log);
    if (options.revalidate) {
      const interval = options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_INTERVAL_MS;
      this.revalidateTimer = setInterval(() => void this.revalidate(), interval);
      this.revalidateTimer.unref();
    }
  }

  /**
   * Checks every connection's credentials and subscriptions again now (see
   * {@link JobStreamServerOptions.revalidate}); call it when credentials or grants were taken away.
   */
  async revalidate(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.revalidate()));
  }

  /** Serves the job stream on `server`'s websocket upgrades to `path`; other paths are left alone. */
  attach(server: Server, path = '/jobs/stream'): void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (pathOf(request) !== path) return;
      this.upgrade(request, socket, head);
    };
    server.on('upgrade', onUpgrade);
    this.detachers.push(() => server.off('upgrade', onUpgrade));
  }

  /**
   * Serves the job stream on a server of its own; `port` 0 picks a free port. Plain HTTP requests
   * (with the token, when one is set) may read a whole job log at `GET /jobs/<id>/log`; others
   * go to `onRequest`, and if it leaves them, are told to upgrade.
   */
  async listen(port: number, host = '127.0.0.1', onRequest?: NodeRequestHandler): Promise<{ url: string }> {
    const path = '/jobs/stream';
    const server = createServer((request, response) => {
      if (!this.authorized(request)) {
        response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        return;
      }
      if (serveJobLogRequest(this.options.logs, request, response) || onRequest?.(request, response)) return;
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      response.end(`Connect with a websocket to ${path}.\n`);
    });
    this.attach(server, path);
    server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      if (pathOf(request) !== path) reject(socket, 404, 'Not Found');
    });
    await new Promise<void>((resolve, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    this.ownServer = server;
    const address = server.address() as AddressInfo;
    const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `ws://${hostname}:${address.port}${path}` };
  }

  /** Disconnects every client and ends relays, store subscriptions, watches and its own server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.revalidateTimer);
    for (const detach of this.detachers) detach();
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    await Promise.all([this.relays.close(), this.trees.close()]);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const server = this.ownServer;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      reject(socket, 503, 'Service Unavailable');
      return;
    }
    if (!this.authorized(request)) {
      reject(socket, 401, 'Unauthorized');
      return;
    }
    const { mayFollow, revalidate } = this.options;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (this.closed) {
        ws.terminate();
        return;
      }
      const connection = new JobStreamConnection(ws, {
        nodeId: this.options.nodeId,
        logs: this.options.logs,
        store: this.options.store,
        relays: this.relays,
        trees: this.trees,
        log: this.log,
        mayFollow: mayFollow && ((jobId) => mayFollow(request, jobId)),
        revalidate: revalidate && (() => revalidate(request)),
      });
      this.connections.add(connection);
      ws.on('close', () => this.connections.delete(connection));
    });
  }

  private authorized(request: IncomingMessage): boolean {
    if (this.options.token === undefined) return true;
    return constantTimeEqual(request.headers.authorization ?? '', `Bearer ${this.options.token}`);
  }
}

function pathOf(request: IncomingMessage): string | undefined {
  try {
    return new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function reject(socket: Duplex, status: number, reason: string): void {
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
}
