/** The 26 permissions of the original Paasmaker, each held cluster-wide or on one workspace. */
export const PERMISSIONS = [
  'USER_LIST',
  'USER_EDIT',
  'ROLE_LIST',
  'ROLE_EDIT',
  'ROLE_ASSIGN',
  'WORKSPACE_EDIT',
  'WORKSPACE_LIST',
  'WORKSPACE_VIEW',
  'WORKSPACE_DELETE',
  'JOB_ABORT',
  'FILE_UPLOAD',
  'APPLICATION_CREATE',
  'APPLICATION_DEPLOY',
  'APPLICATION_DELETE',
  'APPLICATION_ROUTING',
  'SERVICE_VIEW',
  'SERVICE_CREDENTIAL_VIEW',
  'SERVICE_EXPORT',
  'SERVICE_IMPORT',
  'SERVICE_TUNNEL',
  'APPLICATION_VIEW_MANIFEST',
  'NODE_LIST',
  'NODE_DETAIL_VIEW',
  'SYSTEM_ADMINISTRATION',
  'SYSTEM_OVERVIEW',
  'HEALTH_CHECK',
] as const;

/** A permission name. */
export type Permission = (typeof PERMISSIONS)[number];

/** True when `name` is one of {@link PERMISSIONS}. */
export function isPermission(name: unknown): name is Permission {
  return (PERMISSIONS as readonly unknown[]).includes(name);
}

/** A permission a user holds: on one workspace, or cluster-wide when `workspaceId` is null. */
export interface PermissionGrant {
  readonly permission: Permission;
  readonly workspaceId: number | null;
}

/**
 * The permission check of the original: with a workspace, passes if `permission` is granted on
 * that workspace or cluster-wide; without one, passes only for a cluster-wide grant (so a
 * workspace-scoped admin cannot manage users, as in the original).
 */
export function hasPermission(
  grants: readonly PermissionGrant[],
  permission: Permission,
  workspaceId?: number | null,
): boolean {
  return grants.some(
    (grant) =>
      grant.permission === permission &&
      (grant.workspaceId === null || (workspaceId != null && grant.workspaceId === workspaceId)),
  );
}
