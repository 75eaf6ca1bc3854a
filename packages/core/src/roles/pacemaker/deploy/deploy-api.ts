import type { SecretMasker } from '../../../jobs/logs/secret-masker';
import type { VersionActions } from './version-actions';

/** What the pacemaker API's deploy routes work with (see `createPacemakerApi`'s `deploy` option). */
export interface DeployApi {
  readonly actions: VersionActions;
  /** Folder uploaded source archives are written to (the upload SCM reads them from there). */
  readonly uploadFolder: string;
  /** Folder of stored packages, served to hearts with the node token. */
  readonly packageFolder: string;
  /** Suffix of generated hostnames, e.g. `paasmaker.localhost`. */
  readonly clusterHostname: string;
  /** The URL an application hostname answers on through the router: `http://<hostname>:<port>/`. */
  publicUrl(hostname: string): string;
  /** The log file of an instance run by a heart in this process, or undefined. */
  instanceLogFile(instanceUuid: string): string | undefined;
  /** Secrets masked in those logs (the node's tokens and passwords); default none. */
  readonly logSecrets?: SecretMasker;
  /** Largest upload in bytes; default 256 MiB. */
  readonly uploadLimit?: number;
}
