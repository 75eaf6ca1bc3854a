import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SecretMasker } from '../../jobs/logs/secret-masker';
import { PaasmakerError } from '../../kernel/errors';
import type { JsonObject } from '../../kernel/json-schema';
import type { Model } from '../../model/create-model';
import { openStoredPackage } from '../../packages/stored-package';
import { readInstanceLog } from '../heart/instance-log';
import { followInstanceLog, instanceLogLines } from '../heart/instance-log-follow';
import { applicationInstancesData, configData, treeStartedData, uploadData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { idParams } from './api-schemas';
import { typeHostname, versionHostname } from './deploy/cluster-hostnames';
import type { DeployApi } from './deploy/deploy-api';
import { hostnameParts } from './deploy/instance-context';
import { fetchRemoteInstanceLog, followRemoteInstanceLog } from './deploy/remote-instance-log';

const DEFAULT_UPLOAD_LIMIT = 256 * 1024 * 1024;

function deployOf(deploy: DeployApi | undefined): DeployApi {
  if (!deploy)
    throw new PaasmakerError('E_API_ROUTE_NOT_FOUND', 'This pacemaker API does not deploy applications.');
  return deploy;
}

const deployBody = {
  type: 'object',
  additionalProperties: false,
  required: ['scm', 'parameters'],
  properties: {
    scm: { type: 'string', pattern: '^[-a-z0-9._]+$', maxLength: 200 },
    parameters: {
      type: 'object',
      required: ['location'],
      properties: { location: { type: 'string', minLength: 1, maxLength: 4096 } },
      // The rest are the SCM plugin's (`branch` and `revision` for git).
      additionalProperties: true,
      maxProperties: 50,
    },
    manifestPath: { type: 'string', minLength: 1, maxLength: 1024 },
    directory: { type: 'string', minLength: 1, maxLength: 1024 },
    makeCurrent: { type: 'boolean' },
  },
} as const;

const configBody = {
  type: 'object',
  additionalProperties: false,
  required: ['vars'],
  properties: {
    vars: {
      type: 'object',
      maxProperties: 500,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 200 },
      additionalProperties: { anyOf: [{ type: 'string', maxLength: 65536 }, { type: 'null' }] },
    },
  },
} as const;

const instanceLogParams = {
  type: 'object',
  required: ['applicationId', 'instanceId'],
  properties: {
    applicationId: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 },
    instanceId: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    },
  },
} as const;

/** Actions take no options: an empty (or absent) body; anything else is refused. */
const noOptionsBody = { type: 'object', additionalProperties: false, properties: {} } as const;

const logQuery = {
  type: 'object',
  properties: { offset: { type: 'integer', minimum: 0, maximum: 2 ** 53 - 1 } },
} as const;

const instanceLogQuery = {
  type: 'object',
  properties: {
    ...logQuery.properties,
    follow: {
      type: 'boolean',
      description:
        'Stream the log as it grows: application/x-ndjson lines {"text": "...", "next": <offset to resume from>}, until the client leaves or the instance is gone.',
    },
  },
} as const;

type VersionAction = 'register' | 'start' | 'stop' | 'current' | 'deregister';

