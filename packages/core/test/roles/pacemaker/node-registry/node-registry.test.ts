import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKernel, type Kernel } from '../../../../src/kernel';
import { isPaasmakerError, PaasmakerError } from '../../../../src/kernel/errors';
import type { NodeStateChange } from '../../../../src/kernel/providers/lifecycle-events';
import { createModel, type Model } from '../../../../src/model';
import {
  NodeInputError,
  type NodeRegistration,
  NodeRegistry,
} from '../../../../src/roles/pacemaker/node-registry';
import { type ModelBackend, modelBackends, unique } from '../../../model/model-backends';

const INTERVAL = 60_000;

async function rejection(promise: Promise<unknown>): Promise<PaasmakerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PaasmakerError);
    return error as PaasmakerError;
  }
  throw new Error('expected a rejection');
}

function registration(overrides: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    name: unique('node'),
    route: `${unique('host')}.example.test`,
    apiPort: 42500,
    roles: { heart: true },
    runtimes: { 'paasmaker.runtime.node': ['20', '22'] },
    tags: { zone: 'a' },
    ...overrides,
  };
}

interface Fixture {
  backend: ModelBackend;
  model: Model;
  kernel: Kernel;
  changes: NodeStateChange[];
  now: { ms: number };
  registry(options?: { inactiveAfterMs?: number; downAfterMs?: number }): NodeRegistry;
}

async function openFixture(open: () => Promise<ModelBackend>): Promise<Fixture> {
  const backend = await open();
  const model = await createModel(backend.options);
  const kernel = await createKernel({ plugins: [] });
  const changes: NodeStateChange[] = [];
  kernel.hooks.nodeStateChanged.tapPromise('test', async (change) => {
    changes.push(change);
  });
  const now = { ms: Date.UTC(2030, 0, 1) };
  return {
    backend,
    model,
    kernel,
    changes,
    now,
    registry: (options = {}) =>
      new NodeRegistry({ model, kernel, reportIntervalMs: INTERVAL, clock: () => now.ms, ...options }),
  };
}

async function closeFixture(fixture: Fixture | undefined): Promise<void> {
  await fixture?.kernel.close();
  await fixture?.model.close();
  await fixture?.backend.cleanUp();
}

