import type { Tenant } from './tenant';

/**
 * The argv that runs `argv` as `tenant`: `prlimit` lowers the resource limits, then `setpriv`
 * drops to the tenant's uid and gid with no supplementary groups, no capabilities (inheritable,
 * ambient or bounding) and `no_new_privs`, so no setuid program can win them back. Both are
 * util-linux programs that `exec` in place: the pid the caller gets is the tenant's process.
 */
export function tenantArgv(tenant: Tenant, argv: readonly string[]): [string, ...string[]] {
  const { openFiles, processes } = tenant.limits;
  return [
    'prlimit',
    `--nofile=${openFiles}:${openFiles}`,
    `--nproc=${processes}:${processes}`,
    '--',
    'setpriv',
    `--reuid=${tenant.uid}`,
    `--regid=${tenant.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    ...argv,
  ];
}

/** `argv` as it is run: through {@link tenantArgv} when there is a tenant. `argv` must not be empty. */
export function commandFor(argv: readonly string[], tenant: Tenant | undefined): [string, ...string[]] {
  if (tenant) return tenantArgv(tenant, argv);
  const [file = '', ...args] = argv;
  return [file, ...args];
}
