import type { FastifyRequest } from 'fastify';
import { PaasmakerError } from '../../../kernel/errors';
import type { AuthPrincipal } from '../../../kernel/providers/auth';
import type { ApiCaller } from '../api-caller';
import { currentSessionData, sessionData } from '../api-data-schemas';
import { type ApiRoute, defineRoute } from '../api-route';
import type { AuthenticatedRequest } from './session-authenticator';
import { sessionSetCookie } from './session-cookie';
import type { Session, SessionStore } from './session-store';

/** What the session routes need from the API. */
export interface SessionRoutesOptions {
  readonly store: SessionStore;
  /** The session a request was authenticated by, if any. */
  sessionOf(request: FastifyRequest): AuthenticatedRequest['session'];
  /** Whether the cookie is marked Secure; default: when the request came over https. */
  readonly secureCookie?: boolean;
}

const sessionView = (session: Session) => ({
  csrfToken: session.csrfToken,
  expiresAt: session.expiresAt.toISOString(),
  principal: { kind: session.principal.kind, userId: session.principal.userId ?? null },
});

function principalOf(caller: ApiCaller): AuthPrincipal {
  if (caller.kind === 'user') return { kind: 'user', userId: String(caller.userId), source: caller.source };
  if (caller.kind === 'super') return { kind: 'super', source: caller.source };
  throw new PaasmakerError('E_API_FORBIDDEN', 'Only users and the super token may start a session.');
}

/** Login, the current session, logout: how a browser gets and ends its session cookie (rules in `ROUTE_PERMISSIONS`). */
export function sessionRoutes(options: SessionRoutesOptions): ApiRoute<never, never, never>[] {
  const { store } = options;
  const secure = (request: FastifyRequest) => options.secureCookie ?? request.protocol === 'https';
  const routes = [
    defineRoute({
      method: 'POST',
      path: '/session',
      // The credentials come in the Authorization header; a body, if any, must be an empty object.
      schema: { body: { type: 'object', properties: {}, additionalProperties: false }, data: sessionData },
      async handler({ caller, request, reply }) {
        const previous = options.sessionOf(request);
        if (previous) store.end(previous.cookieValue);
        const { cookieValue, session } = store.create(principalOf(caller));
        reply.header(
          'set-cookie',
          sessionSetCookie(cookieValue, { secure: secure(request), expires: session.expiresAt }),
        );
        return sessionView(session);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/session',
      schema: { data: currentSessionData },
      async handler({ request }) {
        const current = options.sessionOf(request);
        return current ? sessionView(current.session) : null;
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/session',
      async handler({ request, reply }) {
        const current = options.sessionOf(request);
        if (current) store.end(current.cookieValue);
        reply.header('set-cookie', sessionSetCookie(undefined, { secure: secure(request) }));
        return undefined;
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
