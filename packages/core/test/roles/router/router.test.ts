import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, type RouterRig, routeTo, send, startBackend, startRig } from './router-fixture';

// How routing behaves is the shared suite's (builtin-router-behaviour.test.ts); here the built-in
// router's own in-memory counters.
describe('router', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function rig(): Promise<RouterRig> {
    const started = await startRig();
    cleanups.push(started.close);
    return started;
  }
  async function backend(name: string): Promise<Backend> {
    const started = await startBackend(name);
    cleanups.push(started.close);
    return started;
  }

  it('counts requests, bytes, time and status classes per version type, node and instance', async () => {
    const { table, router } = await rig();
    const one = await backend('one');
    const two = await backend('two');
    table.add('stats.test', routeTo('i-1', one.port, 'vt-a', 'node-a'));
    table.add('other.test', routeTo('i-2', two.port, 'vt-b', 'node-a'));
    table.addHostname('empty.test');
    const bodies: number[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push((await send(router, { host: 'stats.test' })).body.length);
    bodies.push((await send(router, { host: 'other.test' })).body.length);
    await send(router, { host: 'nowhere.test' });
    await send(router, { host: null });
    await send(router, { host: 'empty.test' });

    // Counted when the router's side of each response closes, which may trail the client's read.
    await expect.poll(() => router.stats().uncaught.requests).toBe(3);
    const stats = router.stats();
    expect(Object.keys(stats.versionTypes).sort()).toEqual(['vt-a', 'vt-b']);
    expect(stats.versionTypes['vt-a']).toMatchObject({ requests: 3, '2xx': 3, '4xx': 0, timeCount: 3 });
    expect(stats.versionTypes['vt-a']?.bytes).toBe((bodies[0] ?? 0) + (bodies[1] ?? 0) + (bodies[2] ?? 0));
    expect(stats.versionTypes['vt-a']?.time).toBeGreaterThan(0);
    expect(stats.nodes['node-a']).toMatchObject({ requests: 4, '2xx': 4 });
    expect(stats.instances['i-2']).toMatchObject({ requests: 1, bytes: bodies[3] });
    expect(stats.uncaught).toMatchObject({ requests: 3, '4xx': 2, '5xx': 1, time: 0, timeCount: 0 });
    expect(stats.uncaught.bytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(stats.asAt))).toBe(false);

    // A snapshot is a copy: later requests do not change it.
    await send(router, { host: 'stats.test' });
    expect(stats.versionTypes['vt-a']?.requests).toBe(3);
    await expect.poll(() => router.stats().versionTypes['vt-a']?.requests).toBe(4);
  });
});
