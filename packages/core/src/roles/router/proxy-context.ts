import type { Agent } from 'node:http';
import type { Logger } from 'pino';
import type { DeadBackends } from './dead-backends';
import type { RouterStatsCollector } from './router-stats';
import type { RoutingTable } from './routing-table';

/** What the HTTP and websocket proxies share within one router. */
export interface ProxyContext {
  readonly table: RoutingTable;
  /** Keep-alive pool for upstream HTTP connections. */
  readonly agent: Agent;
  readonly dead: DeadBackends;
  readonly stats: RouterStatsCollector;
  readonly logger: Logger;
  /** Milliseconds a backend connection may take before it counts as refused. */
  readonly connectTimeoutMs: number;
  /** Logs a client request stream's error (one function for all requests: no closure per request). */
  readonly onClientRequestError: (error: Error) => void;
  /** Logs a client response stream's error. */
  readonly onClientResponseError: (error: Error) => void;
}

/** Errors of the connect phase: the backend never saw a byte, so another instance may be tried. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
]);

/** Whether `error` is a failure to connect (as opposed to a failure after the backend got the request). */
export function isConnectError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code !== undefined && CONNECT_ERRORS.has(code);
}

/** The error a connection attempt is destroyed with when it outlives the connect timeout. */
export function connectTimeoutError(ms: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`Backend did not accept the connection within ${ms} ms.`);
  error.code = 'ETIMEDOUT';
  return error;
}

/** A short plain-text body for an error the router itself answers. */
export function errorText(status: number, detail: string): string {
  return `${status} ${detail}\n`;
}
