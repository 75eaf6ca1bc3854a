import { readFile } from 'node:fs/promises';
import {
  type JsonObject,
  type Kernel,
  type PluginEntry,
  processGroupExists,
  type RuntimeInstance,
  type RuntimeProvider,
} from '@paasmaker/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PortRange } from './free-port';
import { httpStatus } from './http-status';
import { listeningProcesses, processEnvironment } from './listening-processes';
import { processGroupMembers, processGroupOf } from './process-group';
import { processesWithVariable } from './processes-with-variable';
import { providerCall } from './provider-call';
import { testInstance } from './test-instance';
import { throwawayKernel } from './throwaway-kernel';

/** An application the runtime under test can run. */
export interface ConformanceApp {
  /** Its files (relative path → text), written into the instance's `directory`. */
  files: Readonly<Record<string, string>>;
  /** The instance type's runtime parameters. Default `{}`. */
  parameters?: JsonObject;
  /** The path whose `GET` must answer with a status below 500 once it is up. Default `/`. */
  healthPath?: string;
  /** Variables the app needs besides `PATH`, `HOME`, `PORT` and `PM_PORT`. */
  environment?: Readonly<Record<string, string>>;
  /**
   * True when the app starts a child process of its own (a worker, a `sleep`): after each start
   * the suite waits until there is more than one process in the instance's group, so that what it
   * compares (a second start launches nothing, `stop` ends them all) is the whole app.
   */
  startsChildren?: boolean;
}

/** What {@link describeRuntimeConformance} tests. */
export interface RuntimeConformanceOptions {
  /** The runtime's name on `hooks.runtime`, as manifests write it. */
  runtime: string;
  /** The plugins to load, as `createKernel` takes them: the runtime's plugin with its options. */
  plugins: readonly PluginEntry[];
  /** An app listening on `127.0.0.1:$PORT`. */
  app: ConformanceApp;
  /** The version to run, one of `versions()`. Default: the first of them. */
  version?: string;
  /** Where instance ports are picked from (see `freePort`). */
  ports?: PortRange;
  /** How long to wait for the app to answer or for a status to change. Default 30 000 ms. */
  waitMs?: number;
}

/** A variable of the test's process that must not reach an instance (the heart's environment). */
const HEART_ONLY = 'PM_TESTKIT_HEART_ONLY';
/** A variable given to each instance, with a value of its own, to find every process it runs. */
const MARKER = 'PM_TESTKIT_MARKER';

/**
 * Tests that a runtime keeps the contract of the plugin author's guide: its versions include the
 * app's; `start` launches the app as a process group of its own that answers on its port with the
 * instance's environment and nothing of the heart's; a second `start` is a no-op; `stop` ends the
 * whole group, children too, and succeeds again; `status` turns `'stopped'` after a crash and a
 * new `start` brings it back; a new kernel (a restarted heart) sees the instance running and stops
 * it. Linux only: processes are found through `/proc`.
 */
