import { PaasmakerError } from '../../kernel/errors';
import type { ServiceCredentials } from '../../kernel/providers/service-provider';
import type { ApiContext } from './api-route';

/** How long a service plugin may take to remove a resource. */
const DEPROVISION_TIMEOUT_MS = 60_000;

/**
 * Deletes a service no version is bound to, after its plugin removed the resource behind it
 * (a database and its user, say). `E_MODEL_CONFLICT` while versions are bound;
 * `E_PROVIDER_UNKNOWN` when the plugin that made it is not loaded, as its resource would be
 * left behind. A service that never became `AVAILABLE` has no resource and is just deleted.
 */
export async function removeService({ model, hooks, log }: ApiContext, serviceId: number): Promise<void> {
  const service = await model.services.get(serviceId);
  const versions = await model.versions.boundToService(serviceId);
  if (versions.length > 0)
    throw new PaasmakerError(
      'E_MODEL_CONFLICT',
      `Service ${service.name} is bound to ${versions.length} version(s) (ids ${versions.join(', ')}); delete them first.`,
    );
  if (service.state === 'AVAILABLE') {
    const provider = hooks.service.find(service.provider);
    if (!provider)
      throw new PaasmakerError(
        'E_PROVIDER_UNKNOWN',
        `Service ${service.name} was made by ${service.provider}, which this pacemaker has not loaded; load it to remove the service.`,
      );
    // Marked first, so a deploy meanwhile makes a new resource rather than reusing this one.
    await model.services.update(serviceId, { state: 'DELETING' });
    try {
      await provider.deprovision(
        { serviceName: service.name, credentials: service.credentials as ServiceCredentials },
        {
          log: log.child({ serviceId, provider: service.provider }),
          signal: AbortSignal.timeout(DEPROVISION_TIMEOUT_MS),
        },
      );
    } catch (error) {
      await model.services.update(serviceId, { state: 'AVAILABLE' });
      throw error;
    }
  }
  await model.services.delete(serviceId);
}
