import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject } from '../../../kernel/json-schema';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import type { ProviderCall } from '../../../kernel/providers/provider-call';
import type { ServiceCredentials } from '../../../kernel/providers/service-provider';
import type { Manifest, ManifestService } from '../../../manifest/manifest-types';
import type { Model } from '../../../model/create-model';

/** A manifest read from a new version's source, and where the source came from. */
export interface ManifestRecordRequest {
  workspaceId: number;
  manifest: Manifest;
  manifestText: string;
  manifestPath: string;
  scmName: string;
  scmParameters: JsonObject;
  scmRevision: string | null;
  call: ProviderCall;
}

/**
 * Records a new version from its manifest, as the original's manifest reader did: the
 * application is created if the workspace has none of that name (else a version is added),
 * then the version (NEW), its instance types with hostnames and crons, and its services
 * (created or updated through their provider, then bound).
 */
export async function recordManifest(
  model: Model,
  hooks: Pick<KernelHooks, 'service'>,
  request: ManifestRecordRequest,
): Promise<{ applicationId: number; versionId: number; versionNumber: number }> {
  const { manifest } = request;
  const existing = (await model.applications.list({ workspaceId: request.workspaceId })).find(
    (application) => application.name === manifest.application.name,
  );
  const application =
    existing ??
    (await model.applications.create({
      workspaceId: request.workspaceId,
      name: manifest.application.name,
      manifestPath: request.manifestPath,
    }));
  const version = await model.versions.create({
    applicationId: application.id,
    scmName: request.scmName,
    scmParameters: request.scmParameters,
    scmRevision: request.scmRevision,
    manifest: request.manifestText,
  });
  for (const type of manifest.instances) {
    const instanceType = await model.instanceTypes.create({
      versionId: version.id,
      name: type.name,
      runtimeName: type.runtime.plugin,
      runtimeVersion: type.runtime.version,
      runtimeParameters: type.runtime.parameters,
      quantity: type.quantity,
      startup: type.startup.map((step) => ({ plugin: step.plugin, parameters: step.parameters })),
      healthCheck: type.healthCheck,
      placementProvider: type.placement.plugin,
      placementParameters: type.placement.parameters,
      exclusive: type.exclusive,
      standalone: type.standalone,
    });
    await model.instanceTypes.setHostnames(instanceType.id, type.hostnames);
    for (const cron of type.crons) await model.instanceTypes.addCron(instanceType.id, cron);
  }
  for (const service of manifest.services) {
    const serviceId = await provisionService(model, hooks, request.workspaceId, service, request.call);
    await model.versions.bindService(version.id, serviceId);
  }
  return { applicationId: application.id, versionId: version.id, versionNumber: version.number };
}

async function provisionService(
  model: Model,
  hooks: Pick<KernelHooks, 'service'>,
  workspaceId: number,
  wanted: ManifestService,
  call: ProviderCall,
): Promise<number> {
  const provider = hooks.service.find(wanted.plugin);
  if (!provider)
    throw new PaasmakerError('E_PROVIDER_UNKNOWN', `No service plugin ${wanted.plugin} is loaded.`);
  const known = (await model.services.list({ workspaceId })).find((service) => service.name === wanted.name);
  const service =
    known ??
    (await model.services.create({
      workspaceId,
      name: wanted.name,
      provider: wanted.plugin,
      parameters: wanted.parameters,
    }));
  call.log.info(`${known ? 'Updating' : 'Creating'} service ${wanted.name} (${wanted.plugin})`);
  try {
    const credentials = await provider.provision(
      {
        serviceName: wanted.name,
        parameters: wanted.parameters,
        ...(known && known.state === 'AVAILABLE'
          ? { existingCredentials: known.credentials as ServiceCredentials }
          : {}),
      },
      call,
    );
    await model.services.update(service.id, {
      credentials,
      parameters: wanted.parameters,
      state: 'AVAILABLE',
    });
  } catch (error) {
    await model.services.update(service.id, { state: 'ERROR' });
    throw error;
  }
  return service.id;
}
