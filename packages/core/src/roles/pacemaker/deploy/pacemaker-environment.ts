import type { Model } from '../../../model/create-model';
import type { InstanceContext } from './instance-context';

/** Service protocols whose credentials' `url` may become `DATABASE_URL`. */
const SQL_PROTOCOLS = new Set(['mysql', 'postgres', 'postgresql', 'pgsql']);

/**
 * The environment the pacemaker gives an instance (the heart adds `PORT`, `PM_PORT` and its own):
 * the application's config vars, `PM_METADATA` and `PM_SERVICES` as the original shaped them, and
 * `DATABASE_URL` when exactly one bound service is a SQL database whose credentials carry a `url`.
 */
export async function pacemakerEnvironment(
  model: Model,
  context: InstanceContext,
): Promise<Record<string, string>> {
  const services: Record<string, unknown> = {};
  const databaseUrls: string[] = [];
  for (const serviceId of await model.versions.serviceIds(context.version.id)) {
    const service = await model.services.get(serviceId);
    services[service.name] = { ...service.credentials, provider: service.provider };
    const { protocol, url } = service.credentials;
    if (typeof url === 'string' && typeof protocol === 'string' && SQL_PROTOCOLS.has(protocol))
      databaseUrls.push(url);
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
    // The Heroku convention, when there is no doubt which database is meant; a config var wins.
    ...(databaseUrls.length === 1 ? { DATABASE_URL: databaseUrls[0] as string } : {}),
    ...context.application.configVars,
    PM_METADATA: JSON.stringify(metadata),
    PM_SERVICES: JSON.stringify(services),
  };
}
