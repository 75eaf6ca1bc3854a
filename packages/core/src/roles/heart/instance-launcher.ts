import { isPaasmakerError, PaasmakerError } from '../../kernel/errors';
import type { ProviderCall } from '../../kernel/providers/provider-call';
import type { RuntimeInstance, RuntimeProvider } from '../../kernel/providers/runtime-provider';
import { isPortInUse } from '../../net/port-probe';
import type { Tenant } from '../../tenancy/tenant';
import { runAsTenant } from '../../tenancy/tenant-context';
import { tenantBaseEnvironment } from '../../tenancy/tenant-environment';
import type { HeartCore } from './create-heart';
import type { CatalogueEntry } from './heart-catalogue';
import { buildInstanceEnvironment } from './instance-environment-builder';
import { waitUntilHealthy } from './instance-health-wait';
import { appendInstanceLog, tailInstanceLog } from './instance-log';

/** Lines of the instance log copied into the job log when a start fails. */
const LOG_LINES_ON_FAILURE = 50;

/**
 * Starts instances and brings them back: the explicit start (startup steps, runtime start,
 * health wait), recovery after a heart restart, and the watcher's crash check and restart.
 * The caller holds the instance's lock.
 */
export class InstanceLauncher {
  constructor(private readonly heart: HeartCore) {}

  /**
   * Starts `entry` and waits until it answers. `startup: false` skips the startup steps (a
   * restart of an instance whose release steps already ran).
   */
  async launch(entry: CatalogueEntry, call: ProviderCall, options: { startup: boolean }): Promise<void> {
    try {
      const tenant = await this.heart.tenantOf(entry);
      // Startup steps and whatever the runtime starts run as the application's own user.
      await runAsTenant(tenant, () => this.launchSteps(entry, tenant, call, options));
    } catch (error) {
      // Whatever failed (environment hook, runtime status...), the instance must not stay STARTING.
      if (entry.state === 'STARTING') await this.heart.setState(entry, 'ERROR');
      throw error;
    }
  }

  private async launchSteps(
    entry: CatalogueEntry,
    tenant: Tenant | undefined,
    call: ProviderCall,
    options: { startup: boolean },
  ): Promise<void> {
    const { heart } = this;
    const { instanceId, registration, port } = entry;
    const logFile = heart.paths.log(instanceId);
    let runtime: RuntimeProvider;
    try {
      runtime = heart.runtimeFor(entry);
    } catch (error) {
      await heart.setState(entry, 'ERROR');
      throw error;
    }
    await heart.setState(entry, 'STARTING');
    const { workspaceStub, name } = registration.application;
    const base = tenantBaseEnvironment({
      home: tenant?.home ?? heart.tenants.sharedHome({ workspaceStub, application: name }),
      passEnvironment: heart.tenants.passEnvironment,
    });
    const environment = await buildInstanceEnvironment(heart.hooks(), registration, port, base);
    if (options.startup) await this.runStartup(entry, environment, call);
    const instance = heart.runtimeInstance(entry, environment);
    if ((await runtime.status(instance, call)) === 'running') {
      call.log.info({ instanceId }, 'Found instance already running.');
      await this.running(entry);
      return;
    }
    if (port !== null && (await isPortInUse(port))) {
      await this.fail(
        entry,
        runtime,
        instance,
        call,
        `the port allocated to it (${port}) was already in use`,
      );
    }
    await appendInstanceLog(logFile, 'Starting.');
    try {
      await runtime.start(instance, call);
    } catch (error) {
      await this.fail(
        entry,
        runtime,
        instance,
        call,
        `the runtime could not start it: ${message(error)}`,
        error,
      );
    }
    let outcome: Awaited<ReturnType<typeof waitUntilHealthy>>;
    try {
      outcome = await waitUntilHealthy({
        port,
        path: registration.healthCheck.path,
        timeoutMs: registration.healthCheck.timeoutSeconds * 1000,
        isRunning: async () => (await runtime.status(instance, call)) === 'running',
        signal: call.signal,
      });
    } catch (error) {
      await this.fail(entry, runtime, instance, call, 'the start was aborted', error);
      return;
    }
    if (!outcome.healthy) await this.fail(entry, runtime, instance, call, outcome.reason);
    await appendInstanceLog(logFile, port === null ? 'Running.' : `Running; answering on port ${port}.`);
    call.log.info({ instanceId, port }, 'Instance is running.');
    await this.running(entry);
  }

