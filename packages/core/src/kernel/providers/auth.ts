/** Credentials presented to the API, offered to each `auth` tap in turn. */
export type AuthCredentials =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'token'; token: string };

/** Who a request acts as once authenticated. */
export interface AuthPrincipal {
  /** `user`: a user record's permissions apply; `super`: every permission; `node`: node calls only. */
  kind: 'user' | 'super' | 'node';
  /** The local user record's id, for `kind: 'user'`. */
  userId?: string;
  /** Name of the plugin that recognised the credentials. */
  source: string;
}

/**
 * A tap's verdict. Return `undefined` when the credentials are not yours (the next tap is
 * asked); return `rejected` when they are yours but wrong (no later tap is asked).
 */
export type AuthDecision =
  | { outcome: 'authenticated'; principal: AuthPrincipal }
  | { outcome: 'rejected'; reason: string };
