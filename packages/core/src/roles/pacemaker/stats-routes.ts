import { PaasmakerError } from '../../kernel/errors';
import type { Model } from '../../model/create-model';
import { readRouterStatsSeries } from '../router/router-stats-series';
import { type RouterStatsKind, UNCAUGHT_KEY } from '../router/router-stats-store';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { idParams, idSchema, nodeUuidParams } from './api-schemas';
import { PACEMAKER_ROUTE_KEY } from './pacemaker-route';
import { statsQuery, statsSeriesSchema } from './stats-schemas';

type StatsQuery = { minutes: number };

const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;

/** Instance type keys (the routers' `versionTypeKey`, an instance type's id) of some versions. */
async function typeKeysOfVersions(model: Model, versionIds: readonly number[]): Promise<string[]> {
  const keys: string[] = [];
  for (const versionId of versionIds)
    for (const type of await model.instanceTypes.list({ versionId })) keys.push(String(type.id));
  return keys;
}

async function typeKeysOfApplications(model: Model, applicationIds: readonly number[]): Promise<string[]> {
  const versionIds: number[] = [];
  for (const applicationId of applicationIds)
    for (const version of await model.versions.list({ applicationId })) versionIds.push(version.id);
  return typeKeysOfVersions(model, versionIds);
}

/**
 * Router stats (`/stats/...`): per-minute counters and their totals over `?minutes=` (default 60,
 * at most a day) for a workspace, application, version, instance type or instance (summed over
 * their instance types; a deleted version's are gone with it), a node, the pacemaker's own
 * hostname, or what no instance was picked for. Permissions are in the route table: a workspace's records need WORKSPACE_VIEW there.
 */
export function statsRoutes({ model, routerStats }: ApiContext): ApiRoute<never, never, never>[] {
  const schema = { querystring: statsQuery, data: statsSeriesSchema };
  const series = (kind: RouterStatsKind, keys: readonly string[], query: StatsQuery) => {
    if (!routerStats)
      throw new PaasmakerError('E_API_ROUTE_NOT_FOUND', 'This pacemaker API has no router stats store.');
    return readRouterStatsSeries(routerStats, kind, keys, query.minutes);
  };
  const routes = [
    defineRoute<{ workspaceId: number }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/workspaces/:workspaceId',
      schema: { ...schema, params: idParams('workspaceId') },
      async handler({ params, query }) {
        await model.workspaces.get(params.workspaceId);
        const applications = await model.applications.list({ workspaceId: params.workspaceId });
        const keys = await typeKeysOfApplications(
          model,
          applications.map((application) => application.id),
        );
        return series('versionType', keys, query);
      },
    }),
    defineRoute<{ applicationId: number }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/applications/:applicationId',
      schema: { ...schema, params: idParams('applicationId') },
      async handler({ params, query }) {
        await model.applications.get(params.applicationId);
        return series('versionType', await typeKeysOfApplications(model, [params.applicationId]), query);
      },
    }),
    defineRoute<{ versionId: number }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/versions/:versionId',
      schema: { ...schema, params: idParams('versionId') },
      async handler({ params, query }) {
        await model.versions.get(params.versionId);
        return series('versionType', await typeKeysOfVersions(model, [params.versionId]), query);
      },
    }),
    defineRoute<{ versionId: number; instanceTypeId: number }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/versions/:versionId/instance-types/:instanceTypeId',
      schema: { ...schema, params: idParams('versionId', 'instanceTypeId') },
      async handler({ params, query }) {
        const type = await model.instanceTypes.get(params.instanceTypeId);
        if (type.versionId !== params.versionId)
          throw new PaasmakerError(
            'E_MODEL_NOT_FOUND',
            `Version ${params.versionId} has no instance type ${params.instanceTypeId}.`,
          );
        return series('versionType', [String(type.id)], query);
      },
    }),
    defineRoute<{ versionId: number; instanceId: string }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/versions/:versionId/instances/:instanceId',
      schema: {
        ...schema,
        params: {
          type: 'object',
          properties: { versionId: idSchema, instanceId: uuid },
          required: ['versionId', 'instanceId'],
        },
      },
      async handler({ params, query }) {
        const instanceId = params.instanceId.toLowerCase();
        const instance = await model.instances.findByUuid(instanceId);
        const type = instance && (await model.instanceTypes.get(instance.instanceTypeId));
        if (!type || type.versionId !== params.versionId)
          throw new PaasmakerError(
            'E_INSTANCE_NOT_FOUND',
            `Version ${params.versionId} has no instance ${instanceId}.`,
          );
        return series('instance', [instanceId], query);
      },
    }),
    defineRoute<{ uuid: string }, never, StatsQuery>({
      method: 'GET',
      path: '/stats/nodes/:uuid',
      schema: { ...schema, params: nodeUuidParams },
      async handler({ params, query }) {
        const nodeId = params.uuid.toLowerCase();
        if (!(await model.nodes.findByUuid(nodeId)))
          throw new PaasmakerError('E_NODE_NOT_FOUND', `No node has UUID ${nodeId}.`);
        return series('node', [nodeId], query);
      },
    }),
    defineRoute<Record<string, never>, never, StatsQuery>({
      method: 'GET',
      path: '/stats/pacemaker',
      schema,
      handler: ({ query }) => series('versionType', [PACEMAKER_ROUTE_KEY], query),
    }),
    defineRoute<Record<string, never>, never, StatsQuery>({
      method: 'GET',
      path: '/stats/uncaught',
      schema,
      handler: ({ query }) => series('uncaught', [UNCAUGHT_KEY], query),
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
