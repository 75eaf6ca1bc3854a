import { PaasmakerError } from '../../kernel/errors';
import type { KernelHooks } from '../../kernel/kernel-hooks';
import type { AuthCredentials } from '../../kernel/providers/auth';
import { hasPermission, type Permission, type PermissionGrant } from '../../model/permissions';
import type { RoleRepository } from '../../model/role-repository';

/** Who an API request acts as. */
export type ApiCaller =
  | { readonly kind: 'anonymous' }
  /** The cluster super token: every permission. */
  | { readonly kind: 'super'; readonly source: string }
  /** The node token: node routes only. */
  | { readonly kind: 'node'; readonly source: string }
  /** A user, with the grants of their role allocations read at the start of the request. */
  | {
      readonly kind: 'user';
      readonly userId: number;
      readonly grants: readonly PermissionGrant[];
      readonly source: string;
    };

/**
 * The credentials of an `Authorization` header: `Bearer <token or API key>` or HTTP basic
 * `login:password`; undefined when absent or of another scheme.
 */
export function credentialsFromHeader(header: string | undefined): AuthCredentials | undefined {
  if (!header) return undefined;
  const match = /^(\w+) +(\S+)$/.exec(header.trim());
  if (!match?.[2]) return undefined;
  const [, scheme, value] = match;
  if (scheme?.toLowerCase() === 'bearer') return { kind: 'token', token: value };
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { kind: 'password', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Authenticates an `Authorization` header through the kernel's `auth` hook; `E_API_UNAUTHENTICATED` if nobody accepts it. */
export async function authenticateCaller(
  header: string | undefined,
  hooks: Pick<KernelHooks, 'auth'>,
  roles: Pick<RoleRepository, 'permissionsOf'>,
): Promise<ApiCaller> {
  const credentials = credentialsFromHeader(header);
  if (!credentials)
    throw new PaasmakerError(
      'E_API_UNAUTHENTICATED',
      'Authentication required: send Authorization: Bearer <API key or token>, or HTTP basic login:password.',
    );
  const decision = await hooks.auth.promise(credentials);
  if (decision?.outcome !== 'authenticated')
    throw new PaasmakerError(
      'E_API_UNAUTHENTICATED',
      decision?.outcome === 'rejected'
        ? `Authentication failed: ${decision.reason}.`
        : 'Authentication failed: no auth plugin recognised the credentials.',
    );
  const { principal } = decision;
  if (principal.kind !== 'user') return { kind: principal.kind, source: principal.source };
  const userId = Number(principal.userId);
  if (!Number.isSafeInteger(userId) || userId < 1)
    throw new PaasmakerError(
      'E_API_UNAUTHENTICATED',
      `Authentication failed: ${principal.source} named no local user.`,
    );
  return { kind: 'user', userId, grants: await roles.permissionsOf(userId), source: principal.source };
}

/**
 * True when the caller holds `permission` on `workspaceId`, or cluster-wide (without a workspace,
 * only a cluster-wide grant counts). The super token holds everything, nodes and anonymous callers nothing.
 */
export function callerMay(caller: ApiCaller, permission: Permission, workspaceId?: number | null): boolean {
  if (caller.kind === 'super') return true;
  if (caller.kind !== 'user') return false;
  return hasPermission(caller.grants, permission, workspaceId);
}
