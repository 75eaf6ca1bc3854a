import type { IncomingHttpHeaders } from 'node:http';
import { constantTimeEqual } from '../../../kernel/constant-time-equal';
import { isPaasmakerError, PaasmakerError } from '../../../kernel/errors';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import type { RoleRepository } from '../../../model/role-repository';
import type { User } from '../../../model/user-repository';
import { type ApiCaller, authenticateCaller } from '../api-caller';
import { CSRF_HEADER, sessionCookieOf } from './session-cookie';
import type { Session, SessionStore } from './session-store';

/** What a request is authenticated from. */
export interface AuthenticatedRequest {
  readonly caller: ApiCaller;
  /** Set when the session cookie authenticated it (no `Authorization` header). */
  readonly session?: { readonly cookieValue: string; readonly session: Session };
}

/** What {@link SessionAuthenticator} needs. */
export interface SessionAuthenticatorOptions {
  readonly store: SessionStore;
  readonly hooks: Pick<KernelHooks, 'auth'>;
  readonly roles: Pick<RoleRepository, 'permissionsOf'>;
  readonly users: { get(id: number): Promise<User> };
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Authenticates API requests: the `Authorization` header through the `auth` hook, as before;
 * without one, the session cookie. A session acts exactly as its user would with an API key:
 * grants are read again on every request and a disabled or deleted user is refused. Requests
 * that may change state (not GET or HEAD) must carry the session's CSRF token.
 */
export class SessionAuthenticator {
  readonly #options: SessionAuthenticatorOptions;

  constructor(options: SessionAuthenticatorOptions) {
    this.#options = options;
  }

  get store(): SessionStore {
    return this.#options.store;
  }

  async authenticate(method: string, headers: IncomingHttpHeaders): Promise<AuthenticatedRequest> {
    const { hooks, roles, store } = this.#options;
    const cookieValue = headers.authorization ? undefined : sessionCookieOf(headers.cookie);
    if (!cookieValue) return { caller: await authenticateCaller(headers.authorization, hooks, roles) };
    const session = store.find(cookieValue);
    if (!session)
      throw new PaasmakerError('E_API_UNAUTHENTICATED', 'The session has ended or expired: log in again.');
    if (!SAFE_METHODS.has(method.toUpperCase())) {
      const sent = headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !constantTimeEqual(sent, session.csrfToken))
        throw new PaasmakerError(
          'E_API_FORBIDDEN',
          `A request authenticated by the session cookie needs the session's CSRF token in the ${CSRF_HEADER} header.`,
        );
    }
    return { caller: await this.#callerOf(cookieValue, session), session: { cookieValue, session } };
  }

  async #callerOf(cookieValue: string, session: Session): Promise<ApiCaller> {
    const { principal } = session;
    if (principal.kind !== 'user') return { kind: principal.kind, source: principal.source };
    const userId = Number(principal.userId);
    const user = await this.#options.users.get(userId).catch((error: unknown) => {
      if (isPaasmakerError(error, 'E_MODEL_NOT_FOUND')) return undefined;
      throw error;
    });
    if (!user?.enabled) {
      this.#options.store.end(cookieValue);
      throw new PaasmakerError('E_API_UNAUTHENTICATED', 'The session ended: its user is disabled or gone.');
    }
    return {
      kind: 'user',
      userId,
      grants: await this.#options.roles.permissionsOf(userId),
      source: principal.source,
    };
  }
}
