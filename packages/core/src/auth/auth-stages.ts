/**
 * The tapable `stage` each built-in `auth` plugin taps at (lower is asked first):
 *
 * - cluster tokens first: a constant-time compare with no database, and the super and node tokens
 *   must never reach a database lookup or a third-party plugin (which might log or forward them);
 * - API keys next: one indexed lookup by hash, for token credentials only;
 * - internal passwords last: scrypt is deliberately slow, and the internal plugin rejects any
 *   username it does not know, so external authenticators (LDAP...) tapping at the default stage 0
 *   are asked before it.
 */
export const AUTH_STAGES = Object.freeze({
  clusterToken: -20,
  apiKey: -10,
  internal: 10,
});
