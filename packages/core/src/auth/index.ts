export { constantTimeEqual } from '../kernel/constant-time-equal';
export { API_KEY_PATTERN, type ApiKeyAuthModel, apiKeyAuthPlugin } from './api-key-auth-plugin';
export { AUTH_STAGES } from './auth-stages';
export {
  MIN_CLUSTER_TOKEN_LENGTH,
  nodeTokenAuthPlugin,
  superTokenAuthPlugin,
} from './cluster-token-auth-plugins';
export {
  type InternalAuthModel,
  type InternalAuthOptions,
  type InternalAuthTiming,
  internalAuthPlugin,
} from './internal-auth-plugin';
export { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
export {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  passwordNeedsRehash,
  type ScryptCost,
  type StoredPassword,
  verifyPassword,
} from './password-hash';
