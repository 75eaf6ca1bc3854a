import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { JobEngine } from '../../jobs/job-engine';
import { JobStreamServer } from '../../jobs/logs/job-stream-server';
import { isPaasmakerError, PaasmakerError } from '../../kernel/errors';
import type { KernelHooks } from '../../kernel/kernel-hooks';
import type { RoleRepository } from '../../model/role-repository';
import { type ApiCaller, authenticateCaller, credentialsFromHeader } from './api-caller';
import { API_ERROR_STATUS } from './api-errors';
import { enforceRouteRule, type WorkspaceResolver } from './permission-guard';
import type { RouteKey, RoutePermissionTable } from './route-permissions';

/**
 * Routes whose success may take credentials or grants away (a key revoked, a user disabled or
 * deleted, a role or allocation changed or removed, a workspace deleted): open job streams are
 * checked again right after them.
 */
export const CREDENTIAL_CHANGING_ROUTES: ReadonlySet<RouteKey> = new Set<RouteKey>([
  'PATCH /users/:userId',
  'DELETE /users/:userId',
  'DELETE /users/:userId/api-keys/:apiKeyId',
  'PATCH /roles/:roleId',
  'DELETE /roles/:roleId',
  'DELETE /role-allocations/:allocationId',
  'DELETE /workspaces/:workspaceId',
  'DELETE /session',
]);

/** What {@link servePacemakerJobStream} needs. */
export interface PacemakerJobStreamOptions {
  /** The API's HTTP server: the stream is served on its websocket upgrades. */
  readonly server: Server;
  /** The stream's path; upgrades to any other path get 404. */
  readonly path: string;
  readonly hooks: Pick<KernelHooks, 'auth'>;
  readonly roles: Pick<RoleRepository, 'permissionsOf'>;
  readonly jobs: JobEngine;
  /** The route table: `GET /jobs/stream` admits a client, `GET /jobs/:jobId/tree` each subscription. */
  readonly routes: RoutePermissionTable;
  readonly resolver: WorkspaceResolver;
  /** Authenticates a client from its upgrade request's headers (the API's session cookie, say); default its `Authorization` header. */
  readonly authenticate?: (request: IncomingMessage) => Promise<ApiCaller>;
  /** The node token, to relay logs kept by other nodes. */
  readonly relayToken?: string;
  /** How often open connections are checked again (default the stream server's). */
  readonly revalidateIntervalMs?: number;
  readonly log: Logger;
}

function pathOf(request: IncomingMessage): string | undefined {
  try {
    return new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, message?: string): void {
  const body = message ? JSON.stringify({ error: { code: reason, message } }) : '';
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
}

/**
 * The pacemaker's job stream: a websocket upgrade of the API's own server, after the same
 * authentication and the rule of `GET /jobs/stream` (checked here, asynchronously, before the
 * stream server sees it). Each subscription is held to the rule of `GET /jobs/:jobId/tree`, so
 * workspace-scoped callers follow only their workspaces' jobs. The credentials are authenticated
 * again before every subscription and periodically, so a revoked key, a disabled user or a
 * removed role ends the connection. Passwords are refused: checking one again on every
 * subscription would cost a scrypt each time and count against the login throttles.
 */
export function servePacemakerJobStream(options: PacemakerJobStreamOptions): JobStreamServer {
  const { hooks, roles, routes, resolver, log } = options;
  const streamRule = routes['GET /jobs/stream'];
  const followRule = routes['GET /jobs/:jobId/tree'];
  if (!streamRule || !followRule)
    throw new PaasmakerError(
      'E_API_ROUTE_UNGUARDED',
      'The job stream routes are missing from the route table.',
    );
  const callers = new WeakMap<IncomingMessage, ApiCaller>();

  // Authenticates and authorises the client again; the caller it finds decides its subscriptions.
  const admit = async (request: IncomingMessage): Promise<void> => {
    const header = request.headers.authorization;
    if (credentialsFromHeader(header)?.kind === 'password')
      throw new PaasmakerError(
        'E_API_UNAUTHENTICATED',
        'The job stream takes Authorization: Bearer <API key or token>, not a password.',
      );
    const caller = options.authenticate
      ? await options.authenticate(request)
      : await authenticateCaller(header, hooks, roles);
    await enforceRouteRule(streamRule, caller, {}, resolver);
    callers.set(request, caller);
  };

  const jobStream = new JobStreamServer({
    nodeId: options.jobs.nodeId,
    logs: options.jobs.logs,
    store: options.jobs.store,
    relayToken: options.relayToken,
    log,
    revalidate: admit,
    revalidateIntervalMs: options.revalidateIntervalMs,
    mayFollow: async (request, jobId) => {
      const caller = callers.get(request);
      if (!caller) return false;
      try {
        await enforceRouteRule(followRule, caller, { jobId }, resolver);
        return true;
      } catch (error) {
        if (isPaasmakerError(error, 'E_API_FORBIDDEN')) return false;
        throw error;
      }
    },
  });
  const upgrades = createServer();
  jobStream.attach(upgrades, options.path);
  options.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug({ err: error }, 'job stream socket error'));
    if (pathOf(request) !== options.path) {
      refuseUpgrade(socket, 404, 'E_API_ROUTE_NOT_FOUND', 'No websocket at this path.');
      return;
    }
    admit(request).then(
      () => {
        if (!socket.destroyed) upgrades.emit('upgrade', request, socket, head);
      },
      (error: unknown) => {
        if (isPaasmakerError(error)) {
          const status = API_ERROR_STATUS[error.code] ?? 503;
          if (status < 500) return refuseUpgrade(socket, status, error.code, error.message);
        }
        log.error({ err: error }, 'job stream authentication failed');
        refuseUpgrade(socket, 503, 'E_API_INTERNAL', 'The pacemaker could not check the credentials.');
      },
    );
  });
  return jobStream;
}
