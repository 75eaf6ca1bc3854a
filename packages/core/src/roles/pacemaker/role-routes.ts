import type { Permission } from '../../model/permissions';
import { listOf, roleAllocationData, roleData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import {
  allocationCreateBody,
  allocationQuery,
  idParams,
  roleCreateBody,
  roleUpdateBody,
} from './api-schemas';

interface RoleBody {
  name: string;
  permissions: Permission[] | 'ALL';
}

interface AllocationBody {
  userId: number;
  roleId: number;
  workspaceId?: number | null;
}

/** Roles and role allocations. */
export function roleRoutes({ model }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute({
      method: 'GET',
      path: '/roles',
      schema: { data: listOf(roleData) },
      handler: () => model.roles.list(),
    }),
    defineRoute<Record<string, never>, RoleBody>({
      method: 'POST',
      path: '/roles',
      status: 201,
      schema: { body: roleCreateBody, data: roleData },
      handler: ({ body }) => model.roles.create(body),
    }),
    defineRoute<{ roleId: number }>({
      method: 'GET',
      path: '/roles/:roleId',
      schema: { params: idParams('roleId'), data: roleData },
      handler: ({ params }) => model.roles.get(params.roleId),
    }),
    defineRoute<{ roleId: number }, Partial<RoleBody>>({
      method: 'PATCH',
      path: '/roles/:roleId',
      schema: { params: idParams('roleId'), body: roleUpdateBody, data: roleData },
      handler: ({ params, body }) => model.roles.update(params.roleId, body),
    }),
    defineRoute<{ roleId: number }>({
      method: 'DELETE',
      path: '/roles/:roleId',
      schema: { params: idParams('roleId') },
      async handler({ params }) {
        await model.roles.delete(params.roleId);
      },
    }),
    defineRoute<Record<string, never>, undefined, { userId?: number; roleId?: number; workspaceId?: number }>(
      {
        method: 'GET',
        path: '/role-allocations',
        schema: { querystring: allocationQuery, data: listOf(roleAllocationData) },
        handler: ({ query }) => model.roles.allocations(query),
      },
    ),
    defineRoute<Record<string, never>, AllocationBody>({
      method: 'POST',
      path: '/role-allocations',
      status: 201,
      schema: { body: allocationCreateBody, data: roleAllocationData },
      async handler({ body }) {
        // Checked here so that a missing user, role or workspace is named, whatever the database says.
        await model.users.get(body.userId);
        await model.roles.get(body.roleId);
        if (body.workspaceId != null) await model.workspaces.get(body.workspaceId);
        return model.roles.allocate(body);
      },
    }),
    defineRoute<{ allocationId: number }>({
      method: 'DELETE',
      path: '/role-allocations/:allocationId',
      schema: { params: idParams('allocationId') },
      async handler({ params }) {
        await model.roles.unallocate(params.allocationId);
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
