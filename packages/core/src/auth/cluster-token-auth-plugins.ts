import { constantTimeEqual } from '../kernel/constant-time-equal';
import type { KernelHooks } from '../kernel/kernel-hooks';
import { definePlugin, KERNEL_API_VERSION } from '../kernel/plugin-definition';
import type { AuthDecision } from '../kernel/providers/auth';
import { AUTH_STAGES } from './auth-stages';

/** The shortest super or node token accepted: 32 characters. */
export const MIN_CLUSTER_TOKEN_LENGTH = 32;

const tokenOptions = {
  type: 'object',
  properties: { token: { type: 'string', minLength: MIN_CLUSTER_TOKEN_LENGTH } },
  required: ['token'],
  additionalProperties: false,
} as const;

function tapClusterToken(hooks: KernelHooks, name: string, token: string, kind: 'super' | 'node'): void {
  hooks.auth.tapPromise(
    { name, stage: AUTH_STAGES.clusterToken },
    async (credentials): Promise<AuthDecision | undefined> =>
      credentials.kind === 'token' && constantTimeEqual(credentials.token, token)
        ? { outcome: 'authenticated', principal: { kind, source: name } }
        : undefined,
  );
}

/**
 * `paasmaker.auth.supertoken`: the cluster's super token (option `token`, at least 32
 * characters), compared in constant time, authenticates as principal kind `super` (every
 * permission). Any other token is left to the next plugin.
 */
export const superTokenAuthPlugin = definePlugin({
  name: 'paasmaker.auth.supertoken',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: tokenOptions,
  setup(kernel, options) {
    tapClusterToken(kernel.hooks, 'paasmaker.auth.supertoken', options.token, 'super');
  },
});

/**
 * `paasmaker.auth.nodetoken`: the cluster's node token (option `token`, at least 32 characters),
 * compared in constant time, authenticates as principal kind `node` (node registration and
 * reports only). Any other token is left to the next plugin.
 */
export const nodeTokenAuthPlugin = definePlugin({
  name: 'paasmaker.auth.nodetoken',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: tokenOptions,
  setup(kernel, options) {
    tapClusterToken(kernel.hooks, 'paasmaker.auth.nodetoken', options.token, 'node');
  },
});
