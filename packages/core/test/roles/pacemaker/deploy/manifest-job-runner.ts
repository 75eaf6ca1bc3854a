import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { createKernelHooks, type KernelHooks } from '../../../../src/kernel/kernel-hooks';
import type { JobOutcome } from '../../../../src/kernel/providers/job-type-provider';
import type { RuntimeProvider } from '../../../../src/kernel/providers/runtime-provider';
import type { Model } from '../../../../src/model/create-model';
import { manifestJob } from '../../../../src/roles/pacemaker/deploy/prepare-job-types';

const unused = () => Promise.reject(new Error('not used by the manifest job'));
const runtime: RuntimeProvider = { versions: async () => ['1'], start: unused, stop: unused, status: unused };

/** Stands for what the manifest job never touches (version trees, tenant users). */
const untouched = new Proxy(
  {},
  {
    get(_target, key) {
      throw new Error(`the manifest job used ${String(key)}`);
    },
  },
) as never;

/** Kernel hooks with the one runtime the test manifests name, `acme.runtime` (version "1"). */
export function acmeHooks(): KernelHooks {
  const hooks = createKernelHooks();
  hooks.runtime.for('acme.runtime').tap('test', () => runtime);
  return hooks;
}

/** A manifest of `application` with a `web` type on `acme.runtime` naming `hostnames`. */
export function webManifest(application: string, hostnames: readonly string[]): string {
  return `manifest:
  format: 1
application:
  name: ${application}
instances:
  - name: web
    runtime:
      plugin: acme.runtime
      version: "1"
    hostnames:
${hostnames.map((hostname) => `      - "${hostname}"`).join('\n')}
`;
}

/** Where a deploy's manifest job runs: the model, hooks and work folder; the cluster is `cluster.test`. */
export interface ManifestJobSetting {
  model: Model;
  hooks: KernelHooks;
  workFolder: string;
}

/**
 * Writes `manifestText` as `manifest.yml` of a new deploy's working folder, and returns what runs
 * that deploy's manifest job for `workspaceId` (so several can be started at once).
 */
export async function manifestJobRun(
  setting: ManifestJobSetting,
  workspaceId: number,
  manifestText: string,
): Promise<() => Promise<JobOutcome | undefined>> {
  const deployId = randomUUID();
  await mkdir(path.join(setting.workFolder, deployId), { recursive: true });
  await writeFile(path.join(setting.workFolder, deployId, 'manifest.yml'), manifestText);
  const job = manifestJob({
    ...setting,
    trees: untouched,
    tenants: untouched,
    clusterHostname: 'cluster.test',
  });
  return async () =>
    job.run({
      jobId: deployId,
      treeId: deployId,
      nodeId: 'local',
      parameters: { deployId, workspaceId, manifestPath: 'manifest.yml', scm: 'acme.scm' },
      context: {},
      childResults: {},
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
      graft: async () => [],
    });
}
