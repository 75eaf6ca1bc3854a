import type { JsonSchemaObject } from '../../kernel/json-schema';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import { NODE_STATES, VERSION_STATES } from '../../model/model-states';
import { PERMISSIONS } from '../../model/permissions';

// The `data` the record routes answer with, for the OpenAPI document and the clients generated
// from it (the console, the CLI). Not checked at run time: they say what the handlers return.

const id: JsonSchemaObject = { type: 'integer' };
const text: JsonSchemaObject = { type: 'string' };
const nullableText: JsonSchemaObject = { type: ['string', 'null'] };
const flag: JsonSchemaObject = { type: 'boolean' };
const time: JsonSchemaObject = { type: 'string', format: 'date-time' };
const jsonObject: JsonSchemaObject = { type: 'object', additionalProperties: true };
const stringMap: JsonSchemaObject = { type: 'object', additionalProperties: { type: 'string' } };
const JOB_STATES: JobState[] = ['NEW', 'WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'ABORTED'];

/** An object schema; every property is required except those named in `optional`. */
function record(properties: Record<string, JsonSchemaObject>, optional: string[] = []): JsonSchemaObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

/** A list of `items`. */
export const listOf = (items: JsonSchemaObject): JsonSchemaObject => ({ type: 'array', items });

const timestamps = { createdAt: time, updatedAt: time };

export const workspaceData = record({ id, name: text, stub: text, tags: jsonObject, ...timestamps });

export const applicationData = record({
  id,
  workspaceId: id,
  name: text,
  manifestPath: text,
  configVars: stringMap,
  ...timestamps,
});

/** `manifest` is absent without APPLICATION_VIEW_MANIFEST on the workspace. */
export const versionData = record(
  {
    id,
    applicationId: id,
    number: id,
    state: { type: 'string', enum: [...VERSION_STATES] },
    isCurrent: flag,
    scmName: text,
    scmParameters: jsonObject,
    scmRevision: nullableText,
    manifest: nullableText,
    sourcePath: nullableText,
    sourceChecksum: nullableText,
    sourcePackageType: nullableText,
    ...timestamps,
  },
  ['manifest'],
);

/** `credentials` is absent without SERVICE_CREDENTIAL_VIEW on the workspace. */
export const serviceData = record(
  {
    id,
    workspaceId: id,
    name: text,
    provider: text,
    parameters: jsonObject,
    credentials: jsonObject,
    state: text,
    ...timestamps,
  },
  ['credentials'],
);

/** `stats` (of its last report, null if none since the pacemaker started) is in the detail only. */
export const nodeData = record(
  {
    id,
    uuid: text,
    name: text,
    route: text,
    apiPort: id,
    roles: record({ heart: flag, pacemaker: flag, router: flag }),
    state: { type: 'string', enum: [...NODE_STATES] },
    runtimes: { type: 'object', additionalProperties: listOf(text) },
    tags: jsonObject,
    score: { type: 'number' },
    lastHeardAt: { type: ['string', 'null'], format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    ...timestamps,
    stats: {},
  },
  ['stats'],
);

export const userData = record({
  id,
  login: text,
  email: text,
  name: text,
  authSource: text,
  enabled: flag,
  ...timestamps,
});

export const apiKeyData = record({
  id,
  userId: id,
  prefix: text,
  label: text,
  lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
  revokedAt: { type: ['string', 'null'], format: 'date-time' },
  createdAt: time,
});

/** `key` is shown once, when the key is issued. */
export const issuedApiKeyData = record({ key: text, apiKey: apiKeyData });

const permission: JsonSchemaObject = { type: 'string', enum: [...PERMISSIONS] };

export const roleData = record({
  id,
  name: text,
  permissions: listOf(permission),
  ...timestamps,
});

export const roleAllocationData = record({
  id,
  userId: id,
  roleId: id,
  workspaceId: { type: ['integer', 'null'] },
  ...timestamps,
});

export const meData: JsonSchemaObject = {
  oneOf: [
    record({
      kind: { const: 'user' },
      user: userData,
      grants: listOf(record({ permission, workspaceId: { type: ['integer', 'null'] } })),
    }),
    record({ kind: { type: 'string', enum: ['super', 'node'] } }),
  ],
};

/** A browser session (`POST /session`, `GET /session`): its CSRF token, when it ends, and whose it is. */
export const sessionData = record({
  csrfToken: text,
  expiresAt: time,
  principal: record({ kind: { type: 'string', enum: ['user', 'super'] }, userId: nullableText }),
});

/** `GET /session`: the request's session, or null without one. */
export const currentSessionData: JsonSchemaObject = { oneOf: [sessionData, { type: 'null' }] };

/** What a deploy, version action or deletion answers: the job tree doing it. */
export const treeStartedData = record({ treeId: text });

export const jobAbortedData = record({ jobId: text, treeId: text });

export const uploadData = record({ location: text, bytes: id });

export const configData = record({ vars: stringMap });

export const applicationInstancesData = record({
  application: text,
  urls: listOf(text),
  instances: listOf(
    record({
      uuid: text,
      version: id,
      versionId: id,
      isCurrent: flag,
      instanceType: text,
      state: text,
      node: text,
      port: { type: ['integer', 'null'] },
      url: nullableText,
    }),
  ),
});

const jobState: JsonSchemaObject = { type: 'string', enum: JOB_STATES };
const epochMs: JsonSchemaObject = { type: 'number', description: 'Milliseconds since the epoch' };

export const treeData = record({
  treeId: text,
  tags: listOf(text),
  context: jsonObject,
  createdAt: epochMs,
  aborted: flag,
  jobs: listOf(
    record(
      {
        id: text,
        treeId: text,
        parentId: nullableText,
        nodeId: text,
        type: text,
        parameters: jsonObject,
        title: text,
        state: jobState,
        summary: text,
        result: {},
        childIds: listOf(text),
        createdAt: epochMs,
        startedAt: epochMs,
        finishedAt: epochMs,
      },
      ['summary', 'result', 'startedAt', 'finishedAt'],
    ),
  ),
});

export const treeListData = record({
  trees: listOf(
    record(
      {
        treeId: text,
        type: text,
        title: text,
        state: jobState,
        tags: listOf(text),
        createdAt: epochMs,
        finishedAt: epochMs,
      },
      ['finishedAt'],
    ),
  ),
  total: id,
});
