import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireDriver } from '../../drivers/require-driver';
import { PaasmakerError } from '../../kernel/errors';
import { credentialsFromHeader } from './api-caller';

/** How many password attempts one client address may make in a time window. */
export interface LoginRateLimit {
  /** Password attempts allowed per address in a window (successful ones count too). */
  readonly max: number;
  /** The window, in milliseconds. */
  readonly timeWindowMs: number;
}

/** Default of `PacemakerApiOptions.loginRateLimit`: 30 password attempts per address per minute. */
export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { max: 30, timeWindowMs: 60_000 };

/**
 * Limits password attempts (HTTP basic credentials) per client address with `@fastify/rate-limit`,
 * beside the internal auth plugin's per-login throttle: spraying one password over many users
 * is slowed only by scrypt otherwise. Returns the check to run before a request's credentials are
 * checked; beyond the limit it fails with 429 `E_API_LOGIN_RATE_LIMITED` and a `Retry-After`
 * header, before any password is hashed. Tokens and API keys are not counted: they cannot be guessed.
 * The count is per pacemaker process, by the address the connection comes from (behind a proxy,
 * the proxy's).
 */
export function limitLoginsPerAddress(
  server: FastifyInstance,
  limit: LoginRateLimit,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  void server.register(requireDriver('@fastify/rate-limit', 'the pacemaker API').fastifyRateLimit, {
    global: false,
  });
  let check: ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined;
  return async (request, reply) => {
    if (credentialsFromHeader(request.headers.authorization)?.kind !== 'password') return;
    // The plugin's decorator exists once the server has booted, before any request.
    check ??= server.rateLimit({
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (incoming) => incoming.ip,
      errorResponseBuilder: (_request, context) =>
        new PaasmakerError(
          'E_API_LOGIN_RATE_LIMITED',
          `Too many password attempts from this address (at most ${limit.max} in ${Math.ceil(limit.timeWindowMs / 1000)} s); retry in ${context.after}, or use an API key.`,
        ),
    }) as (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    await check(request, reply);
  };
}
