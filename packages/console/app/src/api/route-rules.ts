import type { Me } from './session';

/** A route's rule as the OpenAPI document shows it (`x-paasmaker-permission`). */
interface DocumentedRule {
  callers: 'anonymous' | 'user' | 'node';
  permission: string | null;
  scope: { kind: string };
}

/** Each operation's rule, keyed `POST /api/v1/versions/{versionId}/start`. */
export type RouteRules = ReadonlyMap<string, DocumentedRule>;

/** Reads the rules from the API's own OpenAPI document: the console never restates them. */
export async function loadRouteRules(): Promise<RouteRules> {
  const response = await fetch('/api/v1/openapi.json', { credentials: 'same-origin' });
  const document = (
    (await response.json()) as { data: { paths: Record<string, Record<string, Record<string, unknown>>> } }
  ).data;
  const rules = new Map<string, DocumentedRule>();
  for (const [path, operations] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(operations))
      rules.set(`${method.toUpperCase()} ${path}`, operation['x-paasmaker-permission'] as DocumentedRule);
  return rules;
}

type Grants = Extract<Me, { kind: 'user' }>['grants'];

const granted = (grants: Grants, permission: string, workspaceId: number | undefined) =>
  grants.some(
    (grant) =>
      grant.permission === permission && (grant.workspaceId === null || grant.workspaceId === workspaceId),
  );

/**
 * Whether the API would let this user call the route on a record of `workspaceId`: the same rule
 * the API enforces (a grant on the workspace or cluster-wide; cluster rules need a cluster grant).
 * Only decides which controls to show; the API checks again.
 */
export function mayCall(rules: RouteRules, me: Me, key: string, workspaceId?: number): boolean {
  if (me.kind !== 'user') return me.kind === 'super';
  const rule = rules.get(key);
  if (!rule || rule.callers === 'node') return false;
  if (rule.callers === 'anonymous' || rule.permission === null || rule.scope.kind === 'filtered') return true;
  if (rule.scope.kind === 'anyWorkspace')
    return me.grants.some((grant) => grant.permission === rule.permission);
  return granted(me.grants, rule.permission, rule.scope.kind === 'cluster' ? undefined : workspaceId);
}
