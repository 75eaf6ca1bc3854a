import {
  defineJobType,
  type JobSpec,
  type JobTypeProvider,
} from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import type { Instance } from '../../../model/instance-repository';
import { DEPLOY_JOBS } from '../deploy/deploy-job-names';
import { ALLOCATED_STATES, type VersionTrees } from '../deploy/version-trees';

/** The job types of health repairs. */
export const HEALTH_JOBS = {
  replace: 'paasmaker.job.health.replace',
  unroute: 'paasmaker.job.health.unroute',
  container: DEPLOY_JOBS.container,
} as const;

/** Instance states of an instance that holds (or will hold) a place on its heart. */
export const PLACED_STATES = new Set([...ALLOCATED_STATES, 'ERROR']);

/** Why instances are replaced: their heart is DOWN, or they keep failing on it. */
export type ReplaceReason = 'node-down' | 'failing';

const short = (uuid: string) => uuid.slice(0, 8);

/**
 * The tree that replaces `instances` (all of one version): each is taken out of routing and
 * recorded DOWN (its heart is gone) or stopped, removed from its heart and recorded
 * DEREGISTERED (it keeps failing); then the `health.replace` job places and starts what the
 * version lacks on the hearts placement chooses, grafting the same start chains a start uses.
 */
export async function replacementTree(
  model: Model,
  versionId: number,
  instances: readonly Instance[],
  reason: ReplaceReason,
): Promise<JobSpec> {
  const version = await model.versions.get(versionId);
  const retire: JobSpec[] = [];
  for (const instance of instances) {
    const unroute: JobSpec = {
      type: DEPLOY_JOBS.routing,
      title: `Unroute instance ${short(instance.uuid)}`,
      parameters: { instanceId: instance.uuid, add: false },
    };
    if (reason === 'node-down') {
      retire.push({
        type: DEPLOY_JOBS.instanceState,
        title: `Record instance ${short(instance.uuid)} down`,
        parameters: { instanceId: instance.uuid, state: 'DOWN' },
        children: [unroute],
      });
      continue;
    }
    const node = (await model.nodes.get(instance.nodeId)).name;
    retire.push({
      type: DEPLOY_JOBS.instanceState,
      title: `Record instance ${short(instance.uuid)} deregistered`,
      parameters: { instanceId: instance.uuid, state: 'DEREGISTERED' },
      children: [
        {
          type: DEPLOY_JOBS.heartDeregister,
          title: `Remove instance ${short(instance.uuid)}`,
          node,
          parameters: { instanceId: instance.uuid },
          children: [
            {
              type: DEPLOY_JOBS.heartShutdown,
              title: `Stop instance ${short(instance.uuid)}`,
              node,
              parameters: { instanceId: instance.uuid },
              children: [unroute],
            },
          ],
        },
      ],
    });
  }
  const why = reason === 'node-down' ? 'their heart is down' : 'they keep failing';
  return {
    type: HEALTH_JOBS.container,
    title: `Replace ${instances.length} instance(s) of version ${version.number}: ${why}`,
    children: [
      {
        type: HEALTH_JOBS.replace,
        title: 'Place and start replacements',
        parameters: { versionId },
        children: retire,
      },
    ],
  };
}

/**
 * Runs once the instances it replaces are retired: a RUNNING version gets the start chains of
 * what it now lacks (placed anew), grafted beside this job; a version not running gets its
 * instances placed when it is next started.
 */
export function replaceJob(trees: () => VersionTrees, model: Model): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['versionId'],
      properties: { versionId: { type: 'integer' } },
    },
    async run(job) {
      const version = await model.versions.get(job.parameters.versionId);
      if (version.state !== 'RUNNING')
        return { summary: `Version ${version.number} is ${version.state}: nothing to start.` };
      const starts = await trees().startChains(version, 'startable');
      if (starts.length && job.parentId) await job.graft(job.parentId, starts);
      return { summary: `${starts.length} instance(s) to start.` };
    },
  });
}

/** Removes an instance from every hostname of the routing table (it may no longer be in the model). */
export function unrouteJob(table: { removeInstance(instanceId: string): void }): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['instanceId'],
      properties: { instanceId: { type: 'string', minLength: 1 } },
    },
    async run(job) {
      table.removeInstance(job.parameters.instanceId);
      return { summary: 'Removed from routing.' };
    },
  });
}