describe.each(modelBackends)('node registry on $name', ({ open }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(open);
  });
  afterAll(() => closeFixture(f));

  it('follows a node through register, reports, silence, return, stop and re-registration', async () => {
    const registry = f.registry();
    const start = f.now.ms;
    const changesOf = (uuid: string) => f.changes.filter((c) => c.nodeId === uuid);

    const uuid = await registry.register(registration({ score: 0.25 }));
    const registered = await registry.get(uuid);
    expect(registered).toMatchObject({
      uuid,
      state: 'ACTIVE',
      score: 0.25,
      roles: { heart: true, router: false },
    });
    expect(registered?.runtimes).toEqual({ 'paasmaker.runtime.node': ['20', '22'] });
    expect(registered?.lastHeardAt?.getTime()).toBe(start);
    expect(changesOf(uuid)).toEqual([{ nodeId: uuid, to: 'ACTIVE' }]);

    // Reports every interval keep it ACTIVE, even when the sweep runs long after the start.
    for (let i = 1; i <= 4; i += 1) {
      f.now.ms = start + i * INTERVAL;
      await registry.report(uuid, { score: 0.1 * i, instances: [], stats: { load: i, platform: 'linux' } });
      await registry.checkNodes();
    }
    expect(await registry.get(uuid)).toMatchObject({ state: 'ACTIVE', score: 0.4 });
    expect(registry.statsOf(uuid)).toEqual({ load: 4, platform: 'linux' });
    expect(changesOf(uuid)).toHaveLength(1);

    // Silence: just short of 2 intervals nothing happens, then INACTIVE, then DOWN at 5 intervals.
    const lastReport = f.now.ms;
    expect(await registry.checkNodes(lastReport + 2 * INTERVAL - 1)).toEqual([]);
    expect(await registry.checkNodes(lastReport + 2 * INTERVAL)).toContainEqual({
      nodeId: uuid,
      from: 'ACTIVE',
      to: 'INACTIVE',
    });
    expect((await registry.get(uuid))?.state).toBe('INACTIVE');
    await registry.checkNodes(lastReport + 5 * INTERVAL - 1);
    expect((await registry.get(uuid))?.state).toBe('INACTIVE');
    await registry.checkNodes(new Date(lastReport + 5 * INTERVAL));
    expect((await registry.get(uuid))?.state).toBe('DOWN');
    expect(changesOf(uuid).slice(1)).toEqual([
      { nodeId: uuid, from: 'ACTIVE', to: 'INACTIVE' },
      { nodeId: uuid, from: 'INACTIVE', to: 'DOWN' },
    ]);
    // A DOWN node stays DOWN (no repeated hooks).
    await registry.checkNodes(lastReport + 50 * INTERVAL);
    expect(changesOf(uuid)).toHaveLength(3);

    // A report brings it back.
    f.now.ms = lastReport + 6 * INTERVAL;
    const back = await registry.report(uuid, { score: 0.5, instances: [] });
    expect(back.node.state).toBe('ACTIVE');
    expect(changesOf(uuid).at(-1)).toEqual({ nodeId: uuid, from: 'DOWN', to: 'ACTIVE' });

    // A clean stop: STOPPED, and the sweep leaves it however long it stays silent.
    expect((await registry.stop(uuid)).state).toBe('STOPPED');
    expect(changesOf(uuid).at(-1)).toEqual({ nodeId: uuid, from: 'ACTIVE', to: 'STOPPED' });
    const hooksBefore = changesOf(uuid).length;
    expect(await registry.checkNodes(f.now.ms + 100 * INTERVAL)).not.toContainEqual(
      expect.objectContaining({ nodeId: uuid }),
    );
    expect((await registry.get(uuid))?.state).toBe('STOPPED');
    expect(changesOf(uuid)).toHaveLength(hooksBefore);

    // The returning node re-registers with its UUID: the same record, ACTIVE again.
    const before = await registry.get(uuid);
    f.now.ms += 200 * INTERVAL;
    const again = await registry.register(registration({ uuid, name: 'renamed', route: before?.route }));
    expect(again).toBe(uuid);
    const after = await registry.get(uuid);
    expect(after).toMatchObject({ id: before?.id, uuid, state: 'ACTIVE', name: 'renamed' });
    expect(after?.lastHeardAt?.getTime()).toBe(f.now.ms);
    expect(changesOf(uuid).at(-1)).toEqual({ nodeId: uuid, from: 'STOPPED', to: 'ACTIVE' });
    expect((await registry.list()).filter((node) => node.uuid === uuid)).toHaveLength(1);
    expect((await registry.list({ state: 'ACTIVE' })).map((node) => node.uuid)).toContain(uuid);
  });
});

