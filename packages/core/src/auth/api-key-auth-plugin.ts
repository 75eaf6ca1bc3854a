import { definePlugin, KERNEL_API_VERSION, type PluginDefinition } from '../kernel/plugin-definition';
import type { AuthDecision } from '../kernel/providers/auth';
import type { ApiKey, User } from '../model/user-repository';
import { AUTH_STAGES } from './auth-stages';

/** What the API key auth plugin needs from the organisation model (a `Model` will do). */
export interface ApiKeyAuthModel {
  readonly users: { findApiKey(key: string): Promise<{ apiKey: ApiKey; user: User } | undefined> };
}

const NAME = 'paasmaker.auth.apikey';

/** The shape of the keys `users.issueApiKey` makes: `pmk_<8 hex>_<43 base64url>` (256 bits). */
export const API_KEY_PATTERN = /^pmk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

/**
 * The `paasmaker.auth.apikey` plugin for a model: a token shaped like a user's API key is looked
 * up by its hash (the model records the use); unknown and revoked keys, and keys of disabled
 * users, are rejected. Other tokens and passwords are left to the next plugin.
 */
export function apiKeyAuthPlugin(model: ApiKeyAuthModel): PluginDefinition {
  return definePlugin({
    name: NAME,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      kernel.hooks.auth.tapPromise(
        { name: NAME, stage: AUTH_STAGES.apiKey },
        async (credentials): Promise<AuthDecision | undefined> => {
          if (credentials.kind !== 'token' || !API_KEY_PATTERN.test(credentials.token)) return undefined;
          const found = await model.users.findApiKey(credentials.token);
          if (!found) return { outcome: 'rejected', reason: 'unknown or revoked API key' };
          if (!found.user.enabled)
            return { outcome: 'rejected', reason: `user ${found.user.login} is disabled` };
          return {
            outcome: 'authenticated',
            principal: { kind: 'user', userId: String(found.user.id), source: NAME },
          };
        },
      );
    },
  });
}
