import { isPaasmakerError } from '../kernel/errors';
import { definePlugin, KERNEL_API_VERSION, type PluginDefinition } from '../kernel/plugin-definition';
import type { AuthDecision } from '../kernel/providers/auth';
import { INTERNAL_AUTH_SOURCE } from '../model/model-states';
import type { User } from '../model/user-repository';
import { AUTH_STAGES } from './auth-stages';
import { LoginThrottle } from './login-throttle';
import { hashPassword, type StoredPassword, verifyPassword } from './password-hash';

/** What the internal auth plugin needs from the organisation model (a `Model` will do). */
export interface InternalAuthModel {
  readonly users: { findByLogin(login: string): Promise<User | undefined> };
}

/** Clock and sleep of the internal auth plugin; replace them in tests to observe the delays. */
export interface InternalAuthTiming {
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Waits `ms` milliseconds (default a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const NAME = INTERNAL_AUTH_SOURCE;
const WRONG = 'unknown user or wrong password';

const options = {
  type: 'object',
  properties: {
    failureDelayMs: { type: 'integer', minimum: 0, default: 250 },
    maxFailureDelayMs: { type: 'integer', minimum: 0, default: 15_000 },
    failureWindowMs: { type: 'integer', minimum: 1, default: 15 * 60_000 },
    maxTrackedLogins: { type: 'integer', minimum: 1, default: 10_000 },
  },
  additionalProperties: false,
} as const;

/** Options of `paasmaker.auth.internal`, after defaults. */
export interface InternalAuthOptions {
  /** Delay after one failure of a login; doubles with each further failure (default 250). */
  failureDelayMs: number;
  /** The cap on that delay (default 15 000). */
  maxFailureDelayMs: number;
  /** Failures are forgotten this long after the login's last attempt (default 15 minutes). */
  failureWindowMs: number;
  /** Logins whose failures are remembered at most (default 10 000). */
  maxTrackedLogins: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The `paasmaker.auth.internal` plugin for a model: checks a username and password against the
 * users whose auth source is `paasmaker.auth.internal` (passwords from {@link hashPassword}).
 * Disabled users are rejected; repeated failures of one login are slowed down (see
 * `LoginThrottle`); an unknown login costs one scrypt of a dummy hash, like a wrong password.
 * Returns `undefined` for tokens and for users of another auth source.
 */
export function internalAuthPlugin(
  model: InternalAuthModel,
  timing: InternalAuthTiming = {},
): PluginDefinition<InternalAuthOptions> {
  const now = timing.now ?? Date.now;
  const sleep = timing.sleep ?? wait;
  return definePlugin({
    name: NAME,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    options,
    async setup(kernel, settings) {
      const throttle = new LoginThrottle({
        baseDelayMs: settings.failureDelayMs,
        maxDelayMs: settings.maxFailureDelayMs,
        windowMs: settings.failureWindowMs,
        maxTrackedLogins: settings.maxTrackedLogins,
        now,
      });
      // Checked for logins with no usable hash, so they take as long as a wrong password.
      const dummy = await hashPassword('paasmaker dummy password');

      const check = async (password: string, stored: StoredPassword, user?: User): Promise<boolean> => {
        try {
          return await verifyPassword(password, stored);
        } catch (error) {
          if (!isPaasmakerError(error, 'E_AUTH_PASSWORD_PARAMETERS')) throw error;
          kernel.log.error({ err: error, userId: user?.id }, 'user has an unusable password hash');
          await verifyPassword(password, dummy);
          return false;
        }
      };

      kernel.hooks.auth.tapPromise(
        { name: NAME, stage: AUTH_STAGES.internal },
        async (credentials): Promise<AuthDecision | undefined> => {
          if (credentials.kind !== 'password') return undefined;
          const user = await model.users.findByLogin(credentials.username);
          if (user && user.authSource !== INTERNAL_AUTH_SOURCE) return undefined;

          const delay = throttle.begin(credentials.username);
          if (delay > 0) {
            kernel.log.info(
              { login: credentials.username, delayMs: delay },
              'slowing down repeated login failures',
            );
            await sleep(delay);
          }
          const stored =
            user?.passwordHash && user.passwordParameters
              ? { passwordHash: user.passwordHash, passwordParameters: user.passwordParameters }
              : undefined;
          const matches = stored
            ? await check(credentials.password, stored, user)
            : await verifyPassword(credentials.password, dummy).then(() => false);
          if (!user || !matches) return { outcome: 'rejected', reason: WRONG };
          if (!user.enabled) return { outcome: 'rejected', reason: `user ${user.login} is disabled` };
          throttle.succeeded(credentials.username);
          return {
            outcome: 'authenticated',
            principal: { kind: 'user', userId: String(user.id), source: NAME },
          };
        },
      );
    },
  });
}
