import { definePlugin, KERNEL_API_VERSION } from '../kernel/plugin-definition';
import type { ServiceProvider } from '../kernel/providers/service-provider';

/** Name of the parameters service (and of its plugin). */
export const PARAMETERS_SERVICE = 'paasmaker.service.parameters';

/**
 * The original's passthrough service: its credentials are exactly the manifest's parameters
 * (plus `protocol: parameters` unless given), so settings reach the app through `PM_SERVICES`.
 * Provisioning again applies changed parameters; removing it removes nothing.
 */
export const parametersServiceProvider: ServiceProvider = {
  parametersSchema: { type: 'object' },
  async provision(request) {
    return { protocol: 'parameters', ...request.parameters };
  },
  async deprovision() {},
};

/** Registers {@link parametersServiceProvider} as `paasmaker.service.parameters`. */
export const parametersServicePlugin = definePlugin({
  name: PARAMETERS_SERVICE,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.service.for(PARAMETERS_SERVICE).tap(PARAMETERS_SERVICE, () => parametersServiceProvider);
  },
});
