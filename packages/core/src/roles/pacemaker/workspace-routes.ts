import type { JsonObject } from '../../kernel/json-schema';
import type { WorkspaceInput } from '../../model/workspace-repository';
import { callerMay } from './api-caller';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { idParams, workspaceCreateBody, workspaceUpdateBody } from './api-schemas';

type WorkspaceBody = { name: string; stub: string; tags?: Record<string, string> };

/** Workspaces and their applications. */
export function workspaceRoutes({ model }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute({
      method: 'GET',
      path: '/workspaces',
      async handler({ caller }) {
        const all = await model.workspaces.list();
        if (callerMay(caller, 'WORKSPACE_LIST')) return all;
        return all.filter((workspace) => callerMay(caller, 'WORKSPACE_VIEW', workspace.id));
      },
    }),
    defineRoute<Record<string, never>, WorkspaceBody>({
      method: 'POST',
      path: '/workspaces',
      status: 201,
      schema: { body: workspaceCreateBody },
      handler: ({ body }) => model.workspaces.create(body as WorkspaceInput),
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'GET',
      path: '/workspaces/:workspaceId',
      schema: { params: idParams('workspaceId') },
      handler: ({ params }) => model.workspaces.get(params.workspaceId),
    }),
    defineRoute<{ workspaceId: number }, Partial<WorkspaceBody>>({
      method: 'PATCH',
      path: '/workspaces/:workspaceId',
      schema: { params: idParams('workspaceId'), body: workspaceUpdateBody },
      handler: ({ params, body }) =>
        model.workspaces.update(params.workspaceId, { ...body, tags: body.tags as JsonObject | undefined }),
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'DELETE',
      path: '/workspaces/:workspaceId',
      schema: { params: idParams('workspaceId') },
      async handler({ params }) {
        await model.workspaces.delete(params.workspaceId);
      },
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'GET',
      path: '/workspaces/:workspaceId/applications',
      schema: { params: idParams('workspaceId') },
      async handler({ params }) {
        await model.workspaces.get(params.workspaceId);
        return model.applications.list({ workspaceId: params.workspaceId });
      },
    }),
    defineRoute<{ applicationId: number }>({
      method: 'GET',
      path: '/applications/:applicationId',
      schema: { params: idParams('applicationId') },
      handler: ({ params }) => model.applications.get(params.applicationId),
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
