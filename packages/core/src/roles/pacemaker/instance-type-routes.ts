import { PaasmakerError } from '../../kernel/errors';
import type { JsonSchemaObject } from '../../kernel/json-schema';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { idParams } from './api-schemas';

/** The most instances one instance type may ask for through the API. */
const MAX_QUANTITY = 1000;

const scaleBody: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['quantity'],
  properties: {
    quantity: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_QUANTITY,
      description: 'How many instances of the type the version runs',
    },
  },
};

const scaledData: JsonSchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['quantity', 'treeId'],
  properties: {
    quantity: { type: 'integer', minimum: 1 },
    treeId: {
      type: ['string', 'null'],
      description:
        'The job tree starting or retiring instances to match; null when the version is not running and has no surplus',
    },
  },
};

const instanceTypeList: JsonSchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: [
      'id',
      'versionId',
      'name',
      'quantity',
      'runtimeName',
      'runtimeVersion',
      'exclusive',
      'standalone',
    ],
    properties: {
      id: { type: 'integer' },
      versionId: { type: 'integer' },
      name: { type: 'string' },
      quantity: { type: 'integer', minimum: 1 },
      runtimeName: { type: 'string' },
      runtimeVersion: { type: 'string' },
      exclusive: { type: 'boolean' },
      standalone: { type: 'boolean' },
    },
  },
};

/** A version's instance types (without their startup commands and parameters), and scaling one. */
export function instanceTypeRoutes({ model, deploy }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute<{ versionId: number }>({
      method: 'GET',
      path: '/versions/:versionId/instance-types',
      schema: { params: idParams('versionId'), data: instanceTypeList },
      async handler({ params }) {
        const version = await model.versions.get(params.versionId);
        return (await model.instanceTypes.list({ versionId: version.id })).map((type) => ({
          id: type.id,
          versionId: type.versionId,
          name: type.name,
          quantity: type.quantity,
          runtimeName: type.runtimeName,
          runtimeVersion: type.runtimeVersion,
          exclusive: type.exclusive,
          standalone: type.standalone,
        }));
      },
    }),
    defineRoute<{ versionId: number; instanceTypeId: number }, { quantity: number }>({
      method: 'PATCH',
      path: '/versions/:versionId/instance-types/:instanceTypeId',
      status: 202,
      schema: { params: idParams('versionId', 'instanceTypeId'), body: scaleBody, data: scaledData },
      handler: ({ params, body }) => {
        if (!deploy)
          throw new PaasmakerError(
            'E_API_ROUTE_NOT_FOUND',
            'This pacemaker API does not deploy applications.',
          );
        return deploy.actions.scale(params.versionId, params.instanceTypeId, body.quantity);
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
