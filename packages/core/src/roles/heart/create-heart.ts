import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, pino } from 'pino';
import { isPaasmakerError, PaasmakerError } from '../../kernel/errors';
import type { KernelHooks } from '../../kernel/kernel-hooks';
import { KeyedLock } from '../../kernel/keyed-lock';
import type { AnyPlugin } from '../../kernel/plugin-entry';
import type { PluginKernel } from '../../kernel/plugin-kernel';
import type { InstanceState } from '../../kernel/providers/lifecycle-events';
import type { ProviderCall } from '../../kernel/providers/provider-call';
import type { RuntimeInstance, RuntimeProvider } from '../../kernel/providers/runtime-provider';
import { RestartBackoff } from '../../process/restart-backoff';
import type { Tenant } from '../../tenancy/tenant';
import { DATA_FOLDER_LAYOUT, giveToTenant, lockDataFolder } from '../../tenancy/tenant-folders';
import { TenantUsers } from '../../tenancy/tenant-users';
import { type CatalogueEntry, HeartCatalogue } from './heart-catalogue';
import { heartPlugin } from './heart-plugin';
import type {
  Heart,
  HeartInstance,
  HeartInstanceState,
  HeartOptions,
  InstanceRegistration,
} from './heart-types';
import { InstanceLauncher } from './instance-launcher';
import { appendInstanceLog } from './instance-log';
import { InstancePaths } from './instance-paths';
import { InstancePortAllocator } from './instance-port-allocator';
import { installPackage } from './package-installer';

const DEFAULT_PORT_RANGE = { min: 42600, max: 42699 };
/** An instance that stayed up this long starts its restart backoff from the beginning again. */
const BACKOFF_RESET_MS = 60_000;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Creates a heart; add `heart.plugin` to the kernel, then call `start()`. See {@link Heart}. */
export function createHeart(options: HeartOptions): Heart {
  return new LocalHeart(options);
}

/** The state every heart operation shares: catalogue, ports, kernel, state reporting. */
export interface HeartCore {
  readonly nodeName: string;
  readonly paths: InstancePaths;
  readonly log: Logger;
  hooks(): KernelHooks;
  runtimeFor(entry: CatalogueEntry): RuntimeProvider;
  runtimeInstance(entry: CatalogueEntry, environment?: Readonly<Record<string, string>>): RuntimeInstance;
  setState(entry: CatalogueEntry, to: HeartInstanceState): Promise<void>;
  backoff(instanceId: string): RestartBackoff;
  readonly tenants: TenantUsers;
  /** The user the instance's processes run as; `undefined` in single-tenant mode. */
  tenantOf(entry: CatalogueEntry): Promise<Tenant | undefined>;
}

