import { PaasmakerError } from '../../../kernel/errors';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import { defineJobType, type JobTypeProvider } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import { typeHostname, versionHostname } from './cluster-hostnames';
import type { CoordinateJobsOptions } from './coordinate-job-types';
import { hostnameParts } from './instance-context';

/** Instance states in which an instance still holds something on its heart. */
const ON_A_HEART = new Set(['REGISTERED', 'STARTING', 'RUNNING', 'STOPPED', 'SUSPENDED', 'ERROR']);

/**
 * Deletes an application once its instances left their hearts (the tree's other jobs): its
 * hostnames leave the routing table (they answer 404 at once), its packages no other version
 * uses leave the storer, then its rows (versions, instance types, instances) go.
 */
export function deleteApplicationJob(
  options: CoordinateJobsOptions & { hooks: Pick<KernelHooks, 'storer'> },
): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['applicationId'],
      properties: { applicationId: { type: 'integer' } },
    },
    async run(job) {
      const { model } = options;
      const application = await model.applications.get(job.parameters.applicationId);
      const workspace = await model.workspaces.get(application.workspaceId);
      const versions = await model.versions.list({ applicationId: application.id });
      const hostnames = new Set<string>();
      for (const version of versions)
        for (const instanceType of await model.instanceTypes.list({ versionId: version.id })) {
          for (const instance of await model.instances.list({ instanceTypeId: instanceType.id }))
            if (ON_A_HEART.has(instance.state))
              throw new PaasmakerError(
                'E_INSTANCE_STATE',
                `Instance ${instance.uuid} of ${application.name} is still ${instance.state}; it was started after the delete began. Delete the application again.`,
              );
          const parts = hostnameParts(
            { version, instanceType, application, workspace },
            options.clusterHostname,
          );
          hostnames.add(versionHostname(parts));
          hostnames.add(typeHostname(parts));
          for (const hostname of await model.instanceTypes.hostnames(instanceType.id))
            hostnames.add(hostname.toLowerCase());
        }
      const shared = await hostnamesOfOtherApplications(model, application.id);
      for (const hostname of hostnames) if (!shared.has(hostname)) options.routing.removeHostname(hostname);
      job.log.info(`Removed ${hostnames.size} hostname(s) from the routing table.`);

      const urls = new Set(versions.flatMap((version) => (version.sourcePath ? [version.sourcePath] : [])));
      const others = await model.versions.list();
      const storer = options.hooks.storer.find('default');
      for (const url of urls) {
        if (others.some((other) => other.applicationId !== application.id && other.sourcePath === url)) {
          job.log.info(`Package ${url} is used by another application; kept.`);
          continue;
        }
        if (storer?.remove) await storer.remove(url, { log: job.log, signal: job.signal });
        else job.log.warn(`The package storer cannot remove packages; ${url} is kept.`);
      }
      await model.applications.delete(application.id);
      return {
        result: { applicationId: application.id },
        summary: `Application ${application.name} deleted (${versions.length} version(s), ${urls.size} package(s)).`,
      };
    },
  });
}

/**
 * Manifest hostnames the current versions of other applications route: a hostname two
 * applications name stays in the table when one of them is deleted.
 */
async function hostnamesOfOtherApplications(model: Model, applicationId: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (const version of await model.versions.list())
    if (version.isCurrent && version.applicationId !== applicationId)
      for (const instanceType of await model.instanceTypes.list({ versionId: version.id }))
        for (const hostname of await model.instanceTypes.hostnames(instanceType.id))
          names.add(hostname.toLowerCase());
  return names;
}
