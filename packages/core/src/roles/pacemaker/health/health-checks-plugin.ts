import type { Logger } from 'pino';
import type { JobEngine } from '../../../jobs/job-engine';
import { definePlugin, KERNEL_API_VERSION } from '../../../kernel/plugin-definition';
import type { HealthCheckProvider } from '../../../kernel/providers/health-check-provider';
import type { JobSpec } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import type { Instance } from '../../../model/instance-repository';
import type { RoutingTable } from '../../router/routing-table';
import { DEPLOY_JOBS } from '../deploy/deploy-job-names';
import type { VersionTrees } from '../deploy/version-trees';
import type { HealthSignals } from './health-signals';
import {
  HEALTH_JOBS,
  PLACED_STATES,
  type ReplaceReason,
  replaceJob,
  replacementTree,
  unrouteJob,
} from './instance-replacement';
import { RepairTrees } from './repair-trees';
import { ReplacementBackoff } from './replacement-backoff';
import { applicationBusy, routingDifferences, routingRepairTree } from './routing-repair';

/** Name of the plugin with the pacemaker's built-in health checks. */
export const HEALTH_PLUGIN = 'paasmaker.pacemaker.health';

/** The built-in health checks, by provider name. */
export const HEALTH_CHECKS = {
  downNodes: 'paasmaker.health.downnodes',
  failingInstances: 'paasmaker.health.failinginstances',
  routingTable: 'paasmaker.health.routingtable',
  orphanInstances: 'paasmaker.health.orphaninstances',
} as const;

/** What the built-in health checks work with. */
export interface HealthChecksOptions {
  model: Model;
  routing: RoutingTable;
  clusterHostname: string;
  signals: HealthSignals;
  /** ERROR reports after which an instance is replaced. */
  failingAfterErrors: number;
  /** How replacements of a version whose instances keep failing are spaced out. */
  replaceBackoff: { firstMs: number; maxMs: number };
  /** The pacemaker's job engine (made after the kernel: asked for only when a check runs). */
  jobs: () => JobEngine;
  /** The deploy plugin's tree builder (made in its setup). */
  trees: () => VersionTrees;
}

/**
 * The built-in health checks on `hooks.healthCheck`, and the job types of their repairs. Each
 * repair is a job tree tagged like a user action on what it repairs (workspace, application,
 * version), so `paasmaker job list --tag application:<id>` shows it beside deploys.
 */
export function healthChecksPlugin(options: HealthChecksOptions) {
  return definePlugin({
    name: HEALTH_PLUGIN,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      const repairs = new RepairTrees(options.jobs, kernel.log.child({ component: 'health' }));
      const checks: Record<string, HealthCheckProvider> = {
        [HEALTH_CHECKS.downNodes]: downNodesCheck(options, repairs),
        [HEALTH_CHECKS.failingInstances]: failingInstancesCheck(options, repairs),
        [HEALTH_CHECKS.routingTable]: routingTableCheck(options, repairs),
        [HEALTH_CHECKS.orphanInstances]: orphanInstancesCheck(options, repairs),
      };
      for (const [name, provider] of Object.entries(checks))
        kernel.hooks.healthCheck.for(name).tap(HEALTH_PLUGIN, () => provider);
      kernel.hooks.jobType
        .for(HEALTH_JOBS.replace)
        .tap(HEALTH_PLUGIN, () => replaceJob(options.trees, options.model));
      kernel.hooks.jobType.for(HEALTH_JOBS.unroute).tap(HEALTH_PLUGIN, () => unrouteJob(options.routing));
    },
  });
}

async function versionTags(model: Model, versionId: number): Promise<Record<string, string>> {
  const version = await model.versions.get(versionId);
  const application = await model.applications.get(version.applicationId);
  return {
    workspace: String(application.workspaceId),
    application: String(application.id),
    version: String(version.id),
  };
}

async function byVersion(model: Model, instances: readonly Instance[]): Promise<Map<number, Instance[]>> {
  const groups = new Map<number, Instance[]>();
  for (const instance of instances) {
    const { versionId } = await model.instanceTypes.get(instance.instanceTypeId);
    groups.set(versionId, [...(groups.get(versionId) ?? []), instance]);
  }
  return groups;
}

/** Per version, the instances replaced (a version still backing off is left for a later run). */
async function replace(
  options: HealthChecksOptions,
  repairs: RepairTrees,
  instances: readonly Instance[],
  reason: ReplaceReason,
  log: Logger,
  backoff?: ReplacementBackoff,
): Promise<Instance[]> {
  const replaced: Instance[] = [];
  for (const [versionId, group] of await byVersion(options.model, instances)) {
    const waitMs = backoff?.waitMs(versionId) ?? 0;
    if (waitMs > 0) {
      log.info({ versionId, waitMs }, 'instances keep failing after replacement: waiting before the next');
      continue;
    }
    const treeId = await repairs.start(
      `version:${versionId}`,
      await versionTags(options.model, versionId),
      () => replacementTree(options.model, versionId, group, reason),
    );
    if (!treeId) continue;
    backoff?.replaced(versionId);
    replaced.push(...group);
    log.warn({ treeId, versionId, instances: group.map((i) => i.uuid), reason }, 'replacing instances');
  }
  return replaced;
}