/** Deploys, version actions, config vars, instances and their logs, uploads, and packages for hearts. */
export function deployRoutes({ model, deploy, nodeToken }: ApiContext): ApiRoute<never, never, never>[] {
  const versionAction = (action: VersionAction) =>
    defineRoute<{ versionId: number }>({
      method: 'POST',
      path: `/versions/:versionId/${action}`,
      status: 202,
      schema: { params: idParams('versionId'), body: noOptionsBody, data: treeStartedData },
      handler: ({ params }) => {
        const { actions } = deployOf(deploy);
        const run = {
          register: () => actions.register(params.versionId),
          start: () => actions.start(params.versionId),
          stop: () => actions.stop(params.versionId),
          current: () => actions.makeCurrent(params.versionId),
          deregister: () => actions.deregister(params.versionId),
        }[action];
        return run();
      },
    });
  const routes = [
    defineRoute<
      { workspaceId: number },
      {
        scm: string;
        parameters: JsonObject;
        manifestPath?: string;
        directory?: string;
        makeCurrent?: boolean;
      }
    >({
      method: 'POST',
      path: '/workspaces/:workspaceId/deploys',
      status: 202,
      schema: { params: idParams('workspaceId'), body: deployBody, data: treeStartedData },
      handler: ({ params, body }) =>
        deployOf(deploy).actions.deploy(
          params.workspaceId,
          {
            scm: body.scm,
            parameters: body.parameters,
            manifestPath: body.manifestPath,
            directory: body.directory,
          },
          { makeCurrent: body.makeCurrent ?? true },
        ),
    }),
    defineRoute<{ workspaceId: number }>({
      method: 'POST',
      path: '/workspaces/:workspaceId/uploads',
      status: 201,
      schema: { params: idParams('workspaceId'), data: uploadData },
      async handler({ request }) {
        const { uploadFolder, uploadLimit } = deployOf(deploy);
        if (!request.headers['content-type']?.startsWith('application/gzip'))
          throw new PaasmakerError(
            'E_API_UNSUPPORTED_MEDIA_TYPE',
            'Upload a .tar.gz as Content-Type: application/gzip.',
          );
        await mkdir(uploadFolder, { recursive: true, mode: 0o700 });
        const file = path.join(uploadFolder, `${randomUUID()}.tar.gz`);
        const limit = uploadLimit ?? DEFAULT_UPLOAD_LIMIT;
        let bytes = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            if (bytes > limit)
              done(new PaasmakerError('E_API_BODY_TOO_LARGE', `Uploads are limited to ${limit} bytes.`));
            else done(null, chunk);
          },
        });
        try {
          await pipeline(request.raw, counter, createWriteStream(file, { mode: 0o600 }));
        } catch (error) {
          await rm(file, { force: true });
          throw error;
        }
        return { location: file, bytes };
      },
    }),
    versionAction('register'),
    versionAction('start'),
    versionAction('stop'),
    versionAction('current'),
    versionAction('deregister'),
    defineRoute<{ versionId: number }>({
      method: 'DELETE',
      path: '/versions/:versionId',
      status: 202,
      schema: { params: idParams('versionId'), data: treeStartedData },
      handler: ({ params }) => deployOf(deploy).actions.delete(params.versionId),
    }),
    defineRoute<{ applicationId: number }>({
      method: 'DELETE',
      path: '/applications/:applicationId',
      status: 202,
      schema: { params: idParams('applicationId'), data: treeStartedData },
      handler: ({ params }) => deployOf(deploy).actions.deleteApplication(params.applicationId),
    }),
    defineRoute<{ applicationId: number }>({
      method: 'POST',
      path: '/applications/:applicationId/rollback',
      status: 202,
      schema: { params: idParams('applicationId'), body: noOptionsBody, data: treeStartedData },
      handler: ({ params }) => deployOf(deploy).actions.rollback(params.applicationId),
    }),
    defineRoute<{ applicationId: number }>({
      method: 'GET',
      path: '/applications/:applicationId/config',
      schema: { params: idParams('applicationId'), data: configData },
      handler: async ({ params }) => ({
        vars: (await model.applications.get(params.applicationId)).configVars,
      }),
    }),
    defineRoute<{ applicationId: number }, { vars: Record<string, string | null> }>({
      method: 'PATCH',
      path: '/applications/:applicationId/config',
      schema: { params: idParams('applicationId'), body: configBody, data: configData },
      async handler({ params, body }) {
        const application = await model.applications.get(params.applicationId);
        const vars: Record<string, string> = { ...application.configVars };
        for (const [name, value] of Object.entries(body.vars)) {
          if (value === null) delete vars[name];
          else vars[name] = value;
        }
        return { vars: (await model.applications.update(application.id, { configVars: vars })).configVars };
      },
    }),
    defineRoute<{ applicationId: number }>({
      method: 'GET',
      path: '/applications/:applicationId/instances',
      schema: { params: idParams('applicationId'), data: applicationInstancesData },
      handler: ({ params }) => applicationInstances(model, deploy, params.applicationId),
    }),
    defineRoute<{ applicationId: number; instanceId: string }, never, { offset?: number; follow?: boolean }>({
      method: 'GET',
      path: '/applications/:applicationId/instances/:instanceId/log',
      produces: 'text/plain',
      schema: { params: instanceLogParams, querystring: instanceLogQuery },
      async handler({ params, query, reply }) {
        const instances = await applicationInstances(model, deploy, params.applicationId);
        const instanceId = params.instanceId.toLowerCase();
        if (!instances.instances.some((instance) => instance.uuid === instanceId))
          throw new PaasmakerError('E_INSTANCE_NOT_FOUND', `The application has no instance ${instanceId}.`);
        const offset = query.offset ?? 0;
        const deployApi = deployOf(deploy);
        const file = deployApi.instanceLogFile(instanceId);
        if (query.follow) {
          const left = new AbortController();
          reply.raw.on('close', () => left.abort());
          const lines = file
            ? Readable.from(
                instanceLogLines(
                  followInstanceLog(file, offset, deployApi.logSecrets ?? SecretMasker.NONE, {
                    signal: left.signal,
                    running: () => deployApi.instanceLogFile(instanceId) !== undefined,
                  }),
                ),
              )
            : await followRemoteInstanceLog(
                await nodeOfInstance(model, instanceId),
                instanceId,
                offset,
                nodeToken,
                left.signal,
              );
          return reply.code(200).type('application/x-ndjson; charset=utf-8').send(lines);
        }
        const { text, next } = file
          ? await readInstanceLog(file, offset, deployApi.logSecrets ?? SecretMasker.NONE)
          : await fetchRemoteInstanceLog(
              await nodeOfInstance(model, instanceId),
              instanceId,
              offset,
              nodeToken,
            );
        reply.header('x-next-offset', String(next));
        return text;
      },
    }),
    defineRoute<{ name: string }>({
      method: 'GET',
      path: '/packages/:name',
      schema: {
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', pattern: '^[0-9a-f]{64}\\.tar\\.gz$' } },
        },
      },
      async handler({ params, reply }) {
        const stored = await openStoredPackage(deployOf(deploy).packageFolder, params.name);
        reply.header('content-length', String(stored.bytes));
        return reply.code(200).type('application/gzip').send(stored.stream);
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}

/** The node an instance is on (it was just listed, so both exist). */
async function nodeOfInstance(model: Model, instanceId: string) {
  const instance = await model.instances.findByUuid(instanceId);
  if (!instance) throw new PaasmakerError('E_INSTANCE_NOT_FOUND', `There is no instance ${instanceId}.`);
  return model.nodes.get(instance.nodeId);
}

/** An application's versions with their instances and the URLs they answer on. */
export async function applicationInstances(
  model: Model,
  deploy: DeployApi | undefined,
  applicationId: number,
) {
  const application = await model.applications.get(applicationId);
  const workspace = await model.workspaces.get(application.workspaceId);
  const clusterHostname = deployOf(deploy).clusterHostname;
  const instances = [];
  const urls: string[] = [];
  for (const version of await model.versions.list({ applicationId })) {
    for (const instanceType of await model.instanceTypes.list({ versionId: version.id })) {
      const parts = hostnameParts({ version, instanceType, application, workspace }, clusterHostname);
      if (version.isCurrent && !instanceType.standalone) {
        urls.push(deployOf(deploy).publicUrl(typeHostname(parts)));
        for (const hostname of await model.instanceTypes.hostnames(instanceType.id))
          urls.push(deployOf(deploy).publicUrl(hostname));
      }
      for (const instance of await model.instances.list({ instanceTypeId: instanceType.id })) {
        const node = await model.nodes.get(instance.nodeId);
        instances.push({
          uuid: instance.uuid,
          version: version.number,
          versionId: version.id,
          isCurrent: version.isCurrent,
          instanceType: instanceType.name,
          state: instance.state,
          node: node.name,
          port: instance.port,
          url: instanceType.standalone ? null : deployOf(deploy).publicUrl(versionHostname(parts)),
        });
      }
    }
  }
  return { application: application.name, urls, instances };
}
