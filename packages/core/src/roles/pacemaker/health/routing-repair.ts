import type { JobEngine } from '../../../jobs/job-engine';
import type { JobSpec } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import { tableHostname } from '../../router/hostname';
import type { RoutingTable } from '../../router/routing-table';
import { DEPLOY_JOBS } from '../deploy/deploy-job-names';
import { loadInstanceContext, routeTargetOf, routingHostnamesOf } from '../deploy/instance-context';
import { isPacemakerRoute } from '../pacemaker-route';
import { HEALTH_JOBS } from './instance-replacement';

/** One instance whose routes differ from what the model wants. */
export interface RoutingDifference {
  instanceId: string;
  /** The application it belongs to, when the model knows the instance. */
  applicationId?: number;
  /** Hostnames it should be on and is not. */
  missing: string[];
  /** Hostnames it is on and should not be. */
  extra: string[];
  /** Whether it should be routed at all. */
  routed: boolean;
}

/**
 * Compares the routing table with the model: every RUNNING instance of a node that is not DOWN
 * should be on the hostnames its version allows, and nothing else should be in the table (but
 * the pacemaker's own route).
 */
export async function routingDifferences(model: Model, table: RoutingTable, clusterHostname: string) {
  const want = new Map<string, { hostnames: Set<string>; applicationId: number }>();
  const down = new Set((await model.nodes.list({ state: 'DOWN' })).map((node) => node.id));
  for (const instance of await model.instances.list({ state: 'RUNNING' })) {
    if (down.has(instance.nodeId)) continue;
    const context = await loadInstanceContext(model, instance.uuid);
    if (!routeTargetOf(context)) continue;
    const { yes } = await routingHostnamesOf(model, context, clusterHostname);
    want.set(instance.uuid, {
      hostnames: new Set(yes.map(tableHostname)),
      applicationId: context.application.id,
    });
  }
  const have = new Map<string, Set<string>>();
  for (const hostname of table.hostnames())
    for (const route of table.routes(hostname)) {
      if (isPacemakerRoute(route)) continue;
      const hostnames = have.get(route.instanceId) ?? new Set<string>();
      hostnames.add(hostname);
      have.set(route.instanceId, hostnames);
    }
  const differences: RoutingDifference[] = [];
  for (const instanceId of new Set([...want.keys(), ...have.keys()])) {
    const wanted = want.get(instanceId)?.hostnames ?? new Set<string>();
    const had = have.get(instanceId) ?? new Set<string>();
    const missing = [...wanted].filter((hostname) => !had.has(hostname)).sort();
    const extra = [...had].filter((hostname) => !wanted.has(hostname)).sort();
    if (!missing.length && !extra.length) continue;
    let applicationId = want.get(instanceId)?.applicationId;
    if (applicationId === undefined) {
      const instance = await model.instances.findByUuid(instanceId);
      if (instance) applicationId = (await loadInstanceContext(model, instanceId)).application.id;
    }
    differences.push({
      instanceId,
      missing,
      extra,
      routed: want.has(instanceId),
      ...(applicationId === undefined ? {} : { applicationId }),
    });
  }
  return differences;
}

/** The tree that repairs one difference: off every hostname first when it has extra ones, then routed again if it should be. */
export function routingRepairTree(difference: RoutingDifference): JobSpec {
  const short = difference.instanceId.slice(0, 8);
  const unroute: JobSpec = {
    type: HEALTH_JOBS.unroute,
    title: `Take instance ${short} off ${difference.extra.join(', ')}`,
    parameters: { instanceId: difference.instanceId },
  };
  if (!difference.routed) return unroute;
  return {
    type: DEPLOY_JOBS.routing,
    title: `Route instance ${short} on its hostnames`,
    parameters: { instanceId: difference.instanceId, add: true },
    children: difference.extra.length ? [unroute] : [],
  };
}

/** Whether the application has a job tree that has not finished (a deploy or action may be routing it right now). */
export async function applicationBusy(jobs: JobEngine, applicationId: number): Promise<boolean> {
  const { trees } = await jobs.store.listTrees({ tag: `application:${applicationId}` });
  return trees.some((tree) => tree.state === 'NEW' || tree.state === 'WAITING' || tree.state === 'RUNNING');
}
