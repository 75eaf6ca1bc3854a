import { Ajv, type Options as AjvOptions } from 'ajv';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requireDriver } from '../../drivers/require-driver';
import type { JobEngine } from '../../jobs/job-engine';
import type { JobStreamServer } from '../../jobs/logs/job-stream-server';
import { PaasmakerError } from '../../kernel/errors';
import type { JsonObject } from '../../kernel/json-schema';
import type { Kernel } from '../../kernel/kernel';
import type { Model } from '../../model/create-model';
import type { RouterStatsStore } from '../router/router-stats-store';
import type { ApiCaller } from './api-caller';
import { handleApiError, handleUnknownRoute } from './api-errors';
import type { ApiContext, ApiRoute, ApiRouteSchema } from './api-route';
import type { DeployApi } from './deploy/deploy-api';
import { deployRoutes } from './deploy-routes';
import { instanceTypeRoutes } from './instance-type-routes';
import { jobRoutes, workspaceOfTags } from './job-routes';
import { useDepthLimitedJsonParser } from './json-body-parser';
import { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit, limitLoginsPerAddress } from './login-rate-limit';
import { NAMED_API_SCHEMAS } from './named-api-schemas';
import type { NodeRegistry } from './node-registry/node-registry';
import { nodeRoutes } from './node-routes';
import { buildOpenApiDocument, type DocumentedRoute } from './openapi-document';
import { CREDENTIAL_CHANGING_ROUTES, servePacemakerJobStream } from './pacemaker-job-stream';
import { enforceRouteRule, type WorkspaceResolver } from './permission-guard';
import { roleRoutes } from './role-routes';
import {
  ROUTE_PERMISSIONS,
  type RouteKey,
  type RoutePermissionTable,
  type RouteRule,
} from './route-permissions';
import { type AuthenticatedRequest, SessionAuthenticator } from './session/session-authenticator';
import { CSRF_HEADER, SESSION_COOKIE } from './session/session-cookie';
import { sessionRoutes } from './session/session-routes';
import { SessionStore } from './session/session-store';
import { statsRoutes } from './stats-routes';
import { userRoutes } from './user-routes';
import { workspaceRoutes } from './workspace-routes';

/** The prefix of every API route; a breaking change gets a new one. */
export const API_PREFIX = '/api/v1';

/** Default largest request body, in bytes: API bodies are small JSON documents. */
export const DEFAULT_API_BODY_LIMIT = 64 * 1024;

/** What {@link createPacemakerApi} needs. */
export interface PacemakerApiOptions {
  /** Its `auth` hook authenticates every request. */
  readonly kernel: Pick<Kernel, 'hooks' | 'log'>;
  readonly model: Model;
  readonly jobs: JobEngine;
  /** Request logs and internal errors go here; default the kernel's logger. */
  readonly logger?: Logger;
  /** Largest request body in bytes (larger: 413); default {@link DEFAULT_API_BODY_LIMIT}. */
  readonly bodyLimit?: number;
  /** Serves the node routes (register, report, stop); without it they answer 404. The API does not start or close it. */
  readonly nodes?: NodeRegistry;
  /** Deploys, version actions, uploads and packages; without it their routes answer 404. */
  readonly deploy?: DeployApi;
  /** Where the routers' per-minute stats are read (see docs/router.md); without it, the stats routes answer 404. */
  readonly routerStats?: RouterStatsStore;
  /** The node token: reaches other nodes for the job and instance logs they keep. */
  readonly nodeToken?: string;
  /** How often open job stream connections have their credentials checked again; default 60 000 ms. */
  readonly streamRevalidateIntervalMs?: number;
  /**
   * Password attempts allowed per client address (429 `E_API_LOGIN_RATE_LIMITED` beyond);
   * default {@link DEFAULT_LOGIN_RATE_LIMIT}, `false` for none.
   */
  readonly loginRateLimit?: LoginRateLimit | false;
  /** How long a browser session (`POST /session`) lasts; default 12 hours. */
  readonly sessionTtlMs?: number;
  /** Mark the session cookie Secure; default: when the login request came over https. */
  readonly secureSessionCookie?: boolean;
}

/** How long `close()` waits for requests in flight before cutting connections. */
const CLOSE_GRACE_MS = 2000;

/** The job stream websocket's path on the API server. */
export const JOB_STREAM_PATH = `${API_PREFIX}/jobs/stream`;

