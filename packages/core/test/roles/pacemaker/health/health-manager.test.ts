import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../../src/kernel/errors';
import type { JsonValue } from '../../../../src/kernel/json-schema';
import type { KernelHooks } from '../../../../src/kernel/kernel-hooks';
import { ProviderHookMap } from '../../../../src/kernel/provider-hook-map';
import {
  defineHealthCheck,
  type HealthCheckProvider,
} from '../../../../src/kernel/providers/health-check-provider';
import { HealthManager } from '../../../../src/roles/pacemaker/health/health-manager';
import { HealthSignals } from '../../../../src/roles/pacemaker/health/health-signals';

const silent = pino({ enabled: false });

/** A healthCheck hook map with checks that count their runs (and may fail or wait). */
function hooksWith(checks: Record<string, (parameters: object) => Promise<void>>) {
  const healthCheck = new ProviderHookMap<HealthCheckProvider>('healthCheck');
  const runs: Record<string, object[]> = {};
  for (const [name, body] of Object.entries(checks)) {
    runs[name] = [];
    healthCheck.for(name).tap('test', () => ({
      async check(parameters) {
        runs[name]?.push(parameters);
        await body(parameters);
        return { summary: 'ok' };
      },
    }));
  }
  return { hooks: { healthCheck } as Pick<KernelHooks, 'healthCheck'>, runs };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('HealthManager', () => {
  const managers: HealthManager[] = [];
  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
  });

  it('runs each enabled check on its schedule with its parameters, and goes on after a failure', async () => {
    const { hooks, runs } = hooksWith({
      'a.often': async () => {},
      'a.failing': async () => {
        throw new Error('broken');
      },
      'a.off': async () => {},
    });
    const manager = new HealthManager({
      hooks,
      intervalMs: 20,
      checks: { 'a.off': { enabled: false }, 'a.often': { parameters: { depth: 2 } } },
      logger: silent,
    });
    managers.push(manager);
    manager.start();
    expect(manager.checks).toEqual(['a.often', 'a.failing']);
    await until(() => (runs['a.often']?.length ?? 0) >= 3 && (runs['a.failing']?.length ?? 0) >= 3);
    expect(runs['a.often']?.[0]).toEqual({ depth: 2 });
    expect(runs['a.off']).toEqual([]);
  });

  it("refuses to start when a check's parameters do not match its parametersSchema", async () => {
    const healthCheck = new ProviderHookMap<HealthCheckProvider>('healthCheck');
    const seen: number[] = [];
    healthCheck.for('a.typed').tap('test', () =>
      defineHealthCheck({
        parametersSchema: { type: 'object', properties: { depth: { type: 'integer' } }, required: ['depth'] },
        async check(parameters) {
          seen.push(parameters.depth);
          return { summary: 'ok' };
        },
      }),
    );
    const manager = (depth: JsonValue) =>
      new HealthManager({
        hooks: { healthCheck },
        intervalMs: 20,
        checks: { 'a.typed': { parameters: { depth } } },
        logger: silent,
      });
    const bad = manager('deep');
    managers.push(bad);
    let error: unknown;
    try {
      bad.start();
    } catch (caught) {
      error = caught;
    }
    expect(isPaasmakerError(error, 'E_CONFIG_INVALID')).toBe(true);
    expect(String(error)).toContain(
      'roles.pacemaker.health.checks.a.typed.parameters.depth must be an integer',
    );
    const good = manager(3);
    managers.push(good);
    good.start();
    await until(() => seen.length > 0);
    expect(seen[0]).toBe(3);
  });

  it('runs a check at once on runSoon, never twice at the same time, and stops on close()', async () => {
    let running = 0;
    let most = 0;
    const { hooks, runs } = hooksWith({
      'b.slow': async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
      },
    });
    const manager = new HealthManager({ hooks, intervalMs: 3_600_000, logger: silent });
    managers.push(manager);
    manager.start();
    await Promise.all([manager.runSoon('b.slow'), manager.runSoon('b.slow'), manager.runSoon('b.slow')]);
    expect(runs['b.slow']?.length).toBe(2);
    expect(most).toBe(1);
    await manager.close();
    await manager.runSoon('b.slow');
    expect(runs['b.slow']?.length).toBe(2);
  });
});

describe('HealthSignals', () => {
  it('counts ERROR reports, and unknown or retired instances named in reports in a row', () => {
    const signals = new HealthSignals();
    const error = { instanceId: 'i1', from: 'RUNNING', to: 'ERROR' } as const;
    signals.instanceStates([error, { instanceId: 'i2', from: 'STARTING', to: 'RUNNING' }]);
    signals.instanceStates([error]);
    expect(signals.failing(2)).toEqual(['i1']);
    signals.forgetErrors('i1');
    expect(signals.failing(1)).toEqual([]);

    const report = (ids: string[]) =>
      signals.reported({
        node: { name: 'h1' } as never,
        updatedInstances: [],
        warnings: ids.map((instanceId) => ({
          instanceId,
          reason:
            instanceId === 'r' ? 'retired-instance' : instanceId === 'o' ? 'other-node' : 'unknown-instance',
          message: '',
        })),
      });
    report(['x', 'y', 'r', 'o']);
    expect(signals.strayInstances(2)).toEqual(new Map());
    report(['x', 'r', 'o']);
    expect(signals.strayInstances(2)).toEqual(new Map([['h1', ['x', 'r']]]));
    report([]);
    expect(signals.strayInstances(1)).toEqual(new Map());
  });
});
