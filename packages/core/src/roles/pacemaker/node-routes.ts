import { PaasmakerError } from '../../kernel/errors';
import type { JsonSchemaObject } from '../../kernel/json-schema';
import { listOf, nodeData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { nodeStopBody, nodeUuidParams } from './api-schemas';
import type { NodeRegistry } from './node-registry/node-registry';
import {
  type NodeRegistration,
  type NodeReport,
  nodeRegistrationSchema,
  nodeReportSchema,
} from './node-registry/node-registry-schemas';

/** A registry schema as an HTTP body schema: without its `$id`, so that each API compiles its own copy. */
function bodySchema(schema: JsonSchemaObject & { $id?: string }): JsonSchemaObject {
  const { $id: _id, ...rest } = schema;
  return rest;
}

/** The registry, or `E_API_ROUTE_NOT_FOUND` when this API was built without one. */
function registryOf(nodes: NodeRegistry | undefined): NodeRegistry {
  if (!nodes) throw new PaasmakerError('E_API_ROUTE_NOT_FOUND', 'This pacemaker API has no node registry.');
  return nodes;
}

/** Nodes: registration, reports and clean stops (node token), list and detail (users). */
export function nodeRoutes({ model, nodes }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute<Record<string, never>, NodeRegistration>({
      method: 'POST',
      path: '/nodes/register',
      schema: { body: bodySchema(nodeRegistrationSchema) },
      async handler({ body }) {
        const registry = registryOf(nodes);
        const uuid = await registry.register(body);
        return { uuid, node: await registry.get(uuid), reportIntervalMs: registry.reportIntervalMs };
      },
    }),
    defineRoute<{ uuid: string }, NodeReport>({
      method: 'POST',
      path: '/nodes/:uuid/report',
      schema: { params: nodeUuidParams, body: bodySchema(nodeReportSchema) },
      handler: ({ params, body }) => registryOf(nodes).report(params.uuid, body),
    }),
    defineRoute<{ uuid: string }, { reason?: string }>({
      method: 'POST',
      path: '/nodes/:uuid/stop',
      schema: { params: nodeUuidParams, body: nodeStopBody },
      handler: ({ params }) => registryOf(nodes).stop(params.uuid),
    }),
    defineRoute({
      method: 'GET',
      path: '/nodes',
      schema: { data: listOf(nodeData) },
      handler: () => model.nodes.list(),
    }),
    defineRoute<{ uuid: string }>({
      method: 'GET',
      path: '/nodes/:uuid',
      schema: { params: nodeUuidParams, data: nodeData },
      async handler({ params }) {
        const uuid = params.uuid.toLowerCase();
        const node = await model.nodes.findByUuid(uuid);
        if (!node) throw new PaasmakerError('E_NODE_NOT_FOUND', `No node has UUID ${uuid}.`);
        return { ...node, stats: nodes?.statsOf(uuid) ?? null };
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
