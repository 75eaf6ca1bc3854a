import { PaasmakerError } from '../../../kernel/errors';
import type { Manifest } from '../../../manifest/manifest-types';
import type { HostnameClaimedError } from '../../../model/hostname-claimed-error';
import { pacemakerHostname } from '../pacemaker-route';

/**
 * Refuses a manifest whose hostnames are the platform's: the pacemaker's own hostname (the
 * console's and the API's requests, credentials included) and any other name under the cluster
 * hostname (the generated names of every application live there). A name another application
 * holds is refused by the model when the version is recorded ({@link claimedHostnameRefusal}),
 * in the transaction that would claim it, so two deploys racing for one name cannot both win.
 */
export function refusePlatformHostnames(
  manifest: Manifest,
  manifestPath: string,
  clusterHostname: string,
): void {
  const pacemaker = pacemakerHostname(clusterHostname);
  for (const type of manifest.instances) {
    for (const hostname of type.hostnames) {
      if (hostname === pacemaker)
        throw hostnameRefusal(
          manifestPath,
          type.name,
          `${hostname} is the pacemaker's own hostname; no application can be routed on it.`,
        );
      if (isUnder(hostname, clusterHostname))
        throw hostnameRefusal(
          manifestPath,
          type.name,
          `${hostname} is under the cluster hostname ${clusterHostname}, whose names the platform generates for every application; claim a hostname of your own domain.`,
        );
    }
  }
}

/** The manifest error for a hostname another application holds; that application is not named (it may be another tenant's). */
export function claimedHostnameRefusal(manifestPath: string, claimed: HostnameClaimedError): PaasmakerError {
  return hostnameRefusal(
    manifestPath,
    claimed.instanceTypeName,
    `${claimed.hostname} is already claimed by another application.`,
  );
}

function hostnameRefusal(manifestPath: string, typeName: string, message: string): PaasmakerError {
  return new PaasmakerError(
    'E_MANIFEST_INVALID',
    `${manifestPath}: instances ${typeName}: hostnames: ${message}`,
  );
}

function isUnder(hostname: string, domain: string): boolean {
  const name = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  return name === domain || name.endsWith(`.${domain}`);
}