class LocalHeart implements Heart, HeartCore {
  readonly plugin: AnyPlugin;
  readonly nodeName: string;
  readonly paths: InstancePaths;
  readonly log: Logger;
  readonly tenants: TenantUsers;
  private kernel: PluginKernel | undefined;
  private readonly ports: InstancePortAllocator;
  private readonly catalogue: HeartCatalogue;
  private readonly entries = new Map<string, CatalogueEntry>();
  private readonly backoffs = new Map<string, RestartBackoff>();
  private readonly listeners = new Set<(instance: HeartInstance) => void>();
  /** Operations on one instance run one at a time, each after every earlier one settled. */
  private readonly locks = new KeyedLock();
  private readonly launcher: InstanceLauncher;
  private readonly closing = new AbortController();
  private watchTimer: NodeJS.Timeout | undefined;
  private started = false;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: HeartOptions) {
    this.nodeName = options.nodeName;
    this.paths = new InstancePaths(options.dataFolder);
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'heart' });
    this.ports = new InstancePortAllocator(options.portRange ?? DEFAULT_PORT_RANGE);
    this.catalogue = new HeartCatalogue(this.paths.catalogue);
    this.launcher = new InstanceLauncher(this);
    this.tenants = options.tenants ?? new TenantUsers(options.dataFolder);
    this.plugin = heartPlugin(this, (kernel) => {
      this.kernel = kernel;
    });
  }

  hooks(): KernelHooks {
    if (!this.kernel) {
      throw new PaasmakerError(
        'E_PLUGIN_DEPENDENCY',
        "the heart is not part of a kernel yet: add heart.plugin to the kernel's plugins before using the heart.",
      );
    }
    return this.kernel.hooks;
  }

  runtimeFor(entry: CatalogueEntry): RuntimeProvider {
    const name = entry.registration.runtime.name;
    const runtime = this.hooks().runtime.find(name);
    if (!runtime) {
      throw new PaasmakerError(
        'E_PROVIDER_UNKNOWN',
        `no runtime "${name}" on this heart; load a plugin providing it.`,
      );
    }
    return runtime;
  }

  runtimeInstance(entry: CatalogueEntry, environment?: Readonly<Record<string, string>>): RuntimeInstance {
    const { registration, port, instanceId } = entry;
    return {
      instanceId,
      directory: this.paths.app(instanceId),
      stateDirectory: this.paths.state(instanceId),
      ...(port === null ? {} : { port }),
      version: registration.runtime.version,
      parameters: registration.runtime.parameters,
      environment: environment ?? {
        ...registration.environment,
        ...(port === null ? {} : { PORT: String(port), PM_PORT: String(port) }),
      },
      logFile: this.paths.log(instanceId),
    };
  }

  tenantOf(entry: CatalogueEntry): Promise<Tenant | undefined> {
    const { workspaceStub, name } = entry.registration.application;
    return this.tenants.forApplication({ workspaceStub, application: name });
  }

  backoff(instanceId: string): RestartBackoff {
    let backoff = this.backoffs.get(instanceId);
    if (!backoff) {
      const { initial, max } = this.options.restartBackoffMs ?? { initial: 500, max: 30_000 };
      backoff = new RestartBackoff({ initial, max, resetAfterMs: BACKOFF_RESET_MS });
      this.backoffs.set(instanceId, backoff);
    }
    return backoff;
  }

  async setState(entry: CatalogueEntry, to: HeartInstanceState): Promise<void> {
    const from = entry.state;
    if (from === to) return;
    entry.state = to;
    await this.save();
    await this.report(entry.instanceId, from, to);
    const view = this.view(entry);
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch (error) {
        this.log.error({ err: error, instanceId: entry.instanceId }, 'An instance state listener threw.');
      }
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.hooks();
    if (this.tenants.isolating) await lockDataFolder(this.options.dataFolder, DATA_FOLDER_LAYOUT);
    this.tenants.warnIfShared(this.log);
    this.started = true;
    for (const entry of await this.catalogue.load()) {
      this.entries.set(entry.instanceId, entry);
      if (entry.port !== null) this.ports.reserve(entry.port);
    }
    const call = this.internalCall();
    const recovering = [...this.entries.values()].filter((entry) =>
      ['RUNNING', 'STARTING', 'SUSPENDED'].includes(entry.state),
    );
    await Promise.all(
      recovering.map((entry) => this.locks.run(entry.instanceId, () => this.launcher.recover(entry, call))),
    );
    this.scheduleWatch();
  }

  register(registration: InstanceRegistration, call: ProviderCall): Promise<HeartInstance> {
    const { instanceId } = registration;
    if (!INSTANCE_ID.test(instanceId)) {
      return Promise.reject(
        new PaasmakerError('E_DEPLOY_INVALID', `${JSON.stringify(instanceId)} is not a valid instance id.`),
      );
    }
    return this.locks.run(instanceId, async () => {
      if (this.entries.has(instanceId)) {
        throw new PaasmakerError(
          'E_INSTANCE_STATE',
          `instance ${instanceId} is already registered on this heart.`,
        );
      }
      const entry: CatalogueEntry = { instanceId, state: 'REGISTERED', port: null, registration };
      this.runtimeFor(entry);
      const hooks = this.hooks();
      entry.port = registration.standalone ? null : await this.ports.allocate();
      try {
        const tenant = await this.tenantOf(entry);
        // Traversable but not listable by others, so the app's own user (or, in single-tenant
        // mode, a server that drops privileges, as Apache's workers do) can reach the app.
        await mkdir(this.paths.instance(instanceId), { recursive: true, mode: 0o711 });
        await mkdir(this.paths.state(instanceId), { mode: 0o700 });
        await mkdir(path.dirname(this.paths.log(instanceId)), { recursive: true, mode: 0o700 });
        await writeFile(this.paths.log(instanceId), '', { mode: 0o600, flag: 'a' });
        await installPackage(
          hooks,
          registration.package,
          this.paths.download(instanceId),
          this.paths.app(instanceId),
          call,
        );
        if (tenant) await this.giveInstanceTo(instanceId, tenant);
      } catch (error) {
        await this.removeFiles(instanceId);
        if (entry.port !== null) this.ports.release(entry.port);
        call.log.error({ err: error, instanceId }, 'Failed to register the instance.');
        if (isPaasmakerError(error)) throw error;
        throw new PaasmakerError(
          'E_PACKAGE_FETCH',
          `could not fetch or unpack the package of instance ${instanceId}: ${String(error)}`,
          { cause: error },
        );
      }
      this.entries.set(instanceId, entry);
      await this.save();
      await this.report(instanceId, 'ALLOCATED', 'REGISTERED');
      call.log.info({ instanceId, port: entry.port }, 'Instance registered.');
      return this.view(entry);
    });
  }

  startInstance(
    instanceId: string,
    call: ProviderCall,
    options: { environment?: Record<string, string> } = {},
  ): Promise<HeartInstance> {
    return this.locks.run(instanceId, async () => {
      const entry = this.entry(instanceId);
      this.backoff(instanceId).cancel();
      // Kept in the catalogue: the watcher's restarts and a restarted heart use it too.
      if (options.environment) {
        entry.registration = { ...entry.registration, environment: options.environment };
        await this.save();
      }
      await this.launcher.launch(entry, call, { startup: true });
      return this.view(entry);
    });
  }

  stopInstance(instanceId: string, call: ProviderCall): Promise<HeartInstance> {
    return this.locks.run(instanceId, async () => {
      const entry = this.entry(instanceId);
      this.backoff(instanceId).cancel();
      await this.runtimeFor(entry).stop(this.runtimeInstance(entry), call);
      await appendInstanceLog(this.paths.log(instanceId), 'Stopped on request.');
      await this.setState(entry, 'STOPPED');
      call.log.info({ instanceId }, 'Instance stopped.');
      return this.view(entry);
    });
  }

  deregister(instanceId: string, call: ProviderCall): Promise<void> {
    return this.locks.run(instanceId, async () => {
      const entry = this.entries.get(instanceId);
      // Removing what is not there is done: an application's deletion must not stick on an instance this heart lost.
      if (!entry) {
        call.log.warn({ instanceId }, 'Instance is not in the catalogue; nothing to deregister.');
        return;
      }
      if (entry.state === 'RUNNING' || entry.state === 'STARTING') {
        throw new PaasmakerError(
          'E_INSTANCE_STATE',
          `Refusing to de-register an instance in the state ${entry.state}; stop instance ${instanceId} first.`,
        );
      }
      const runtime = this.hooks().runtime.find(entry.registration.runtime.name);
      // Nothing should run any more; make sure before its folder goes.
      await runtime?.stop(this.runtimeInstance(entry), call).catch((error: unknown) => {
        call.log.warn({ err: error, instanceId }, 'Could not stop the instance before deregistering it.');
      });
      await this.removeFiles(instanceId);
      this.entries.delete(instanceId);
      this.backoffs.delete(instanceId);
      if (entry.port !== null) this.ports.release(entry.port);
      await this.save();
      await this.report(instanceId, entry.state, 'DEREGISTERED');
      call.log.info({ instanceId }, 'Instance deregistered.');
    });
  }

  instances(): HeartInstance[] {
    return [...this.entries.values()].map((entry) => this.view(entry));
  }

  instance(instanceId: string): HeartInstance | undefined {
    const entry = this.entries.get(instanceId);
    return entry && this.view(entry);
  }

  onChange(listener: (instance: HeartInstance) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.watchTimer);
    this.closing.abort(new Error('the heart is closing'));
    await this.locks.idle();
    if (this.options.stopInstancesOnClose && this.kernel) {
      const call = { log: this.log, signal: new AbortController().signal };
      for (const entry of this.entries.values()) {
        if (entry.state !== 'RUNNING') continue;
        try {
          await this.runtimeFor(entry).stop(this.runtimeInstance(entry), call);
          await appendInstanceLog(this.paths.log(entry.instanceId), 'Stopped because the heart shut down.');
          await this.setState(entry, 'SUSPENDED');
        } catch (error) {
          this.log.error(
            { err: error, instanceId: entry.instanceId },
            'Could not stop an instance on shutdown.',
          );
        }
      }
    }
    if (this.started) await this.save();
  }

  /** One watcher pass, then the next one is scheduled. */
  private scheduleWatch(): void {
    if (this.closing.signal.aborted) return;
    this.watchTimer = setTimeout(async () => {
      await this.watchOnce().catch((error: unknown) =>
        this.log.error({ err: error }, 'The instance watcher failed.'),
      );
      this.scheduleWatch();
    }, this.options.watchIntervalMs ?? 1_000);
    this.watchTimer.unref();
  }

  private async watchOnce(): Promise<void> {
    const call = this.internalCall();
    for (const entry of [...this.entries.values()]) {
      // An instance being started, stopped or removed is that operation's business.
      if (this.locks.busy(entry.instanceId) || this.closing.signal.aborted) continue;
      await this.locks.run(entry.instanceId, () => this.launcher.watch(entry, call));
    }
  }

  private internalCall(): ProviderCall {
    return { log: this.log, signal: this.closing.signal };
  }

  private entry(instanceId: string): CatalogueEntry {
    const entry = this.entries.get(instanceId);
    if (!entry) {
      throw new PaasmakerError(
        'E_INSTANCE_NOT_FOUND',
        `instance ${instanceId} is not registered on heart ${this.nodeName}.`,
      );
    }
    return entry;
  }

  private view(entry: CatalogueEntry): HeartInstance {
    return {
      instanceId: entry.instanceId,
      state: entry.state,
      port: entry.port,
      registration: entry.registration,
      logFile: this.paths.log(entry.instanceId),
    };
  }

  private save(): Promise<void> {
    return this.catalogue.save([...this.entries.values()]);
  }

  private async report(instanceId: string, from: InstanceState, to: InstanceState): Promise<void> {
    try {
      await this.hooks().instanceStateChanged.promise({ instanceId, nodeId: this.nodeName, from, to });
    } catch (error) {
      this.log.error({ err: error, instanceId, from, to }, 'An instanceStateChanged tap failed.');
    }
  }

  /**
   * The app folder becomes the tenant's alone; the runtime's state folder stays the heart's but
   * lets the tenant pass, so a runtime can hand it files to read (a server's config).
   */
  private async giveInstanceTo(instanceId: string, tenant: Tenant): Promise<void> {
    const app = this.paths.app(instanceId);
    await giveToTenant(app, tenant);
    await chmod(app, 0o700);
    await chmod(this.paths.state(instanceId), 0o711);
    // Its own log, so a server that reopens /dev/stdout or /dev/stderr (Apache) may; the folder
    // around it stays the heart's, so the file cannot be swapped for a link.
    await chown(this.paths.log(instanceId), tenant.uid, tenant.gid);
  }

  private async removeFiles(instanceId: string): Promise<void> {
    await rm(this.paths.instance(instanceId), { recursive: true, force: true });
    await rm(this.paths.log(instanceId), { force: true });
    await rm(this.paths.download(instanceId), { force: true });
  }
}
