import { definePlugin, KERNEL_API_VERSION } from '../../../kernel/plugin-definition';
import type { JobTypeProvider } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import type { TenantUsers } from '../../../tenancy/tenant-users';
import { CRON_JOB, cronJob } from '../cron/cron-job';
import { deleteApplicationJob } from './application-removal';
import {
  containerJob,
  deleteVersionJob,
  drainJob,
  exclusiveSwitchJob,
  instanceRegisteredJob,
  instanceStateJob,
  makeCurrentJob,
  routingJob,
  versionStateJob,
} from './coordinate-job-types';
import { DEPLOY_JOBS } from './deploy-job-names';
import { deployJob, manifestJob, packJob, prepareJob, scmJob } from './prepare-job-types';
import type { RoutingConfirmation, RoutingTableWriter } from './routing-writer';
import { VersionTrees } from './version-trees';

/** Name of the plugin with the pacemaker's deploy job types. */
export const DEPLOY_PLUGIN = 'paasmaker.pacemaker.deploy';

/** What the pacemaker's deploy jobs need. */
export interface DeployPluginOptions {
  model: Model;
  routing: RoutingTableWriter;
  /** Waited for after a version is made current, before the previous one stops (see {@link RoutingConfirmation}). */
  confirmRouting?: RoutingConfirmation;
  /** Suffix of generated hostnames, e.g. `paasmaker.localhost`. */
  clusterHostname: string;
  /** Folder working copies and packages are made in. */
  workFolder: string;
  /** The users prepare commands run as (share the node's with its heart). */
  tenants: TenantUsers;
  /** How long stopped instances keep serving after leaving the routing table. Default 1000 ms. */
  drainMs?: number;
  /**
   * The nodes the job engine can run jobs on: `() => jobs.knownNodes()` of the pacemaker's job
   * engine (made after the kernel, so asked for only when placing). Placement chooses only among them.
   */
  jobNodes: () => Promise<ReadonlySet<string>>;
}

/**
 * The pacemaker's half of deploys: the `prepare.*`, `coordinate.*` and `routing.update` job
 * types. `onTrees` hands back the tree builder, made once the kernel exists.
 */
export function deployPlugin(options: DeployPluginOptions, onTrees?: (trees: VersionTrees) => void) {
  return definePlugin({
    name: DEPLOY_PLUGIN,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      const trees = new VersionTrees({
        model: options.model,
        hooks: kernel.hooks,
        drainMs: options.drainMs ?? 1000,
        jobNodes: options.jobNodes,
        log: kernel.log,
      });
      const prepare = {
        model: options.model,
        hooks: kernel.hooks,
        trees,
        workFolder: options.workFolder,
        tenants: options.tenants,
        clusterHostname: options.clusterHostname,
      };
      const coordinate = {
        model: options.model,
        routing: options.routing,
        confirmRouting: options.confirmRouting,
        clusterHostname: options.clusterHostname,
        trees,
      };
      const jobTypes: Record<string, JobTypeProvider> = {
        [DEPLOY_JOBS.deploy]: deployJob(),
        [DEPLOY_JOBS.scm]: scmJob(prepare),
        [DEPLOY_JOBS.manifest]: manifestJob(prepare),
        [DEPLOY_JOBS.prepare]: prepareJob(prepare),
        [DEPLOY_JOBS.pack]: packJob(prepare),
        [DEPLOY_JOBS.versionState]: versionStateJob(coordinate),
        [DEPLOY_JOBS.instanceRegistered]: instanceRegisteredJob(coordinate),
        [DEPLOY_JOBS.instanceState]: instanceStateJob(coordinate),
        [DEPLOY_JOBS.makeCurrent]: makeCurrentJob(coordinate),
        [DEPLOY_JOBS.drain]: drainJob(),
        [DEPLOY_JOBS.deleteVersion]: deleteVersionJob(coordinate),
        [DEPLOY_JOBS.deleteApplication]: deleteApplicationJob({ ...coordinate, hooks: kernel.hooks }),
        [DEPLOY_JOBS.routing]: routingJob(coordinate),
        [DEPLOY_JOBS.container]: containerJob(),
        [DEPLOY_JOBS.exclusiveSwitch]: exclusiveSwitchJob(coordinate),
        [CRON_JOB]: cronJob(options.model),
      };
      for (const [name, provider] of Object.entries(jobTypes))
        kernel.hooks.jobType.for(name).tap(DEPLOY_PLUGIN, () => provider);
      onTrees?.(trees);
    },
  });
}
