import type { KernelHooks } from '../../kernel/kernel-hooks';
import type {
  InstanceEnvironment,
  InstanceEnvironmentContext,
} from '../../kernel/providers/instance-environment';
import type { InstanceRegistration } from './heart-types';

/**
 * The environment an instance starts with: `base` (the tenant's allow-listed variables, never
 * the heart's whole environment), then the pacemaker's variables, then `PORT` and `PM_PORT`
 * (not for standalone instances), then whatever the `instanceEnvironment` waterfall's taps
 * make of it.
 */
export async function buildInstanceEnvironment(
  hooks: KernelHooks,
  registration: InstanceRegistration,
  port: number | null,
  base: Readonly<Record<string, string>>,
): Promise<InstanceEnvironment> {
  const environment: InstanceEnvironment = { ...base, ...registration.environment };
  if (port !== null) {
    environment.PORT = String(port);
    environment.PM_PORT = String(port);
  }
  return hooks.instanceEnvironment.promise(environment, environmentContext(registration, port));
}

/** Which instance an environment is built for, as the waterfall's taps see it. */
export function environmentContext(
  registration: InstanceRegistration,
  port: number | null,
): InstanceEnvironmentContext {
  const { application } = registration;
  return {
    workspace: application.workspace,
    application: application.name,
    version: application.version,
    instanceType: application.instanceType,
    instanceId: registration.instanceId,
    ...(port === null ? {} : { port }),
  };
}