  /** After a heart restart: re-adopts `entry` if it still runs, restarts it if not. */
  async recover(entry: CatalogueEntry, call: ProviderCall): Promise<void> {
    const { heart } = this;
    const { instanceId } = entry;
    let runtime: RuntimeProvider;
    try {
      runtime = heart.runtimeFor(entry);
    } catch (error) {
      heart.log.error({ err: error, instanceId }, 'Cannot recover an instance whose runtime is missing.');
      await heart.setState(entry, 'ERROR');
      return;
    }
    if ((await runtime.status(heart.runtimeInstance(entry), call)) === 'running') {
      heart.log.info({ instanceId }, 'Instance still running; re-adopted.');
      await this.running(entry);
      return;
    }
    await appendInstanceLog(
      heart.paths.log(instanceId),
      'Found not running after the heart restarted; starting it again.',
    );
    await this.restart(entry, call);
  }

  /** One watcher pass over `entry`: notices a crash, and restarts an exited instance once its backoff allows. */
  async watch(entry: CatalogueEntry, call: ProviderCall): Promise<void> {
    const { heart } = this;
    const backoff = heart.backoff(entry.instanceId);
    if (entry.state === 'RUNNING') {
      const runtime = heart.hooks().runtime.find(entry.registration.runtime.name);
      if (!runtime || (await runtime.status(heart.runtimeInstance(entry), call)) === 'running') return;
      const delay = backoff.failed();
      await appendInstanceLog(
        heart.paths.log(entry.instanceId),
        `Determined not to be running. Restarting it in ${delay} ms.`,
      );
      heart.log.warn({ instanceId: entry.instanceId, delay }, 'Instance is no longer running.');
      await heart.setState(entry, 'ERROR');
      return;
    }
    if (entry.state === 'ERROR' && backoff.due !== null && Date.now() >= backoff.due) {
      await this.restart(entry, call);
    }
  }

  /** Starts an instance the heart found down; a failure schedules the next attempt. */
  private async restart(entry: CatalogueEntry, call: ProviderCall): Promise<void> {
    try {
      await this.launch(entry, call, { startup: false });
    } catch (error) {
      const delay = this.heart.backoff(entry.instanceId).failed();
      this.heart.log.error(
        { err: error, instanceId: entry.instanceId, delay },
        'Restarting the instance failed.',
      );
      await appendInstanceLog(
        this.heart.paths.log(entry.instanceId),
        `Restart failed; trying again in ${delay} ms.`,
      );
    }
  }

  private async running(entry: CatalogueEntry): Promise<void> {
    this.heart.backoff(entry.instanceId).started();
    await this.heart.setState(entry, 'RUNNING');
  }

  private async runStartup(
    entry: CatalogueEntry,
    environment: Readonly<Record<string, string>>,
    call: ProviderCall,
  ): Promise<void> {
    const { heart } = this;
    const directory = heart.paths.app(entry.instanceId);
    for (const step of entry.registration.startup) {
      try {
        const provider = heart.hooks().startup.find(step.plugin);
        if (!provider) {
          throw new PaasmakerError(
            'E_PROVIDER_UNKNOWN',
            `no startup step "${step.plugin}" on this heart; load a plugin providing it.`,
          );
        }
        call.log.info({ plugin: step.plugin }, 'Running startup step.');
        await provider.run({ directory, environment, parameters: step.parameters }, call);
      } catch (error) {
        await appendInstanceLog(
          heart.paths.log(entry.instanceId),
          `Failed to execute startup command ${step.plugin}: ${message(error)}`,
        );
        await heart.setState(entry, 'ERROR');
        if (isPaasmakerError(error)) throw error;
        throw new PaasmakerError(
          'E_COMMAND_FAILED',
          `startup step ${step.plugin} failed: ${message(error)}`,
          { cause: error },
        );
      }
    }
  }

  /** Leaves nothing running, records ERROR, copies the instance log into the job log, throws. */
  private async fail(
    entry: CatalogueEntry,
    runtime: RuntimeProvider,
    instance: RuntimeInstance,
    call: ProviderCall,
    reason: string,
    cause?: unknown,
  ): Promise<never> {
    const { heart } = this;
    const logFile = heart.paths.log(entry.instanceId);
    // Stopping must happen even when the caller's signal already aborted.
    const stopCall = { log: call.log, signal: new AbortController().signal };
    await runtime.stop(instance, stopCall).catch((error: unknown) => {
      call.log.error(
        { err: error, instanceId: entry.instanceId },
        'Could not stop the instance that failed to start.',
      );
    });
    await appendInstanceLog(logFile, `Failed to start: ${reason}.`);
    await heart.setState(entry, 'ERROR');
    const lines = await tailInstanceLog(logFile, LOG_LINES_ON_FAILURE);
    call.log.error(`Instance ${entry.instanceId} failed to start: ${reason}. Last lines of its log:`);
    for (const line of lines) call.log.error(`  ${line}`);
    throw new PaasmakerError(
      'E_INSTANCE_START',
      `instance ${entry.instanceId} (${describe(entry)}) did not start: ${reason}.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function describe(entry: CatalogueEntry): string {
  const { application } = entry.registration;
  return `${application.name} version ${application.version}, ${application.instanceType}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
