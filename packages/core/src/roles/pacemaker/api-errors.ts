import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPaasmakerError, type PaasmakerErrorCode } from '../../kernel/errors';

/** One field of a request that failed its schema: `body/name`, `params/workspaceId`, `querystring/limit`. */
export interface ApiFieldError {
  readonly field: string;
  readonly message: string;
}

/** The body of every error response. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: PaasmakerErrorCode;
    readonly message: string;
    readonly fields?: readonly ApiFieldError[];
  };
}

/** The HTTP status of each error code that a caller can cause; any other error is a 500. */
export const API_ERROR_STATUS: Partial<Record<PaasmakerErrorCode, number>> = {
  E_API_REQUEST_INVALID: 400,
  E_MODEL_INVALID: 400,
  E_JOB_LOG_ID_INVALID: 400,
  E_NODE_INVALID: 400,
  E_NODE_UNREACHABLE: 422,
  E_DEPLOY_INVALID: 400,
  E_MANIFEST_INVALID: 400,
  E_PROVIDER_UNKNOWN: 400,
  E_API_UNAUTHENTICATED: 401,
  E_API_FORBIDDEN: 403,
  E_API_ROUTE_NOT_FOUND: 404,
  E_MODEL_NOT_FOUND: 404,
  E_JOB_NOT_FOUND: 404,
  E_JOB_LOG_NOT_FOUND: 404,
  E_NODE_NOT_FOUND: 404,
  E_INSTANCE_NOT_FOUND: 404,
  E_PACKAGE_NOT_FOUND: 404,
  E_MODEL_CONFLICT: 409,
  E_JOB_FINISHED: 409,
  E_INSTANCE_STATE: 409,
  E_RUNTIME_UNAVAILABLE: 409,
  E_PLACEMENT_NO_NODE: 409,
  E_API_BODY_TOO_DEEP: 400,
  E_API_BODY_TOO_LARGE: 413,
  E_API_UNSUPPORTED_MEDIA_TYPE: 415,
  E_API_LOGIN_RATE_LIMITED: 429,
  E_MODEL_UNAVAILABLE: 503,
  E_JOBS_UNAVAILABLE: 503,
  E_JOB_LOG_UNAVAILABLE: 502,
  E_SERVICE_UNAVAILABLE: 502,
  E_SERVICE_FAILED: 502,
};

/** What a 503 says, without the store's address: the pacemaker reconnects by itself. */
const UNAVAILABLE_MESSAGES: Partial<Record<PaasmakerErrorCode, string>> = {
  E_JOBS_UNAVAILABLE:
    "The pacemaker's job store cannot be reached, so no action can start now. Try again shortly: the pacemaker reconnects by itself.",
  E_MODEL_UNAVAILABLE:
    "The pacemaker's model database cannot be reached. Try again shortly: the pacemaker reconnects by itself.",
};

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The fields ajv complained about, named by where they are (`body/name`) so a person can fix them. */
export function fieldErrors(issues: readonly AjvIssue[], context: string): ApiFieldError[] {
  return issues.map((issue) => {
    let path = issue.instancePath ?? '';
    const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
    if (typeof extra === 'string') path += `/${extra}`;
    const field = `${context}${path}`;
    const allowed = Array.isArray(issue.params?.allowedValues)
      ? `: ${(issue.params.allowedValues as unknown[]).join(', ')}`
      : '';
    const message =
      issue.keyword === 'additionalProperties'
        ? 'is not allowed'
        : issue.keyword === 'required'
          ? 'is required'
          : `${issue.message ?? 'is invalid'}${allowed}`;
    return { field, message };
  });
}

function send(reply: FastifyReply, code: PaasmakerErrorCode, message: string, fields?: ApiFieldError[]) {
  const body: ApiErrorBody = { error: fields ? { code, message, fields } : { code, message } };
  return reply
    .code(API_ERROR_STATUS[code] ?? 500)
    .type('application/json; charset=utf-8')
    .send(body);
}

/**
 * The API's error handler: validation failures, PaasmakerErrors and fastify's own 4xx errors
 * become JSON naming a code; anything else is logged and answered with a 500 that says nothing
 * of the cause (no message, no stack).
 */
export function handleApiError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    const fields = fieldErrors(error.validation, error.validationContext ?? 'request');
    const summary = fields.map((f) => `${f.field} ${f.message}`).join('; ');
    return send(reply, 'E_API_REQUEST_INVALID', `Invalid request: ${summary}.`, fields);
  }
  if (isPaasmakerError(error)) {
    const status = API_ERROR_STATUS[error.code];
    if (status !== undefined && status < 500) return send(reply, error.code, error.message);
    request.log.error({ err: error }, 'API request failed');
    // Which store is down tells the caller what waits for it (actions on the job store, everything
    // on the model); its address stays in the log.
    if (status === 503)
      return send(
        reply,
        error.code,
        UNAVAILABLE_MESSAGES[error.code] ??
          'A database of the pacemaker cannot be reached; try again shortly.',
      );
    // Which node or service server failed, and why, is for the caller to know; there are no internals in it.
    if (status === 502) return send(reply, error.code, error.message);
  } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    // fastify's own errors (bad JSON, content type, body size): their messages hold no internals.
    if (error.statusCode === 413) return send(reply, 'E_API_BODY_TOO_LARGE', error.message);
    if (error.statusCode === 415) return send(reply, 'E_API_UNSUPPORTED_MEDIA_TYPE', error.message);
    if (error.statusCode === 404) return send(reply, 'E_API_ROUTE_NOT_FOUND', error.message);
    return reply
      .code(error.statusCode)
      .type('application/json; charset=utf-8')
      .send({ error: { code: 'E_API_REQUEST_INVALID', message: error.message } } satisfies ApiErrorBody);
  } else {
    request.log.error({ err: error }, 'API request failed');
  }
  return send(
    reply,
    'E_API_INTERNAL',
    `Internal error; the pacemaker log has the details under request id ${request.id}.`,
  );
}

/** The answer to a method and path no route has. */
export function handleUnknownRoute(request: FastifyRequest, reply: FastifyReply) {
  return send(
    reply,
    'E_API_ROUTE_NOT_FOUND',
    `No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.`,
  );
}
