/**
 * The OS identity tenant code runs as: one unprivileged system user per application, made by
 * {@link TenantUsers}. Core's process helpers (`startProcessGroup`, `runCommand`) start every
 * process of a tenant with it.
 */
export interface Tenant {
  /** The system user's name (`pm-…`). */
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** The application's own folder on this node, owned by the user: its `HOME`. */
  readonly home: string;
  /** Resource limits every process of the tenant starts with. */
  readonly limits: TenantLimits;
}

/** Per-process resource limits of tenant code (`setrlimit`). */
export interface TenantLimits {
  /** Open files (RLIMIT_NOFILE). */
  readonly openFiles: number;
  /** Processes and threads of the tenant's user, all together (RLIMIT_NPROC). */
  readonly processes: number;
}

/** Limits used when a node config sets none. */
export const DEFAULT_TENANT_LIMITS: TenantLimits = { openFiles: 4096, processes: 512 };

/** Which application a tenant is: the workspace's stub and the application's name. */
export interface TenantKey {
  readonly workspaceStub: string;
  readonly application: string;
}
