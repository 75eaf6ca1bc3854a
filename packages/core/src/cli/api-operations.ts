import type { paths } from '../roles/pacemaker/generated/pacemaker-api-types';

// Types of the pacemaker API's routes, read off the types generated from its OpenAPI document:
// a route, parameter, body or answer the API changed fails the CLI's typecheck.

/** A route's path as the OpenAPI document writes it: `/api/v1/workspaces/{workspaceId}`. */
export type ApiPath = keyof paths;
/** The HTTP methods route `P` answers, lower case as in the document. */
export type ApiMethod<P extends ApiPath> = {
  [M in keyof paths[P]]-?: paths[P][M] extends { responses: unknown } ? M : never;
}[keyof paths[P]] &
  ('get' | 'post' | 'patch' | 'put' | 'delete');

type Operation<P extends ApiPath, M extends ApiMethod<P>> = paths[P][M];
type JsonData<R> = R extends { content: { 'application/json': { data: infer D } } } ? D : never;

/** The `data` of a success of `M P` (200, 201 or 202); `undefined` for a 204. */
export type ApiData<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { responses: infer R }
    ? 204 extends keyof R
      ? undefined
      : JsonData<R[keyof R & (200 | 201 | 202)]>
    : never;

/** The JSON body `M P` takes, or `never`. */
export type ApiBody<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The path parameters of `M P` (`{}` for none). */
export type ApiPathParams<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { parameters: { path: infer X } } ? X : Record<string, never>;

/** The query parameters of `M P` (`{}` for none). */
export type ApiQuery<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { parameters: { query?: infer X } }
    ? [X] extends [undefined]
      ? Record<string, never>
      : NonNullable<X>
    : Record<string, never>;
