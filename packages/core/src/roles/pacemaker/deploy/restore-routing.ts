import type { Model } from '../../../model/create-model';
import { loadInstanceContext, routeTargetOf, routingHostnamesOf } from './instance-context';
import { applyInstanceRouting, type RoutingTableWriter } from './routing-writer';

/**
 * Fills a routing table from the model: every RUNNING instance on the hostnames its version
 * allows. A pacemaker does this when it starts, so an in-memory table survives restarts.
 * Resolves with the number of instances routed.
 */
export async function restoreRouting(
  model: Model,
  table: RoutingTableWriter,
  clusterHostname: string,
): Promise<number> {
  let routed = 0;
  for (const instanceType of await model.instanceTypes.list())
    for (const instance of await model.instances.list({
      instanceTypeId: instanceType.id,
      state: 'RUNNING',
    })) {
      const context = await loadInstanceContext(model, instance.uuid);
      const target = routeTargetOf(context);
      if (!target) continue;
      applyInstanceRouting(table, target, await routingHostnamesOf(model, context, clusterHostname), true);
      routed += 1;
    }
  return routed;
}
