import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { JobEngine } from '../../jobs/job-engine';
import type { JsonSchemaObject } from '../../kernel/json-schema';
import type { KernelHooks } from '../../kernel/kernel-hooks';
import type { Model } from '../../model/create-model';
import type { RouterStatsStore } from '../router/router-stats-store';
import type { ApiCaller } from './api-caller';
import type { DeployApi } from './deploy/deploy-api';
import type { NodeRegistry } from './node-registry/node-registry';

/** The JSON Schemas a route validates its request with (and that the OpenAPI document shows). */
export interface ApiRouteSchema {
  readonly params?: JsonSchemaObject;
  readonly querystring?: JsonSchemaObject;
  readonly body?: JsonSchemaObject;
  /** The `data` of a success, for the OpenAPI document (and the clients generated from it); not checked at run time. */
  readonly data?: JsonSchemaObject;
}

/** One request to a route, validated: `params`, `query` and `body` match the route's schemas. */
export interface ApiCall<P = Record<string, unknown>, B = unknown, Q = Record<string, unknown>> {
  readonly caller: ApiCaller;
  readonly params: P;
  readonly body: B;
  readonly query: Q;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** A route of the pacemaker API. Its permission is in the route permission table, not here. */
export interface ApiRoute<P = never, B = never, Q = never> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Below `/api/v1`, fastify syntax: `/workspaces/:workspaceId`. */
  readonly path: `/${string}`;
  readonly schema?: ApiRouteSchema;
  /** The status of a success; default 200, or 204 when the handler resolves with undefined. */
  readonly status?: number;
  /** `text/plain`: the handler resolves with the body text, sent as is (not wrapped in `data`). */
  readonly produces?: 'text/plain';
  /** Resolves with the response's `data`; undefined for no body. */
  handler(call: ApiCall<P, B, Q>): Promise<unknown>;
}

/** What the built-in routes work on. */
export interface ApiContext {
  readonly hooks: Pick<KernelHooks, 'auth' | 'service'>;
  /** Logs what routes do outside a request's own log (a service plugin's removal, say). */
  readonly log: Logger;
  readonly model: Model;
  readonly jobs: JobEngine;
  /** Node registration and reports go here; without it, node routes answer 404. */
  readonly nodes?: NodeRegistry;
  /** Deploys and version actions; without it, their routes answer 404. */
  readonly deploy?: DeployApi;
  /** The job stream websocket's path, from the server root. */
  readonly jobStreamPath: string;
  /** Reaches other nodes for the job and instance logs they keep. */
  readonly nodeToken?: string;
  /** Where the routers' per-minute stats are read; without it, stats routes answer 404. */
  readonly routerStats?: RouterStatsStore;
}

/** Declares a route with its parameter, body and query types (trusted: the schemas checked them). */
export function defineRoute<P = Record<string, never>, B = undefined, Q = Record<string, never>>(
  route: ApiRoute<P, B, Q>,
): ApiRoute<P, B, Q> {
  return route;
}