/** Instances on DOWN nodes are unrouted, recorded DOWN and placed again on other hearts. */
function downNodesCheck(options: HealthChecksOptions, repairs: RepairTrees): HealthCheckProvider {
  return {
    async check(_parameters, call) {
      const lost: Instance[] = [];
      for (const node of await options.model.nodes.list({ state: 'DOWN' }))
        for (const instance of await options.model.instances.list({ nodeId: node.id }))
          if (PLACED_STATES.has(instance.state)) lost.push(instance);
      const replaced = await replace(options, repairs, lost, 'node-down', call.log);
      return {
        summary: `${lost.length} instance(s) on DOWN nodes; ${replaced.length} being replaced.`,
      };
    },
  };
}

/**
 * Instances reported ERROR `failingAfterErrors` times are removed from their heart and placed
 * again; a version whose replacements keep failing is replaced less and less often.
 */
function failingInstancesCheck(options: HealthChecksOptions, repairs: RepairTrees): HealthCheckProvider {
  const backoff = new ReplacementBackoff(options.replaceBackoff);
  return {
    async check(_parameters, call) {
      const failing: Instance[] = [];
      for (const instanceId of options.signals.failing(options.failingAfterErrors)) {
        const instance = await options.model.instances.findByUuid(instanceId);
        const node = instance && (await options.model.nodes.get(instance.nodeId));
        if (!instance || !PLACED_STATES.has(instance.state)) options.signals.forgetErrors(instanceId);
        else if (node?.state === 'ACTIVE') failing.push(instance);
      }
      const replaced = await replace(options, repairs, failing, 'failing', call.log, backoff);
      for (const instance of replaced) options.signals.forgetErrors(instance.uuid);
      return {
        summary: `${failing.length} failing instance(s); ${replaced.length} being replaced, ${
          failing.length - replaced.length
        } waiting.`,
      };
    },
  };
}

/**
 * The routing table is compared with the model and a difference seen twice in a row is repaired
 * (routed again, or taken off), unless the application has a tree under way that may be routing it.
 */
function routingTableCheck(options: HealthChecksOptions, repairs: RepairTrees): HealthCheckProvider {
  let seen = new Map<string, string>();
  return {
    async check(_parameters, call) {
      const differences = await routingDifferences(options.model, options.routing, options.clusterHostname);
      const previous = seen;
      seen = new Map(differences.map((d) => [d.instanceId, JSON.stringify(d)]));
      let started = 0;
      for (const difference of differences) {
        if (previous.get(difference.instanceId) !== seen.get(difference.instanceId)) continue;
        const { applicationId } = difference;
        if (applicationId !== undefined && (await applicationBusy(options.jobs(), applicationId))) continue;
        const tags: Record<string, string> =
          applicationId === undefined
            ? { routing: 'repair' }
            : await applicationTags(options.model, applicationId);
        const treeId = await repairs.start(`routing:${difference.instanceId}`, tags, async () => ({
          type: HEALTH_JOBS.container,
          title: `Repair the routes of instance ${difference.instanceId.slice(0, 8)}`,
          children: [routingRepairTree(difference)],
        }));
        if (!treeId) continue;
        started += 1;
        call.log.warn({ treeId, ...difference }, 'repairing routes');
      }
      return { summary: `${differences.length} routing difference(s); ${started} repair(s) started.` };
    },
  };
}

async function applicationTags(model: Model, applicationId: number): Promise<Record<string, string>> {
  const application = await model.applications.get(applicationId);
  return { workspace: String(application.workspaceId), application: String(application.id) };
}

/**
 * Instances a heart reported in two reports in a row that the model does not know, or recorded
 * DOWN and replaced while the heart was silent, are stopped and removed from the heart, releasing
 * their ports (a retired one is then recorded DEREGISTERED).
 */
function orphanInstancesCheck(options: HealthChecksOptions, repairs: RepairTrees): HealthCheckProvider {
  return {
    async check(_parameters, call) {
      const runnable = await options.jobs().knownNodes();
      let started = 0;
      for (const [node, instanceIds] of options.signals.strayInstances(2)) {
        if (!runnable.has(node)) continue;
        for (const instanceId of instanceIds) {
          const known = await options.model.instances.findByUuid(instanceId);
          if (known && known.state !== 'DOWN') continue;
          const treeId = await repairs.start(`orphan:${instanceId}`, { node }, async () =>
            known ? retiredStopTree(node, instanceId) : orphanStopTree(node, instanceId, 'unknown'),
          );
          if (!treeId) continue;
          started += 1;
          call.log.warn({ treeId, node, instanceId, retired: Boolean(known) }, 'stopping a stray instance');
        }
      }
      return { summary: `${started} stray instance(s) being stopped.` };
    },
  };
}

function orphanStopTree(node: string, instanceId: string, kind: 'unknown' | 'retired'): JobSpec {
  const short = instanceId.slice(0, 8);
  return {
    type: DEPLOY_JOBS.heartDeregister,
    title: `Remove ${kind} instance ${short} from ${node}`,
    node,
    parameters: { instanceId },
    children: [
      {
        type: DEPLOY_JOBS.heartShutdown,
        title: `Stop ${kind} instance ${short}`,
        node,
        parameters: { instanceId },
      },
    ],
  };
}

function retiredStopTree(node: string, instanceId: string): JobSpec {
  return {
    type: DEPLOY_JOBS.instanceState,
    title: `Record retired instance ${instanceId.slice(0, 8)} deregistered`,
    parameters: { instanceId, state: 'DEREGISTERED' },
    children: [orphanStopTree(node, instanceId, 'retired')],
  };
}
