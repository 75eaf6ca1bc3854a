import type { Application } from './application-repository';
import type { InstanceType, InstanceTypeCronInput, InstanceTypeInput } from './instance-type-repository';
import type { ApplicationVersion, VersionInput } from './version-repository';

/** An instance type of a {@link VersionRecord}: its fields, hostnames and crons. */
export interface InstanceTypeRecord extends Omit<InstanceTypeInput, 'versionId'> {
  /** Public hostnames, claimed for the application (lower-cased). */
  hostnames: readonly string[];
  crons: readonly InstanceTypeCronInput[];
}

/** A new version as a deploy records it from a manifest (see `VersionRepository.record`). */
export interface VersionRecord {
  workspaceId: number;
  /** The application: a new version of it, or a new application when the workspace has none of that name. */
  applicationName: string;
  /** Where the manifest is inside the source; kept by a new application. */
  manifestPath: string;
  version: Omit<VersionInput, 'applicationId'>;
  instanceTypes: readonly InstanceTypeRecord[];
}

/** What `VersionRepository.record` recorded. */
export interface RecordedVersion {
  application: Application;
  version: ApplicationVersion;
  instanceTypes: InstanceType[];
}
