import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, pino } from 'pino';
import type { ScryptCost } from '../auth/password-hash';
import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import type { PluginEntry } from '../kernel/plugin-entry';
import type { Heart } from '../roles/heart/heart-types';
import type { NginxRouter } from '../roles/router/nginx/start-nginx-router';
import type { Router } from '../roles/router/router';
import { DATA_FOLDER_LAYOUT, lockDataFolder } from '../tenancy/tenant-folders';
import { TenantUsers } from '../tenancy/tenant-users';
import type { FirstStart } from './first-start';
import { type Closer, closeAll } from './node-closers';
import type { NodeConfig } from './node-config-schema';
import { type RunningPacemaker, type RunningRoles, startRoles } from './start-roles';

/** Options of {@link createNode} beyond the config. */
export interface CreateNodeOptions {
  /** Logger of the node; default a pino logger to stdout at the config's `logLevel`. */
  readonly logger?: Logger;
  /** scrypt cost of the first administrator's password hash; default the library's. Lower it only in tests. */
  readonly passwordCost?: ScryptCost;
  /** Plugins given as objects (composing in code), loaded after the config's plugins. */
  readonly plugins?: readonly PluginEntry[];
}

/** A running node: the roles its config names. */
export interface PaasmakerNode {
  readonly name: string;
  readonly config: NodeConfig;
  readonly logger: Logger;
  /** Present when the config names the pacemaker role. */
  readonly pacemaker?: RunningPacemaker;
  /** Present when the config names the heart role: runs the instances. */
  readonly heart?: Heart;
  /** Present when the config names the router role: the built-in HTTP router. */
  readonly router?: Router;
  /** Present when the config names the router role with `nginx`: the nginx router. */
  readonly nginxRouter?: NginxRouter;
  /**
   * Set on a pacemaker's first start only (it had no users): the administrator that was created
   * and its random password. Show it once (`formatFirstStart`); it is not stored in clear.
   */
  readonly firstStart?: FirstStart;
  /** Stops every role, in the reverse order of starting; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a node with the roles and plugins its config names (see `docs/node.md`). For the
 * pacemaker: the model, a kernel with the auth plugins (super and node token, API keys,
 * internal users), the built-in deploy plugins and the config's plugins, the job engine, the
 * node registry and the HTTP API; then the heart (registered with the pacemaker) and the router.
 * If any step fails, what had started is stopped again and the error is thrown
 * (`E_NODE_START` wrapping errors that are not already `PaasmakerError`s).
 */
export async function createNode(
  config: NodeConfig,
  options: CreateNodeOptions = {},
): Promise<PaasmakerNode> {
  const logger = (options.logger ?? pino({ level: config.logLevel })).child({ node: config.name });
  const closers: Closer[] = [];
  let roles: RunningRoles;
  try {
    // Folders made above the data folder get the ordinary mode: tenant users pass through them.
    await mkdir(path.dirname(config.dataFolder), { recursive: true });
    await mkdir(config.dataFolder, { recursive: true, mode: 0o700 });
    const tenants = new TenantUsers(config.dataFolder, config.isolation);
    tenants.warnIfShared(logger);
    if (tenants.isolating) await lockDataFolder(config.dataFolder, DATA_FOLDER_LAYOUT);
    roles = await startRoles(config, logger, closers, { ...options, tenants });
    // Whatever the roles made at the top of the data folder while starting is the node's alone.
    if (tenants.isolating) await lockDataFolder(config.dataFolder, DATA_FOLDER_LAYOUT);
  } catch (error) {
    await closeAll(closers, logger).catch(() => undefined);
    if (isPaasmakerError(error)) throw error;
    throw new PaasmakerError(
      'E_NODE_START',
      `Node ${config.name} failed to start: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  let closing: Promise<void> | undefined;
  return {
    name: config.name,
    config,
    logger,
    ...roles,
    close() {
      closing ??= closeAll(closers, logger);
      return closing;
    },
  };
}