/** The pacemaker's HTTP API: a fastify server whose every route passes the route permission table. */
export interface PacemakerApi {
  /** The fastify instance; a route added to it directly under the prefix must be in {@link PacemakerApi.routes}. */
  readonly server: FastifyInstance;
  /** The table in force: the built-in rules and those of routes added with {@link PacemakerApi.addRoute}. */
  readonly routes: RoutePermissionTable;
  /**
   * Adds a route (a plugin's) with its rule, before `listen`; it gets the same authentication,
   * permission check, validation and error format as the built-in ones.
   */
  addRoute<P, B, Q>(route: ApiRoute<P, B, Q>, rule: RouteRule): void;
  /**
   * Fires the kernel's `pacemakerHttp` hook (the first time), then starts listening (default
   * 127.0.0.1, a free port); resolves with the base URL, `http://127.0.0.1:4321`.
   */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Serves the job stream at {@link JOB_STREAM_PATH} on this API's HTTP server. */
  readonly jobStream: JobStreamServer;
  /** Stops listening, closes job stream connections and waits for open requests. Closes neither the model, the job engine nor the node registry. */
  close(): Promise<void>;
}

interface RouteConfig {
  paasmakerRule?: RouteRule;
}

// Bodies are not coerced ("5" is not a number there); path and query strings are.
const ajvBase: AjvOptions = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

function ruleOf(request: FastifyRequest): RouteRule | undefined {
  return (request.routeOptions.config as RouteConfig | undefined)?.paasmakerRule;
}

