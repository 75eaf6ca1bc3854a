import type { FastifyInstance } from 'fastify';

/**
 * The pacemaker's HTTP server as a plugin sees it (the `pacemakerHttp` hook): mount pages or
 * static files on it, the way `@paasmaker/console` mounts the web console.
 */
export interface PacemakerHttp {
  /**
   * The fastify instance. Routes below {@link PacemakerHttp.apiPrefix} need a rule in the route
   * permission table; routes elsewhere are the plugin's own and get no authentication.
   */
  readonly server: FastifyInstance;
  /** The prefix of every API route, `/api/v1`. */
  readonly apiPrefix: string;
  /** The job stream websocket's path, `/api/v1/jobs/stream`. */
  readonly jobStreamPath: string;
  /** Name of the session cookie the API accepts (see `docs/api.md`, Sessions). */
  readonly sessionCookie: string;
  /** The request header that carries a session's CSRF token on state-changing requests. */
  readonly csrfHeader: string;
}
