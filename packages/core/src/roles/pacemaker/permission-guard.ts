import { isPaasmakerError, PaasmakerError } from '../../kernel/errors';
import type { ApiCaller } from './api-caller';
import { callerMay } from './api-caller';
import type { RouteRule, WorkspaceScope } from './route-permissions';

/** Finds the workspace of records a route names, for {@link WorkspaceScope}s that need a lookup. */
export interface WorkspaceResolver {
  /** The workspace of application `id`; rejects with `E_MODEL_NOT_FOUND` when there is none. */
  workspaceOfApplication(id: number): Promise<number>;
  /** The workspace of the application of version `id`; rejects with `E_MODEL_NOT_FOUND` when there is none. */
  workspaceOfVersion(id: number): Promise<number>;
  /** The workspace of service `id`; rejects with `E_MODEL_NOT_FOUND` when there is none. */
  workspaceOfService(id: number): Promise<number>;
  /** The workspace a job's tree is tagged with (`workspace:<id>`), null when untagged; rejects when unknown. */
  workspaceOfJob(id: string): Promise<number | null>;
}

/**
 * The workspace a rule's permission is checked on: undefined for cluster-wide rules and for
 * records that do not exist (so that only cluster-wide holders learn that an id is unknown).
 */
async function workspaceOf(
  scope: WorkspaceScope,
  params: Readonly<Record<string, unknown>>,
  resolver: WorkspaceResolver,
): Promise<number | undefined> {
  try {
    switch (scope.kind) {
      case 'workspace':
        return Number(params[scope.param]);
      case 'application':
        return await resolver.workspaceOfApplication(Number(params[scope.param]));
      case 'version':
        return await resolver.workspaceOfVersion(Number(params[scope.param]));
      case 'service':
        return await resolver.workspaceOfService(Number(params[scope.param]));
      case 'job':
        return (await resolver.workspaceOfJob(String(params[scope.param]))) ?? undefined;
      default:
        return undefined;
    }
  } catch (error) {
    if (isPaasmakerError(error, 'E_MODEL_NOT_FOUND') || isPaasmakerError(error, 'E_JOB_NOT_FOUND'))
      return undefined;
    throw error;
  }
}

/**
 * Enforces a route's rule: `E_API_UNAUTHENTICATED` for an anonymous caller of a guarded route,
 * `E_API_FORBIDDEN` when the caller lacks what the rule asks. The super token passes every rule.
 */
export async function enforceRouteRule(
  rule: RouteRule,
  caller: ApiCaller,
  params: Readonly<Record<string, unknown>>,
  resolver: WorkspaceResolver,
): Promise<void> {
  if (rule.callers === 'anonymous' || caller.kind === 'super') return;
  if (caller.kind === 'anonymous')
    throw new PaasmakerError('E_API_UNAUTHENTICATED', 'Authentication required.');
  if (caller.kind === 'node') {
    if (rule.callers === 'node') return;
    throw new PaasmakerError('E_API_FORBIDDEN', 'The node token may call node routes only.');
  }
  if (rule.callers === 'node') throw new PaasmakerError('E_API_FORBIDDEN', 'Only nodes may call this route.');
  if (rule.self !== undefined && Number(params[rule.self]) === caller.userId) return;
  if (rule.permission === null || rule.scope.kind === 'filtered') return;
  if (rule.scope.kind === 'anyWorkspace') {
    const permission = rule.permission;
    if (caller.grants.some((grant) => grant.permission === permission)) return;
    throw new PaasmakerError(
      'E_API_FORBIDDEN',
      `This needs the permission ${permission}, on some workspace or cluster-wide.`,
    );
  }
  const workspaceId = await workspaceOf(rule.scope, params, resolver);
  if (callerMay(caller, rule.permission, workspaceId)) return;
  throw new PaasmakerError('E_API_FORBIDDEN', forbiddenMessage(rule.permission, rule.scope));
}

/** What the record a scoped rule names is called in a refusal. */
const RECORD_NAMES: Partial<Record<WorkspaceScope['kind'], string>> = {
  workspace: 'this workspace',
  application: "this application's workspace",
  version: "this version's workspace",
  service: "this service's workspace",
  job: "this job's workspace",
};

/**
 * The refusal of a rule, made from the rule alone: never from the record, so that a record of
 * another workspace and a record that does not exist get the very same answer (naming neither
 * the workspace that owns it nor whether it exists).
 */
function forbiddenMessage(permission: string, scope: WorkspaceScope): string {
  const record = RECORD_NAMES[scope.kind];
  return record
    ? `This needs the permission ${permission} on ${record}, or cluster-wide.`
    : `This needs the permission ${permission}, held cluster-wide.`;
}
