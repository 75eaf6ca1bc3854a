import { createHash } from 'node:crypto';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import { ensureSystemUser, findSystemUser, removeSystemUser } from './system-users';
import { DEFAULT_TENANT_LIMITS, type Tenant, type TenantKey, type TenantLimits } from './tenant';

/** How a node runs tenant code (node config `isolation`). */
export interface TenantIsolationOptions {
  /**
   * `per-application` (the default when the node runs as root): one system user per
   * application. `single-tenant`: tenant code runs as the node's own user and can read its
   * data; the only mode a node that is not root can have.
   */
  mode?: 'per-application' | 'single-tenant';
  /** Existing users to hand to applications, in order, instead of creating users with useradd. */
  userPool?: readonly string[];
  /** Names of node environment variables passed on to tenant code on purpose. */
  passEnvironment?: readonly string[];
  /** Resource limits of every tenant process. */
  limits?: Partial<TenantLimits>;
}

/** The warning a node logs when tenant code is not isolated. */
export const SINGLE_TENANT_WARNING =
  "single-tenant mode: deployed code can read this node's data (tokens, database, other apps). Run the node as root for a user per application.";

/**
 * The system users tenant code runs as on one node: one per application, made on first use with
 * `useradd --system` (or taken from `userPool`), with `HOME` at `<dataFolder>/tenants/<user>`.
 * In single-tenant mode {@link forApplication} gives `undefined` and processes run as the node.
 */
export class TenantUsers {
  /** True when tenant code runs as users of its own. */
  readonly isolating: boolean;
  readonly passEnvironment: readonly string[];
  private readonly root: string;
  private readonly limits: TenantLimits;
  private readonly pending = new Map<string, Promise<Tenant>>();
  private queue: Promise<unknown> = Promise.resolve();
  private warned = false;

  constructor(
    private readonly dataFolder: string,
    private readonly options: TenantIsolationOptions = {},
  ) {
    const root = process.getuid?.() === 0;
    const mode = options.mode ?? (root ? 'per-application' : 'single-tenant');
    if (mode === 'per-application' && !root)
      throw new PaasmakerError(
        'E_TENANT_USER',
        'isolation.mode per-application needs the node to run as root (to create users and switch to them); use single-tenant or run as root.',
      );
    this.isolating = mode === 'per-application';
    this.passEnvironment = options.passEnvironment ?? [];
    this.root = path.resolve(dataFolder, 'tenants');
    this.limits = { ...DEFAULT_TENANT_LIMITS, ...options.limits };
  }

  /** Logs the single-tenant warning (once) when tenant code is not isolated. */
  warnIfShared(log: Logger): void {
    if (this.isolating || this.warned) return;
    this.warned = true;
    log.warn(SINGLE_TENANT_WARNING);
  }

  /** The home folder tenant code of `key` gets in single-tenant mode. */
  sharedHome(key: TenantKey): string {
    return path.join(this.root, `shared-${userName(this.dataFolder, key)}`);
  }

  /** The tenant of an application, made on first use; `undefined` in single-tenant mode. */
  async forApplication(key: TenantKey): Promise<Tenant | undefined> {
    if (!this.isolating) {
      await mkdir(this.sharedHome(key), { recursive: true, mode: 0o700 });
      return undefined;
    }
    const id = `${key.workspaceStub}/${key.application}`;
    let tenant = this.pending.get(id);
    if (!tenant) {
      tenant = this.make(key);
      this.pending.set(id, tenant);
      tenant.catch(() => this.pending.delete(id));
    }
    return tenant;
  }

  /** Removes every user this node made and the tenants' home folders (tests, node teardown). */
  async removeAll(): Promise<void> {
    for (const user of await this.created()) await removeSystemUser(user);
    await rm(this.root, { recursive: true, force: true });
    this.pending.clear();
  }

  private async make(key: TenantKey): Promise<Tenant> {
    const user = this.options.userPool ? await this.fromPool(key) : userName(this.dataFolder, key);
    const home = path.join(this.root, user);
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    const found = this.options.userPool ? await findSystemUser(user) : await this.createUser(user, home, key);
    if (!found)
      throw new PaasmakerError('E_TENANT_USER', `the pool user ${user} does not exist on this machine.`);
    await mkdir(home, { recursive: true, mode: 0o700 });
    await chown(home, found.uid, found.gid);
    return { user, uid: found.uid, gid: found.gid, home, limits: this.limits };
  }

  private async createUser(user: string, home: string, key: TenantKey) {
    await this.record(user);
    return ensureSystemUser(user, home, `paasmaker ${key.workspaceStub}/${key.application}`);
  }

  /** Hands the next free pool user to `key`; assignments live in `tenants/pool.json`. */
  private fromPool(key: TenantKey): Promise<string> {
    const id = `${key.workspaceStub}/${key.application}`;
    return this.serial(async () => {
      const file = path.join(this.root, 'pool.json');
      const assigned = await readJson<Record<string, string>>(file, {});
      const existing = assigned[id];
      if (existing) return existing;
      const taken = new Set(Object.values(assigned));
      const free = (this.options.userPool ?? []).find((user) => !taken.has(user));
      if (!free)
        throw new PaasmakerError(
          'E_TENANT_USER',
          `every user of isolation.userPool is taken; add users for ${id}.`,
        );
      assigned[id] = free;
      await mkdir(this.root, { recursive: true, mode: 0o711 });
      await writeFile(file, JSON.stringify(assigned), { mode: 0o600 });
      return free;
    });
  }

  /** Notes a user before it is made, so {@link removeAll} finds it even after a crash. */
  private record(user: string): Promise<void> {
    return this.serial(async () => {
      const made = await this.created();
      if (made.includes(user)) return;
      await mkdir(this.root, { recursive: true, mode: 0o711 });
      await writeFile(this.createdFile(), JSON.stringify([...made, user]), { mode: 0o600 });
    });
  }

  /** Runs read-modify-write work on this node's tenant files one at a time. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  private created(): Promise<string[]> {
    return readJson<string[]>(this.createdFile(), []);
  }

  private createdFile(): string {
    return path.join(this.root, 'created-users.json');
  }
}

/** `pm-` and 12 hex digits of a hash of the node's data folder and the application. */
function userName(dataFolder: string, key: TenantKey): string {
  const digest = createHash('sha256')
    .update(`${path.resolve(dataFolder)}\0${key.workspaceStub}\0${key.application}`)
    .digest('hex');
  return `pm-${digest.slice(0, 12)}`;
}

async function readJson<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
}