/** Builds the pacemaker's HTTP API over a kernel (for `auth`), the model and the job engine. */
export function createPacemakerApi(options: PacemakerApiOptions): PacemakerApi {
  const { kernel, model, jobs } = options;
  const logger = (options.logger ?? kernel.log).child({ component: 'pacemaker-api' });
  const table: Record<RouteKey, RouteRule> = { ...ROUTE_PERMISSIONS };
  const documented: DocumentedRoute[] = [];
  const callers = new WeakMap<FastifyRequest, ApiCaller>();
  const sessions = new WeakMap<FastifyRequest, AuthenticatedRequest['session']>();
  const authenticator = new SessionAuthenticator({
    store: new SessionStore(options.sessionTtlMs),
    hooks: kernel.hooks,
    roles: model.roles,
    users: model.users,
  });

  const server = requireDriver('fastify', 'the pacemaker API', ['@fastify/rate-limit']).fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? DEFAULT_API_BODY_LIMIT,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => {
      request.log.info({ err: error }, 'malformed request');
      void (reply as FastifyReply)
        .code(400)
        .type('application/json; charset=utf-8')
        .send({
          error: { code: 'E_API_REQUEST_INVALID', message: 'The request URL or headers are malformed.' },
        });
    },
  });
  const bodyAjv = new Ajv({ ...ajvBase, coerceTypes: false });
  const stringAjv = new Ajv({ ...ajvBase, coerceTypes: true });
  server.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : stringAjv).compile(schema),
  );
  server.setErrorHandler(handleApiError);
  useDepthLimitedJsonParser(server);
  // Source uploads are streamed to a file by their route (with its own size limit), not parsed.
  server.addContentTypeParser('application/gzip', (_request, payload, done) => done(null, payload));
  server.setNotFoundHandler(handleUnknownRoute);

  // Every route under the prefix must have a rule: added without one, it fails to register.
  server.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const key = `${method} ${route.url.slice(API_PREFIX.length)}` as RouteKey;
      const rule = table[key];
      if (!rule)
        throw new PaasmakerError(
          'E_API_ROUTE_UNGUARDED',
          `${key} is not in the route permission table; add it with api.addRoute(route, rule).`,
        );
      route.config = { ...route.config, paasmakerRule: rule } as typeof route.config & RouteConfig;
    }
  });

  const limitLogins =
    options.loginRateLimit === false
      ? undefined
      : limitLoginsPerAddress(server, options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT);
  server.addHook('onRequest', async (request, reply) => {
    const rule = ruleOf(request);
    if (!rule) return;
    if (rule.callers === 'anonymous') {
      callers.set(request, { kind: 'anonymous' });
      return;
    }
    await limitLogins?.(request, reply);
    const authenticated = await authenticator.authenticate(request.method, request.headers);
    callers.set(request, authenticated.caller);
    sessions.set(request, authenticated.session);
  });

  const resolver: WorkspaceResolver = {
    workspaceOfApplication: async (id) => (await model.applications.get(id)).workspaceId,
    workspaceOfVersion: async (id) =>
      (await model.applications.get((await model.versions.get(id)).applicationId)).workspaceId,
    workspaceOfService: async (id) => (await model.services.get(id)).workspaceId,
    workspaceOfJob: async (id) => workspaceOfTags((await jobs.getTree((await jobs.getJob(id)).treeId)).tags),
  };
  server.addHook('preHandler', async (request) => {
    const rule = ruleOf(request);
    if (!rule) return;
    const caller = callers.get(request) ?? { kind: 'anonymous' };
    await enforceRouteRule(rule, caller, request.params as Record<string, unknown>, resolver);
  });

  function addRoute<P, B, Q>(route: ApiRoute<P, B, Q>, rule: RouteRule): void {
    const key = `${route.method} ${route.path}` as RouteKey;
    table[key] = rule;
    const schema: ApiRouteSchema = route.schema ?? {};
    const status = route.status ?? (route.method === 'DELETE' ? 204 : 200);
    documented.push({ key, rule, status, schema, produces: route.produces });
    // A body schema with no required property makes the body optional: none is taken as `{}`.
    const optionalBody = schema.body !== undefined && !schema.body.required?.length;
    server.route({
      method: route.method,
      url: `${API_PREFIX}${route.path}`,
      schema: schema as Record<string, unknown>,
      preValidation: async (request) => {
        if (optionalBody && request.body === undefined) request.body = {};
      },
      handler: async (request, reply) => {
        const data = await route.handler({
          caller: callers.get(request) ?? { kind: 'anonymous' },
          params: request.params as P,
          body: request.body as B,
          query: request.query as Q,
          request,
          reply,
        });
        // A handler that streamed its own response (a file) has sent it already.
        if (reply.sent || data === reply) return reply;
        if (route.produces) return reply.code(status).type(`${route.produces}; charset=utf-8`).send(data);
        if (data === undefined) return reply.code(204).send();
        return reply.code(status).send({ data });
      },
    });
  }

  const context: ApiContext = {
    hooks: kernel.hooks,
    log: logger,
    model,
    jobs,
    nodes: options.nodes,
    deploy: options.deploy,
    jobStreamPath: JOB_STREAM_PATH,
    nodeToken: options.nodeToken,
    routerStats: options.routerStats,
  };
  const sessionOptions = {
    store: authenticator.store,
    sessionOf: (request: FastifyRequest) => sessions.get(request),
    secureCookie: options.secureSessionCookie,
  };
  const sessionRoutesOf = () => sessionRoutes(sessionOptions);
  for (const routes of [
    workspaceRoutes,
    userRoutes,
    roleRoutes,
    jobRoutes,
    nodeRoutes,
    deployRoutes,
    instanceTypeRoutes,
    statsRoutes,
    sessionRoutesOf,
  ])
    for (const route of routes(context)) {
      const rule = table[`${route.method} ${route.path}` as RouteKey];
      if (!rule)
        throw new PaasmakerError('E_API_ROUTE_UNGUARDED', `${route.method} ${route.path} has no rule.`);
      addRoute(route, rule);
    }
  let openApi: JsonObject | undefined;
  addRoute(
    {
      method: 'GET',
      path: '/openapi.json',
      handler: async () => {
        openApi ??= buildOpenApiDocument(API_PREFIX, documented, NAMED_API_SCHEMAS);
        return openApi;
      },
    },
    ROUTE_PERMISSIONS['GET /openapi.json'],
  );

  const jobStream = servePacemakerJobStream({
    server: server.server,
    path: JOB_STREAM_PATH,
    hooks: kernel.hooks,
    roles: model.roles,
    jobs,
    routes: table,
    resolver,
    authenticate: async (request) => (await authenticator.authenticate('GET', request.headers)).caller,
    relayToken: options.nodeToken,
    revalidateIntervalMs: options.streamRevalidateIntervalMs,
    log: logger,
  });
  // A key revoked, a user disabled or a role taken away here ends the streams it no longer allows
  // at once; the periodic check catches changes made elsewhere.
  server.addHook('onResponse', async (request, reply) => {
    const key = `${request.method} ${request.routeOptions.url?.slice(API_PREFIX.length)}` as RouteKey;
    if (reply.statusCode < 400 && CREDENTIAL_CHANGING_ROUTES.has(key)) await jobStream.revalidate();
  });
  server.addHook('preClose', async () => {
    await jobStream.close();
  });

  let mounted = false;
  return {
    server,
    jobStream,
    routes: table,
    addRoute(route, rule) {
      openApi = undefined;
      addRoute(route, rule);
    },
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      if (!mounted) {
        mounted = true;
        await kernel.hooks.pacemakerHttp.promise({
          server,
          apiPrefix: API_PREFIX,
          jobStreamPath: JOB_STREAM_PATH,
          sessionCookie: SESSION_COOKIE,
          csrfHeader: CSRF_HEADER,
        });
      }
      await server.listen({ port, host });
      const address = server.server.address();
      if (!address || typeof address === 'string') return String(address);
      return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    },
    async close() {
      // Requests in flight get a grace period; then every connection is cut (a client may hold
      // one open without sending a request, which fastify's idle cleanup does not count as idle).
      const force = setTimeout(() => server.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await server.close();
      } finally {
        clearTimeout(force);
      }
    },
  };
}
