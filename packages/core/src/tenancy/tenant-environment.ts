/** Variables of the node's own environment that tenant code gets without being asked for. */
export const ALWAYS_PASSED_VARIABLES = ['PATH', 'LANG', 'LC_ALL', 'TZ'] as const;

const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The base environment of every tenant process, built by allow-list: `PATH`, `LANG`, `LC_ALL`
 * and `TZ` from `nodeEnvironment`, the names in `passEnvironment` (a node setting for passing
 * variables on purpose), and `HOME` (the tenant's own folder). Nothing else of the node's
 * environment — tokens, database or Redis passwords — reaches tenant code. The caller adds
 * the platform's `PM_*` variables, service credentials and config variables on top.
 */
export function tenantBaseEnvironment(options: {
  home: string;
  passEnvironment?: readonly string[];
  nodeEnvironment?: Readonly<Record<string, string | undefined>>;
}): Record<string, string> {
  const source = options.nodeEnvironment ?? process.env;
  const environment: Record<string, string> = { PATH: FALLBACK_PATH };
  for (const name of [...ALWAYS_PASSED_VARIABLES, ...(options.passEnvironment ?? [])]) {
    const value = source[name];
    if (value !== undefined) environment[name] = value;
  }
  environment.HOME = options.home;
  return environment;
}
