import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { PaasmakerErrorCode } from '../../kernel/errors';
import type { JsonSchemaObject } from '../../kernel/json-schema';
import type { JobEvent, TreeRecord } from '../job-store';

/**
 * The job stream protocol: JSON text messages over one websocket, each an object with a `type`.
 * A client subscribes to job logs and job trees; the server answers with what there is and then
 * follows. Log offsets are byte offsets in the log file.
 */

/** Client → server: follow a job's log from byte `offset` (the last 100 KiB if absent). Replaces an earlier subscription to the same log. */
export interface LogSubscribeMessage {
  type: 'log.subscribe';
  jobId: string;
  offset?: number;
}

/** Client → server: stop following a job's log. */
export interface LogUnsubscribeMessage {
  type: 'log.unsubscribe';
  jobId: string;
}

/** Client → server: receive a tree's snapshot, then its events. */
export interface TreeSubscribeMessage {
  type: 'tree.subscribe';
  treeId: string;
}

/** Client → server: stop receiving a tree's events. */
export interface TreeUnsubscribeMessage {
  type: 'tree.unsubscribe';
  treeId: string;
}

/** What a client sends. */
export type JobStreamClientMessage =
  | LogSubscribeMessage
  | LogUnsubscribeMessage
  | TreeSubscribeMessage
  | TreeUnsubscribeMessage;

/** Server → client: the next part of a log; `offset` is the byte offset just after `text`. */
export interface LogLinesMessage {
  type: 'log.lines';
  jobId: string;
  text: string;
  offset: number;
}

/** Server → client: the log does not exist yet; the subscription stays and lines follow when it appears. */
export interface LogMissingMessage {
  type: 'log.missing';
  jobId: string;
}

/** Server → client: the whole tree, sent on `tree.subscribe`. */
export interface TreeSnapshotMessage {
  type: 'tree.snapshot';
  tree: TreeRecord;
}

/** Server → client: a change in a subscribed tree (it may repeat a change the snapshot already shows). */
export interface TreeEventMessage {
  type: 'tree.event';
  event: JobEvent;
}

/**
 * A code in an `error` message: a {@link PaasmakerErrorCode} (`E_JOB_STREAM_MESSAGE` for a
 * client message the server could not understand).
 */
export type JobStreamErrorCode = PaasmakerErrorCode;

/**
 * Server → client: something failed. With `jobId` or `treeId` it ends that subscription
 * (`E_JOB_NOT_FOUND`, `E_API_FORBIDDEN`, `E_JOB_LOG_ID_INVALID`, `E_JOB_LOG_UNAVAILABLE`, `E_JOBS_UNAVAILABLE`);
 * without, it rejects a malformed message, and the connection stays open either way; or, with
 * `E_API_UNAUTHENTICATED` or `E_API_FORBIDDEN`, the client's credentials no longer let it use the
 * stream, and the server closes the connection (code 1008).
 */
export interface JobStreamErrorMessage {
  type: 'error';
  code: JobStreamErrorCode;
  message: string;
  jobId?: string;
  treeId?: string;
}

/** What a server sends. */
export type JobStreamServerMessage =
  | LogLinesMessage
  | LogMissingMessage
  | TreeSnapshotMessage
  | TreeEventMessage
  | JobStreamErrorMessage;

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;

const clientSchemas: Record<JobStreamClientMessage['type'], JsonSchemaObject> = {
  'log.subscribe': {
    type: 'object',
    required: ['type', 'jobId'],
    properties: { type: { const: 'log.subscribe' }, jobId: id, offset: { type: 'integer', minimum: 0 } },
  },
  'log.unsubscribe': { type: 'object', required: ['type', 'jobId'], properties: { jobId: id } },
  'tree.subscribe': { type: 'object', required: ['type', 'treeId'], properties: { treeId: id } },
  'tree.unsubscribe': { type: 'object', required: ['type', 'treeId'], properties: { treeId: id } },
};

const ajv = new Ajv({ allErrors: true, logger: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(clientSchemas).map(([type, schema]) => [type, ajv.compile(schema)]),
);

/**
 * Parses and validates a client message. Returns the message, or the `error` message to send
 * back (carrying the `jobId`/`treeId` when there was one).
 */
export function parseClientMessage(data: string): JobStreamClientMessage | JobStreamErrorMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return malformed('a message must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return malformed('a message must be a JSON object');
  }
  const message = parsed as Record<string, unknown>;
  const validate = typeof message.type === 'string' ? validators.get(message.type) : undefined;
  if (!validate) {
    return malformed(
      `unknown message type ${JSON.stringify(message.type) ?? 'undefined'}; expected one of ${[...validators.keys()].join(', ')}`,
    );
  }
  if (!validate(message as unknown)) {
    const error = malformed(`${message.type}: ${describe(validate.errors ?? [])}`);
    if (typeof message.jobId === 'string') error.jobId = message.jobId;
    if (typeof message.treeId === 'string') error.treeId = message.treeId;
    return error;
  }
  return message as unknown as JobStreamClientMessage;
}

/** Parses a server message; undefined when it is not one (the client ignores it). */
export function parseServerMessage(data: string): JobStreamServerMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof (parsed as { type?: unknown }).type !== 'string'
    ) {
      return undefined;
    }
    return parsed as JobStreamServerMessage;
  } catch {
    return undefined;
  }
}

/** The `error` answering a message the server cannot understand. */
export function malformed(detail: string): JobStreamErrorMessage {
  return { type: 'error', code: 'E_JOB_STREAM_MESSAGE', message: `Malformed job stream message: ${detail}.` };
}

function describe(errors: ErrorObject[]): string {
  return errors
    .map((error) => `${error.instancePath.slice(1) || 'message'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}
