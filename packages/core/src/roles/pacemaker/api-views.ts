import type { ApiKey, User } from '../../model/user-repository';

/** A user as the API shows it: never the password hash or its parameters. */
export function userView(user: User) {
  return {
    id: user.id,
    login: user.login,
    email: user.email,
    name: user.name,
    authSource: user.authSource,
    enabled: user.enabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** An API key as the API shows it: its visible prefix, never its hash. */
export function apiKeyView(apiKey: ApiKey) {
  return {
    id: apiKey.id,
    userId: apiKey.userId,
    prefix: apiKey.prefix,
    label: apiKey.label,
    lastUsedAt: apiKey.lastUsedAt,
    revokedAt: apiKey.revokedAt,
    createdAt: apiKey.createdAt,
  };
}