export function describeRuntimeConformance(options: RuntimeConformanceOptions): void {
  const { app } = options;
  const waitMs = options.waitMs ?? 30_000;

  describe(`${options.runtime}: runtime conformance`, () => {
    let kernel: Kernel;
    let runtime: RuntimeProvider;
    const started: RuntimeInstance[] = [];
    const groups = new Set<number>();
    const markers: string[] = [];

    beforeAll(() => {
      process.env[HEART_ONLY] = 'the heart';
    });
    afterAll(() => {
      delete process.env[HEART_ONLY];
    });
    beforeEach(async () => {
      kernel = await throwawayKernel(options.plugins);
      runtime = kernel.provider('runtime', options.runtime);
    });
    afterEach(async () => {
      for (const instance of started.splice(0)) {
        await runtime.stop(instance, providerCall(kernel)).catch((error: unknown) => {
          kernel.log.error({ err: error, instanceId: instance.instanceId }, 'stop after the test failed');
        });
      }
      for (const group of groups) if (processGroupExists(group)) process.kill(-group, 'SIGKILL');
      groups.clear();
      for (const marker of markers.splice(0)) {
        for (const pid of await processesWithVariable(MARKER, marker)) process.kill(pid, 'SIGKILL');
      }
    });

    async function version(): Promise<string> {
      const offered = await runtime.versions(providerCall(kernel));
      const chosen = options.version ?? offered[0];
      if (chosen === undefined) {
        return expect.unreachable(`${options.runtime}: versions() is empty; is the tool it runs installed?`);
      }
      return chosen;
    }

    /** Starts an instance of the app and waits until it answers; its listening process and group. */
    async function startApp() {
      const marker = crypto.randomUUID();
      markers.push(marker);
      const instance = await testInstance({
        version: await version(),
        parameters: app.parameters ?? {},
        files: app.files,
        environment: { ...app.environment, [MARKER]: marker },
        ...(options.ports ? { ports: options.ports } : {}),
      });
      started.push(instance);
      await runtime.start(instance, providerCall(kernel));
      const port = instance.port ?? expect.unreachable('the instance has a port');
      const listener = await waitUntilAnswering(instance, port);
      const group = processGroupOf(listener) ?? expect.unreachable(`process ${listener} ended`);
      expect(
        group,
        `${options.runtime} serves the app from the test's own process group; start instances as process groups of their own (core's startProcessGroup), so that they outlive a heart restart and stop can end them`,
      ).not.toBe(processGroupOf(process.pid));
      groups.add(group);
      // An app that starts children is settled once they run: what the tests compare is complete.
      if (app.startsChildren) {
        await vi.waitFor(async () => expect((await processGroupMembers(group)).length).toBeGreaterThan(1), {
          timeout: waitMs,
        });
      }
      return { instance, port, listener, group, marker };
    }

    async function waitUntilAnswering(instance: RuntimeInstance, port: number): Promise<number> {
      const path = app.healthPath ?? '/';
      try {
        return await vi.waitFor(
          async () => {
            const status = await httpStatus(port, path);
            if (status === undefined || status >= 500)
              throw new Error(`GET ${path} answered ${status ?? 'nothing'}`);
            const [listener] = await listeningProcesses(port);
            if (listener === undefined) throw new Error(`no process listens on port ${port}`);
            return listener;
          },
          { timeout: waitMs, interval: 100 },
        );
      } catch (error) {
        const log = await readFile(instance.logFile, 'utf8').catch(() => '(no instance log)');
        throw new Error(
          `${options.runtime}: the app did not answer on port ${port} within ${waitMs} ms (${error instanceof Error ? error.message : String(error)}). The instance log ends:\n${log.slice(-2000)}`,
        );
      }
    }

    async function statusBecomes(instance: RuntimeInstance, wanted: 'running' | 'stopped'): Promise<void> {
      await vi.waitFor(
        async () => expect(await runtime.status(instance, providerCall(kernel))).toBe(wanted),
        {
          timeout: waitMs,
          interval: 100,
        },
      );
    }

    it('lists versions, among them the one the app asks for', async () => {
      const offered = await runtime.versions(providerCall(kernel));
      expect(offered.length, 'versions() is empty: is the tool this runtime runs installed?').toBeGreaterThan(
        0,
      );
      for (const offer of offered) expect(typeof offer).toBe('string');
      expect(offered).toContain(await version());
    });

    it("starts the app answering on its port, with the instance's environment and nothing of the heart's", async () => {
      const { instance, port, listener } = await startApp();
      expect(await runtime.status(instance, providerCall(kernel))).toBe('running');
      const environment = await processEnvironment(listener);
      expect(environment[MARKER], 'a variable of instance.environment').toBe(instance.environment[MARKER]);
      expect(environment.PORT).toBe(String(port));
      expect(
        environment[HEART_ONLY],
        "a variable of the heart's own environment reached the app",
      ).toBeUndefined();
    });

    it('leaves a running instance as it is when started again', async () => {
      const { instance, port, group, marker } = await startApp();
      const before = await listeningProcesses(port);
      const processes = await processesWithVariable(MARKER, marker);
      await runtime.start(instance, providerCall(kernel));
      expect(await processesWithVariable(MARKER, marker), 'the second start launched processes').toEqual(
        processes,
      );
      expect(await runtime.status(instance, providerCall(kernel))).toBe('running');
      expect(await listeningProcesses(port)).toEqual(before);
      expect(processGroupOf(before[0] ?? 0)).toBe(group);
      expect(await httpStatus(port, app.healthPath)).toBeLessThan(500);
    });

    it('stops the whole process group, children too, and stopping again succeeds', async () => {
      const { instance, port, group, marker } = await startApp();
      const members = await processGroupMembers(group);
      await runtime.stop(instance, providerCall(kernel));
      expect(
        processGroupExists(group),
        `stop resolved while processes ${members.join(', ')} of group ${group} run`,
      ).toBe(false);
      expect(
        await processesWithVariable(MARKER, marker),
        'processes of the instance outside its group',
      ).toEqual([]);
      expect(await listeningProcesses(port)).toEqual([]);
      expect(await runtime.status(instance, providerCall(kernel))).toBe('stopped');
      await runtime.stop(instance, providerCall(kernel));
      expect(await runtime.status(instance, providerCall(kernel))).toBe('stopped');
    });

    it("reports 'stopped' after the instance crashed, and starts it again", async () => {
      const { instance, port, group } = await startApp();
      process.kill(-group, 'SIGKILL');
      await statusBecomes(instance, 'stopped');
      await runtime.start(instance, providerCall(kernel));
      const listener = await waitUntilAnswering(instance, port);
      const restarted = processGroupOf(listener) ?? expect.unreachable(`process ${listener} ended`);
      groups.add(restarted);
      expect(restarted).not.toBe(group);
      expect(await runtime.status(instance, providerCall(kernel))).toBe('running');
    });

    it('is seen running, and stopped, by a new kernel (a restarted heart)', async () => {
      const { instance, port, group } = await startApp();
      const restartedHeart = await throwawayKernel(options.plugins);
      const again = restartedHeart.provider('runtime', options.runtime);
      expect(await again.status(instance, providerCall(restartedHeart))).toBe('running');
      await again.stop(instance, providerCall(restartedHeart));
      expect(processGroupExists(group)).toBe(false);
      expect(await listeningProcesses(port)).toEqual([]);
      expect(await runtime.status(instance, providerCall(kernel))).toBe('stopped');
    });
  });
}
