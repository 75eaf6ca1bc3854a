import type { JobSpec } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import type { Instance } from '../../../model/instance-repository';
import type { InstanceType } from '../../../model/instance-type-repository';
import type { ApplicationVersion } from '../../../model/version-repository';
import { DEPLOY_JOBS } from './deploy-job-names';
import { ALLOCATED_STATES, type VersionTrees } from './version-trees';

const RUNNING = new Set(['STARTING', 'RUNNING']);

/**
 * The tree that brings an instance type to its (just recorded) quantity, or undefined when
 * there is nothing to do. Surplus instances are retired, those not running first, then the
 * newest; a RUNNING version gets the start tree a start uses, which places what the type lacks.
 * A version that is not running only loses its surplus: the rest is placed when it next starts.
 */
export async function scalingTree(
  model: Model,
  trees: VersionTrees,
  version: ApplicationVersion,
  instanceType: InstanceType,
): Promise<JobSpec | undefined> {
  const counted = (await model.instances.list({ instanceTypeId: instanceType.id })).filter((instance) =>
    ALLOCATED_STATES.has(instance.state),
  );
  const surplus = counted.length - instanceType.quantity;
  const title = `Scale ${instanceType.name} of version ${version.number} to ${instanceType.quantity}`;
  if (surplus > 0) {
    const retired = retireOrder(counted).slice(0, surplus);
    const children: JobSpec[] = [];
    for (const instance of retired) children.push(await trees.retireChain(instance));
    return { type: DEPLOY_JOBS.container, title, children };
  }
  if (version.state !== 'RUNNING') return undefined;
  return { ...(await trees.start(version.id)), title };
}

/** Instances not running before running ones; among each, the newest first. */
function retireOrder(instances: readonly Instance[]): Instance[] {
  const rank = (instance: Instance) => (RUNNING.has(instance.state) ? 1 : 0);
  return [...instances].sort(
    (a, b) => rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id,
  );
}
