export { type ApiCaller, authenticateCaller, callerMay, credentialsFromHeader } from './api-caller';
export { API_ERROR_STATUS, type ApiErrorBody, type ApiFieldError } from './api-errors';
export { type ApiCall, type ApiContext, type ApiRoute, type ApiRouteSchema, defineRoute } from './api-route';
export type {
  operations as PacemakerApiOperations,
  paths as PacemakerApiPaths,
} from './generated/pacemaker-api-types';
export * from './health/index';
export { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-body-parser';
export { DEFAULT_LOGIN_RATE_LIMIT, type LoginRateLimit } from './login-rate-limit';
export * from './node-registry/index';
export { buildOpenApiDocument, type DocumentedRoute } from './openapi-document';
export {
  API_PREFIX,
  createPacemakerApi,
  DEFAULT_API_BODY_LIMIT,
  JOB_STREAM_PATH,
  type PacemakerApi,
  type PacemakerApiOptions,
} from './pacemaker-api';
export type { PacemakerApiSchemas } from './pacemaker-api-schemas';
export { PACEMAKER_ROUTE_KEY, pacemakerHostname } from './pacemaker-route';
export { enforceRouteRule, type WorkspaceResolver } from './permission-guard';
export {
  ROUTE_PERMISSIONS,
  type RouteKey,
  type RoutePermissionTable,
  type RouteRule,
  type WorkspaceScope,
} from './route-permissions';
