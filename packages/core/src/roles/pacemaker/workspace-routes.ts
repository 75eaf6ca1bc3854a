import type { JsonObject } from '../../kernel/json-schema';
import type { Service } from '../../model/service-repository';
import type { ApplicationVersion } from '../../model/version-repository';
import type { WorkspaceInput } from '../../model/workspace-repository';
import { type ApiCaller, callerMay } from './api-caller';
import { applicationData, listOf, serviceData, versionData, workspaceData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import {
  applicationCreateBody,
  applicationUpdateBody,
  idParams,
  serviceCreateBody,
  workspaceCreateBody,
  workspaceUpdateBody,
} from './api-schemas';
import { removeService } from './service-removal';

type WorkspaceBody = { name: string; stub: string; tags?: Record<string, string> };
type ApplicationBody = { name: string; manifestPath?: string };
type ServiceBody = { name: string; provider: string; parameters?: JsonObject };

/** A version as `caller` may see it on workspace `workspaceId`: the manifest needs APPLICATION_VIEW_MANIFEST. */
function versionView(caller: ApiCaller, workspaceId: number, version: ApplicationVersion) {
  if (callerMay(caller, 'APPLICATION_VIEW_MANIFEST', workspaceId)) return version;
  const { manifest: _hidden, ...visible } = version;
  return visible;
}

/** A service as `caller` may see it: the credentials need SERVICE_CREDENTIAL_VIEW on its workspace. */
function serviceView(caller: ApiCaller, service: Service) {
  if (callerMay(caller, 'SERVICE_CREDENTIAL_VIEW', service.workspaceId)) return service;
  const { credentials: _hidden, ...visible } = service;
  return visible;
}

/** Workspaces, their applications (with their versions) and services; an application's deletion is a deploy route. */
export function workspaceRoutes(context: ApiContext): ApiRoute<never, never, never>[] {
  const { model } = context;
  const routes = [
    defineRoute({
      method: 'GET',
      path: '/workspaces',
      schema: { data: listOf(workspaceData) },
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
      schema: { body: workspaceCreateBody, data: workspaceData },
      handler: ({ body }) => model.workspaces.create(body as WorkspaceInput),
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'GET',
      path: '/workspaces/:workspaceId',
      schema: { params: idParams('workspaceId'), data: workspaceData },
      handler: ({ params }) => model.workspaces.get(params.workspaceId),
    }),
    defineRoute<{ workspaceId: number }, Partial<WorkspaceBody>>({
      method: 'PATCH',
      path: '/workspaces/:workspaceId',
      schema: { params: idParams('workspaceId'), body: workspaceUpdateBody, data: workspaceData },
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
      schema: { params: idParams('workspaceId'), data: listOf(applicationData) },
      async handler({ params }) {
        await model.workspaces.get(params.workspaceId);
        return model.applications.list({ workspaceId: params.workspaceId });
      },
    }),
    defineRoute<{ applicationId: number }>({
      method: 'GET',
      path: '/applications/:applicationId',
      schema: { params: idParams('applicationId'), data: applicationData },
      handler: ({ params }) => model.applications.get(params.applicationId),
    }),
    defineRoute<{ workspaceId: number }, ApplicationBody>({
      method: 'POST',
      path: '/workspaces/:workspaceId/applications',
      status: 201,
      schema: { params: idParams('workspaceId'), body: applicationCreateBody, data: applicationData },
      async handler({ params, body }) {
        await model.workspaces.get(params.workspaceId);
        return model.applications.create({ ...body, workspaceId: params.workspaceId });
      },
    }),
    defineRoute<{ applicationId: number }, Partial<ApplicationBody>>({
      method: 'PATCH',
      path: '/applications/:applicationId',
      schema: { params: idParams('applicationId'), body: applicationUpdateBody, data: applicationData },
      handler: ({ params, body }) => model.applications.update(params.applicationId, body),
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'GET',
      path: '/workspaces/:workspaceId/services',
      schema: { params: idParams('workspaceId'), data: listOf(serviceData) },
      async handler({ params, caller }) {
        await model.workspaces.get(params.workspaceId);
        const services = await model.services.list({ workspaceId: params.workspaceId });
        return services.map((service) => serviceView(caller, service));
      },
    }),
    defineRoute<{ workspaceId: number }, ServiceBody>({
      method: 'POST',
      path: '/workspaces/:workspaceId/services',
      status: 201,
      schema: { params: idParams('workspaceId'), body: serviceCreateBody, data: serviceData },
      async handler({ params, body, caller }) {
        await model.workspaces.get(params.workspaceId);
        const service = await model.services.create({ ...body, workspaceId: params.workspaceId });
        return serviceView(caller, service);
      },
    }),
    defineRoute<{ serviceId: number }>({
      method: 'DELETE',
      path: '/services/:serviceId',
      schema: { params: idParams('serviceId') },
      handler: ({ params }) => removeService(context, params.serviceId),
    }),
    defineRoute<{ applicationId: number }>({
      method: 'GET',
      path: '/applications/:applicationId/versions',
      schema: { params: idParams('applicationId'), data: listOf(versionData) },
      async handler({ params, caller }) {
        const application = await model.applications.get(params.applicationId);
        const versions = await model.versions.list({ applicationId: application.id });
        return versions.map((version) => versionView(caller, application.workspaceId, version));
      },
    }),
    defineRoute<{ versionId: number }>({
      method: 'GET',
      path: '/versions/:versionId',
      schema: { params: idParams('versionId'), data: versionData },
      async handler({ params, caller }) {
        const version = await model.versions.get(params.versionId);
        const application = await model.applications.get(version.applicationId);
        return versionView(caller, application.workspaceId, version);
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