describe('node registry on sqlite', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(modelBackends[0].open);
  });
  afterAll(() => closeFixture(f));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stores reported instance states and skips unknown or foreign instances with a warning', async () => {
    const registry = f.registry();
    const uuid = await registry.register(registration());
    const other = await registry.register(registration());
    const node = await f.model.nodes.findByUuid(uuid);
    const otherNode = await f.model.nodes.findByUuid(other);
    const workspace = await f.model.workspaces.create({ name: unique('ws'), stub: unique('stub') });
    const application = await f.model.applications.create({ workspaceId: workspace.id, name: unique('app') });
    const version = await f.model.versions.create({
      applicationId: application.id,
      scmName: 'paasmaker.scm.git',
    });
    const type = await f.model.instanceTypes.create({
      versionId: version.id,
      name: 'web',
      runtimeName: 'paasmaker.runtime.node',
      runtimeVersion: '22',
    });
    const mine = await f.model.instances.create({ instanceTypeId: type.id, nodeId: node?.id ?? 0 });
    const same = await f.model.instances.create({ instanceTypeId: type.id, nodeId: node?.id ?? 0 });
    const foreign = await f.model.instances.create({ instanceTypeId: type.id, nodeId: otherNode?.id ?? 0 });
    const retired = await f.model.instances.create({ instanceTypeId: type.id, nodeId: node?.id ?? 0 });
    await f.model.instances.update(retired.id, { state: 'DOWN' });

    const result = await registry.report(uuid, {
      score: 0.3,
      instances: [
        { instanceId: mine.uuid, state: 'RUNNING' },
        { instanceId: same.uuid, state: 'ALLOCATED' },
        { instanceId: 'no-such-instance', state: 'RUNNING' },
        { instanceId: foreign.uuid, state: 'ERROR' },
        { instanceId: retired.uuid, state: 'RUNNING' },
      ],
    });
    expect(result.updatedInstances).toEqual([mine.uuid]);
    expect(result.warnings.map((w) => [w.instanceId, w.reason])).toEqual([
      ['no-such-instance', 'unknown-instance'],
      [foreign.uuid, 'other-node'],
      [retired.uuid, 'retired-instance'],
    ]);
    expect((await f.model.instances.get(mine.id)).state).toBe('RUNNING');
    expect((await f.model.instances.get(retired.id)).state).toBe('DOWN');
    expect((await f.model.instances.get(foreign.id)).state).toBe('ALLOCATED');

    const withoutInstances = new NodeRegistry({
      model: { nodes: f.model.nodes },
      kernel: f.kernel,
      reportIntervalMs: INTERVAL,
    });
    const skipped = await withoutInstances.report(uuid, {
      score: 0.3,
      instances: [{ instanceId: mine.uuid, state: 'STOPPED' }],
    });
    expect(skipped.warnings[0]?.reason).toBe('no-instance-repository');
    expect((await f.model.instances.get(mine.id)).state).toBe('RUNNING');
  });

  it('goes straight to DOWN when the sweep missed the INACTIVE window, and honours custom thresholds', async () => {
    const registry = f.registry({ inactiveAfterMs: 1000, downAfterMs: 3000 });
    const uuid = await registry.register(registration());
    const changes = await registry.checkNodes(f.now.ms + 3000);
    expect(changes).toContainEqual({ nodeId: uuid, from: 'ACTIVE', to: 'DOWN' });
  });

  it('counts silence from when the model answered again after a sweep failed, not from the last report', async () => {
    const registry = f.registry({ inactiveAfterMs: 1000, downAfterMs: 3000 });
    const uuid = await registry.register(registration());
    const list = vi
      .spyOn(f.model.nodes, 'list')
      .mockRejectedValueOnce(
        new PaasmakerError('E_MODEL_UNAVAILABLE', 'cannot list nodes: the model database is unreachable.'),
      );
    expect((await rejection(registry.checkNodes(f.now.ms + 2000))).code).toBe('E_MODEL_UNAVAILABLE');
    list.mockRestore();
    // Back after 10 s without a report (none could be recorded): the node gets the full window again.
    const backAt = f.now.ms + 10_000;
    expect((await registry.checkNodes(backAt)).filter((c) => c.nodeId === uuid)).toEqual([]);
    expect((await registry.checkNodes(backAt + 2999)).filter((c) => c.nodeId === uuid)).toEqual([
      { nodeId: uuid, from: 'ACTIVE', to: 'INACTIVE' },
    ]);
    expect((await registry.checkNodes(backAt + 3000)).filter((c) => c.nodeId === uuid)).toEqual([
      { nodeId: uuid, from: 'INACTIVE', to: 'DOWN' },
    ]);
  });

  it('counts silence from its start: a pacemaker started again after an outage marks no node DOWN at once', async () => {
    const registry = f.registry({ inactiveAfterMs: 1000, downAfterMs: 3000 });
    const uuid = await registry.register(registration());
    const lastReport = f.now.ms;
    // The pacemaker was down for a minute; its heart's first report is still on the way.
    f.now.ms = lastReport + 60_000;
    registry.start();
    try {
      expect((await registry.checkNodes(f.now.ms)).filter((c) => c.nodeId === uuid)).toEqual([]);
      expect((await registry.checkNodes(f.now.ms + 3000)).filter((c) => c.nodeId === uuid)).toEqual([
        { nodeId: uuid, from: 'ACTIVE', to: 'DOWN' },
      ]);
    } finally {
      await registry.close();
    }
  });

  it('rejects invalid input with E_NODE_INVALID naming the field', async () => {
    const registry = f.registry();
    const cases: [Promise<unknown>, string][] = [
      [registry.register(registration({ apiPort: 70000 })), 'apiPort'],
      [registry.register(registration({ name: '' })), 'name'],
      [registry.register({ ...registration(), route: undefined } as unknown as NodeRegistration), 'route'],
      [registry.register({ ...registration(), colour: 'red' } as unknown as NodeRegistration), 'colour'],
      [registry.register(registration({ uuid: '../../etc/passwd' })), 'uuid'],
      [registry.register(registration({ startedAt: 'yesterday' })), 'startedAt'],
      [registry.register(registration({ runtimes: { x: [1] as unknown as string[] } })), 'runtimes.x.0'],
      [registry.register(null as unknown as NodeRegistration), ''],
    ];
    const uuid = await registry.register(registration());
    cases.push(
      [registry.report(uuid, { score: -1, instances: [] }), 'score'],
      [registry.report(uuid, { score: 1 } as never), 'instances'],
      [
        registry.report(uuid, { score: 1, instances: [{ instanceId: 'a', state: 'ASLEEP' as never }] }),
        'instances.0.state',
      ],
    );
    for (const [promise, field] of cases) {
      const error = await rejection(promise);
      expect(error.code, field).toBe('E_NODE_INVALID');
      expect(error).toBeInstanceOf(NodeInputError);
      expect((error as NodeInputError).field).toBe(field);
      if (field) expect(error.message).toContain(field);
    }
    expect(() => f.registry({ inactiveAfterMs: 5000, downAfterMs: 5000 })).toThrowError(
      expect.objectContaining({ code: 'E_NODE_INVALID', field: 'downAfterMs' }),
    );
    expect(() => new NodeRegistry({ model: f.model, kernel: f.kernel, reportIntervalMs: 0 })).toThrowError(
      expect.objectContaining({ code: 'E_NODE_INVALID', field: 'reportIntervalMs' }),
    );
  });

  it('answers E_NODE_NOT_FOUND for an unknown node, and E_MODEL_CONFLICT for a taken route and port', async () => {
    const registry = f.registry();
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await rejection(registry.report(unknown, { score: 1, instances: [] }))).code).toBe(
      'E_NODE_NOT_FOUND',
    );
    expect((await rejection(registry.stop(unknown))).code).toBe('E_NODE_NOT_FOUND');
    const first = registration();
    await registry.register(first);
    const clash = await rejection(
      registry.register(registration({ route: first.route, apiPort: first.apiPort })),
    );
    expect(isPaasmakerError(clash, 'E_MODEL_CONFLICT')).toBe(true);
  });

  it('creates a node under a UUID it does not know yet', async () => {
    const registry = f.registry();
    const uuid = 'A1B2C3D4-0000-4000-8000-00000000000F';
    expect(await registry.register(registration({ uuid }))).toBe(uuid.toLowerCase());
    expect(f.changes.at(-1)).toEqual({ nodeId: uuid.toLowerCase(), to: 'ACTIVE' });
  });

  it('keeps serving when a hook tap fails', async () => {
    const registry = f.registry();
    f.kernel.hooks.nodeStateChanged.tapPromise('failing', async () => {
      throw new Error('tap failed');
    });
    const uuid = await registry.register(registration());
    expect((await registry.stop(uuid)).state).toBe('STOPPED');
  });

  it('sweeps on an unref’d timer that close() stops', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const registry = f.registry();
    const sweep = vi.spyOn(registry, 'checkNodes');
    registry.start();
    registry.start();
    expect(registry.running).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(sweep).toHaveBeenCalledTimes(1);
    await registry.close();
    expect(registry.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(sweep).toHaveBeenCalledTimes(1);
  });
});
