import type { Model } from '../../../model/create-model';
import type { ReportedInstanceChange } from '../node-registry/node-registry';
import { loadInstanceContext, routeTargetOf, routingHostnamesOf } from './instance-context';
import { applyInstanceRouting, type RoutingTableWriter } from './routing-writer';

const UNROUTED = new Set(['ERROR', 'STOPPED', 'SUSPENDED', 'DOWN', 'DEREGISTERED']);

/**
 * Keeps routing in step with what hearts report, as the original's pacemaker did on node
 * reports: an instance reported RUNNING is routed (on the hostnames its version's currency
 * allows); one reported ERROR, STOPPED, SUSPENDED or DOWN is taken out of routing.
 */
export function routeReportedInstances(model: Model, table: RoutingTableWriter, clusterHostname: string) {
  return async (changes: ReportedInstanceChange[]): Promise<void> => {
    for (const change of changes) {
      if (change.to !== 'RUNNING' && !UNROUTED.has(change.to)) continue;
      const context = await loadInstanceContext(model, change.instanceId);
      const target = routeTargetOf(context);
      if (!target) continue;
      const hostnames = await routingHostnamesOf(model, context, clusterHostname);
      applyInstanceRouting(table, target, hostnames, change.to === 'RUNNING');
    }
  };
}
