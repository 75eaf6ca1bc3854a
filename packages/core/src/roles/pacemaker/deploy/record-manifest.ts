import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject } from '../../../kernel/json-schema';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import type { ProviderCall } from '../../../kernel/providers/provider-call';
import type { ServiceCredentials } from '../../../kernel/providers/service-provider';
import type { Manifest, ManifestService } from '../../../manifest/manifest-types';
import type { Model } from '../../../model/create-model';
import { HostnameClaimedError } from '../../../model/hostname-claimed-error';
import { claimedHostnameRefusal } from './hostname-claims';

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
 * Records a new version from its manifest, as the original's manifest reader did: in one
 * transaction, the application (created if the workspace has none of that name), the version
 * (NEW) and its instance types with hostnames and crons; a hostname another application holds
 * refuses the manifest (`E_MANIFEST_INVALID`) and nothing is recorded. Then its services are
 * created or updated through their provider, and bound.
 */
export async function recordManifest(
  model: Model,
  hooks: Pick<KernelHooks, 'service'>,
  request: ManifestRecordRequest,
): Promise<{ applicationId: number; versionId: number; versionNumber: number }> {
  const { manifest } = request;
  const { application, version } = await model.versions
    .record({
      workspaceId: request.workspaceId,
      applicationName: manifest.application.name,
      manifestPath: request.manifestPath,
      version: {
        scmName: request.scmName,
        scmParameters: request.scmParameters,
        scmRevision: request.scmRevision,
        manifest: request.manifestText,
      },
      instanceTypes: manifest.instances.map((type) => ({
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
        hostnames: type.hostnames,
        crons: type.crons,
      })),
    })
    .catch((error: unknown) => {
      throw error instanceof HostnameClaimedError
        ? claimedHostnameRefusal(request.manifestPath, error)
        : error;
    });
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
