import type { Model } from '../../../model/create-model';
import type { InstanceContext } from './instance-context';

/**
 * The environment the pacemaker gives an instance (the heart adds `PORT`, `PM_PORT` and its own):
 * the application's config vars, `PM_METADATA` and `PM_SERVICES` as the original shaped them.
 */
export async function pacemakerEnvironment(
  model: Model,
  context: InstanceContext,
): Promise<Record<string, string>> {
  const services: Record<string, unknown> = {};
  for (const serviceId of await model.versions.serviceIds(context.version.id)) {
    const service = await model.services.get(serviceId);
    services[service.name] = { ...service.credentials, provider: service.provider };
  }
  const metadata = {
    application: {
      application_id: context.application.id,
      name: context.application.name,
      version: context.version.number,
      version_id: context.version.id,
      workspace: context.workspace.name,
      workspace_stub: context.workspace.stub,
    },
    workspace: context.workspace.tags,
    node: context.node.tags,
  };
  return {
    ...context.application.configVars,
    PM_METADATA: JSON.stringify(metadata),
    PM_SERVICES: JSON.stringify(services),
  };
}
