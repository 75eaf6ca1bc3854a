/**
 * Every error that crosses the public API of Paasmaker is a {@link PaasmakerError} with one of
 * these stable codes. The catalogue is the single list of codes: `docs/errors.md` documents each,
 * and a test keeps the two in sync.
 */
export const errorCatalogue = {
  E_PLUGIN_INVALID: 'A plugin definition is malformed (missing name, version, apiVersion or setup).',
  E_PLUGIN_NOT_FOUND: 'A plugin package named in the configuration cannot be resolved or imported.',
  E_PLUGIN_OPTIONS: "A plugin's options do not match the JSON Schema the plugin declares.",
  E_PLUGIN_API_VERSION: 'A plugin was written for a different kernel API version.',
  E_PLUGIN_DUPLICATE: 'Two plugins with the same name were given to one kernel.',
  E_PLUGIN_DEPENDENCY: 'A plugin depends on a plugin that is not loaded, or dependencies form a cycle.',
  E_PROVIDER_CONFLICT: 'Two plugins claimed the same provider name on one hook map.',
  E_PROVIDER_UNKNOWN: 'No plugin provides the requested runtime, service, SCM or other provider.',
  E_PLUGIN_SETUP: "A plugin's setup function threw or rejected.",
  E_PLUGIN_SETUP_TIMEOUT: "A plugin's setup function did not finish within the setup timeout.",
  E_KERNEL_CLOSE: 'One or more plugin teardowns failed while the kernel was closing.',
  E_KERNEL_CLOSED: 'The kernel was used after close().',
  E_DRIVER_MISSING:
    'A job store, the model or the API needs a package core does not install (knex, better-sqlite3, pg, ioredis, fastify, ws): it is missing or cannot load.',
  E_JOBS_UNAVAILABLE: 'The job store (Redis or SQL database) cannot be reached.',
  E_JOBS_STORE_FAILED:
    'The job store answered, but an operation failed inside it (a script error, a refused command): a bug, not an outage.',
  E_JOB_TYPE_UNKNOWN: 'A job tree names a job type that no plugin provides.',
  E_JOB_PARAMETERS: "A job's parameters do not match its job type's JSON Schema.",
  E_JOB_TREE_INVALID: 'A job tree is malformed: a cycle, an unknown node, or no jobs.',
  E_JOB_GRAFT: 'Jobs were grafted under a job that already started or finished, or in another tree.',
  E_JOB_NOT_FOUND: 'No job or job tree has the given id.',
  E_JOB_FINISHED: 'A job tree that already finished was asked to abort.',
  E_JOB_FAILED: 'A job tree that was waited for ended with a failed job.',
  E_JOB_ABORTED: 'A job tree that was waited for was aborted.',
  E_JOB_NODE_IN_USE:
    'A job engine was started with a node id whose lease another live process holds (one process per node id).',
  E_JOB_LOG_ID_INVALID: 'A job log was requested with an id that is not a job id (e.g. containing / or ..).',
  E_JOB_LOG_UNAVAILABLE: "A job's log is on a node that cannot be reached.",
  E_JOB_LOG_NOT_FOUND: 'A job has no log on this node (it logged nothing, or ran elsewhere).',
  E_JOB_ENGINE_CLOSED: 'The job engine was used after close().',
  E_JOB_STREAM_MESSAGE: 'A message sent to a job stream endpoint is malformed.',
  E_MODEL_NOT_FOUND:
    'No record of the organisation model has the given id, or a record it refers to is missing.',
  E_MODEL_CONFLICT:
    'A write to the organisation model clashes with a unique field or with records that depend on it.',
  E_MODEL_INVALID:
    'A value given to the organisation model is not allowed (unknown state or permission, bad number).',
  E_MODEL_UNAVAILABLE: "The organisation model's database cannot be reached.",
  E_NODE_INVALID:
    "A node's registration or report, or the node registry's options, do not match their JSON Schema.",
  E_NODE_NOT_FOUND: 'A node reported or stopped under a UUID the node registry does not know.',
  E_NODE_UNREACHABLE:
    'A node registered with a route and API port on which nothing accepts a TCP connection from the pacemaker.',
  E_CONFIG_UNREADABLE: 'A node config file cannot be read (missing, or no permission).',
  E_CONFIG_INVALID:
    'A node config file is not valid YAML, fails its JSON Schema, or names an unset environment variable.',
  E_NODE_START: 'A node failed to start one of its roles; what had started was stopped again.',
  E_AUTH_PASSWORD_PARAMETERS:
    'scrypt parameters given to hashPassword, or stored with a password hash, are malformed or out of bounds.',
  E_API_UNAUTHENTICATED: 'An API request carried no credentials, or credentials no auth plugin accepted.',
  E_API_FORBIDDEN: 'The caller of an API route lacks the permission the route needs (on that workspace).',
  E_API_REQUEST_INVALID:
    'An API request is malformed: bad JSON, a body, parameter or query that fails its JSON Schema.',
  E_API_ROUTE_NOT_FOUND: 'No API route has the requested method and path.',
  E_API_BODY_TOO_LARGE: 'An API request body is larger than the API accepts.',
  E_API_BODY_TOO_DEEP: 'An API request body nests objects and arrays deeper than the API accepts.',
  E_API_LOGIN_RATE_LIMITED: 'Too many password attempts came from one client address in a short time.',
  E_API_UNSUPPORTED_MEDIA_TYPE: 'An API request body is not JSON (Content-Type other than application/json).',
  E_API_ROUTE_UNGUARDED: 'An API route was added without an entry in the route permission table.',
  E_API_INTERNAL:
    'The API hit an unexpected error; the details are in the pacemaker log, not in the response.',
  E_MANIFEST_UNREADABLE: 'An application manifest file cannot be read (missing, or no permission).',
  E_MANIFEST_INVALID:
    'An application manifest is not valid YAML, fails the manifest JSON Schema, or names a plugin that is not loaded.',
  E_SCM_UNSAFE_INPUT:
    'An SCM was given a location, branch or revision that could be taken as an option or a dangerous transport.',
  E_SCM_FAILED: 'An SCM could not produce the working copy (clone, fetch or checkout failed).',
  E_COMMAND_FAILED: 'A prepare or startup command exited non-zero, was killed, or ran past its timeout.',
  E_PACKAGE_UNSAFE_ENTRY:
    'An archive holds an entry that would land outside the folder it is unpacked into (`../`, absolute path, link pointing out).',
  E_PACKAGE_CHECKSUM: 'A fetched package does not match the checksum recorded when it was stored.',
  E_PACKAGE_NOT_FOUND: 'A stored package, or the file a packer or unpacker was given, does not exist.',
  E_PACKAGE_FETCH: 'A heart could not fetch a package from the pacemaker.',
  E_PORT_EXHAUSTED: 'A heart has no free port left in its configured instance port range.',
  E_INSTANCE_NOT_FOUND: 'A heart was asked about an instance that is not in its catalogue.',
  E_INSTANCE_STATE:
    'An instance or version action is not allowed in its current state (e.g. deregistering a running instance).',
  E_TENANT_USER:
    'The system user that tenant code runs as could not be made, found or given its folders (needs root and useradd).',
  E_INSTANCE_START:
    'An instance did not start: its process exited, or it did not answer its health check in time.',
  E_RUNTIME_UNAVAILABLE: 'No node offers the runtime and version an instance type asks for.',
  E_PLACEMENT_NO_NODE:
    'There are active hearts, but the job engine runs jobs on none of them, so no instance can be placed.',
  E_DEPLOY_INVALID: 'A deploy request is malformed: no source, or a source the pacemaker cannot use.',
  E_ROUTER_UNAVAILABLE: "The routing table's Redis cannot be reached to publish the table.",
  E_ROUTER_UNCONFIRMED:
    'The routers did not confirm that they serve the new routing table in time; the switch was undone and the old version keeps serving.',
  E_ROUTER_START:
    'An nginx router did not start: its configuration was refused, a module is missing, or its port is taken.',
  E_SERVICE_UNAVAILABLE:
    'A service plugin cannot reach the server it makes resources on (down, or its admin credentials refused).',
  E_SERVICE_FAILED:
    "A service plugin's server refused to create or remove a resource, or was given credentials the plugin did not make.",
} as const satisfies Record<`E_${string}`, string>;

/** A stable error code; switch on it rather than on the message. */
export type PaasmakerErrorCode = keyof typeof errorCatalogue;

/** The one error type thrown across Paasmaker's public API. */
export class PaasmakerError extends Error {
  override readonly name = 'PaasmakerError';

  /**
   * @param code stable code from {@link errorCatalogue}
   * @param message what happened and what to change, for a person to act on
   * @param options.cause the underlying error, if any
   */
  constructor(
    readonly code: PaasmakerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is a {@link PaasmakerError}, optionally with the given code. */
export function isPaasmakerError(error: unknown, code?: PaasmakerErrorCode): error is PaasmakerError {
  return error instanceof PaasmakerError && (code === undefined || error.code === code);
}
