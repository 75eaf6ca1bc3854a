import { createHash, randomBytes } from 'node:crypto';
import type { AuthPrincipal } from '../../../kernel/providers/auth';

/** Default life of a console session: 12 hours from login. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** A logged-in browser: who it acts as (permissions are read again on every request) and its CSRF token. */
export interface Session {
  readonly principal: Readonly<AuthPrincipal>;
  /** Sent back by the browser in the CSRF header on every state-changing request. */
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const token = () => randomBytes(32).toString('base64url');

/**
 * The pacemaker's sessions, in its memory (there is one pacemaker; a restart logs browsers out).
 * Kept by the hash of the cookie value, so a heap dump shows no usable cookie.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;

  constructor(ttlMs = DEFAULT_SESSION_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** Starts a session; resolves with the cookie value (shown once, never stored) and the session. */
  create(principal: AuthPrincipal): { cookieValue: string; session: Session } {
    const now = Date.now();
    for (const [key, session] of this.#sessions)
      if (session.expiresAt.getTime() <= now) this.#sessions.delete(key);
    const cookieValue = token();
    const session: Session = {
      principal: { ...principal },
      csrfToken: token(),
      expiresAt: new Date(now + this.#ttlMs),
    };
    this.#sessions.set(digest(cookieValue), session);
    return { cookieValue, session };
  }

  /** The live session of a cookie value; undefined when unknown, ended or expired. */
  find(cookieValue: string): Session | undefined {
    const key = digest(cookieValue);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAt.getTime() > Date.now()) return session;
    this.#sessions.delete(key);
    return undefined;
  }

  /** Ends the session of a cookie value (logout); true when there was one. */
  end(cookieValue: string): boolean {
    return this.#sessions.delete(digest(cookieValue));
  }

  /** Ends every session of a user (disabled, deleted). */
  endAllOf(userId: string): void {
    for (const [key, session] of this.#sessions)
      if (session.principal.userId === userId) this.#sessions.delete(key);
  }
}
