import { once } from 'node:events';
import { createServer } from 'node:http';
import { expect, it, vi } from 'vitest';
import { closedPort, routeTo, send } from './router-fixture';
import type { CountsUnderTest, StatsKeyUnderTest } from './router-under-test';
import type { RoutingBehaviourContext } from './routing-behaviour';
import { answeredBy } from './routing-behaviour-hostnames';

/** Stats arrive after the answer (nginx adds them to Redis every second). */
const countsSettle = { timeout: 30_000, interval: 100 };

/** Counts once they stop moving: what earlier cases sent may still be on its way (nginx: up to a second). */
async function settledCounts(read: () => Promise<CountsUnderTest>): Promise<CountsUnderTest> {
  let last = await read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const now = await read();
    if (now.requests === last.requests) return now;
    last = now;
  }
}

/** Several instances, dead ones, and what is counted. */
export function balancingCases(context: RoutingBehaviourContext): void {
  const get = (host: string, path = '/') => send(context.router(), { host, path });
  const counts = (key: StatsKeyUnderTest) => context.router().counts(key);

  it('spreads requests over the instances at random', async () => {
    const one = await context.backend('one');
    const two = await context.backend('two');
    context.table.add('spread.test', routeTo('spread-1', one.port));
    context.table.add('spread.test', routeTo('spread-2', two.port));
    await context.router().settled();
    for (let i = 0; i < 100; i += 1) expect((await get('spread.test')).status).toBe(200);
    expect(one.hits + two.hits).toBe(100);
    expect(one.hits).toBeGreaterThan(10);
    expect(two.hits).toBeGreaterThan(10);
  });

  it('retries a refused connection on another instance, so every request succeeds and none counts against the dead one', async () => {
    const live = await context.backend('live');
    context.table.add('retry.test', routeTo('retry-dead', await closedPort(), 'vt-retry'));
    context.table.add('retry.test', routeTo('retry-live', live.port, 'vt-retry'));
    await context.router().settled();
    for (let i = 0; i < 30; i += 1) expect(answeredBy(await get('retry.test'))).toBe('live');
    expect(live.hits).toBe(30);
    await vi.waitFor(
      async () => expect((await counts({ versionType: 'vt-retry' })).requests).toBe(30),
      countsSettle,
    );
    expect(await counts({ instance: 'retry-live' })).toMatchObject({ requests: 30, '2xx': 30 });
    expect((await counts({ instance: 'retry-dead' })).requests).toBe(0);
  });

  it('answers 502 in plain text when every instance refuses, counted against the instance', async () => {
    context.table.add('dead.test', routeTo('dead-1', await closedPort(), 'vt-dead'));
    context.table.add('dead.test', routeTo('dead-2', await closedPort(), 'vt-dead'));
    await context.router().settled();
    const reply = await get('dead.test');
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.text).toMatch(/^502 Bad Gateway: no instance /);
    // Both are marked dead now; they are still tried rather than refused outright.
    expect((await get('dead.test')).status).toBe(502);
    await vi.waitFor(
      async () => expect(await counts({ versionType: 'vt-dead' })).toMatchObject({ requests: 2, '5xx': 2 }),
      countsSettle,
    );
  });

  it('serves an instance again once it is back on its port', async () => {
    const backend = await context.backend('flaky');
    context.table.add('back.test', routeTo('flaky', backend.port));
    await context.router().settled();
    expect((await get('back.test')).status).toBe(200);
    await backend.close();
    expect((await get('back.test')).status).toBe(502);
    const again = createServer((_req, res) => res.end('back'));
    again.listen(backend.port, '127.0.0.1');
    await once(again, 'listening');
    context.afterCase(
      () =>
        new Promise<void>((resolve) => {
          again.closeAllConnections();
          again.close(() => resolve());
        }),
    );
    expect((await get('back.test')).text).toBe('back');
  });

  it('counts answers by status class per instance, version type and node, and what it could not route as uncaught', async () => {
    const backend = await context.backend('counted');
    context.table.add('counted.test', routeTo('counted-1', backend.port, 'vt-counted', 'node-counted'));
    context.table.addHostname('counted-empty.test');
    await context.router().settled();
    const before = await settledCounts(() => counts('uncaught'));
    const bodies: number[] = [];
    for (const path of ['/', '/', '/status/404', '/status/418', '/status/500', '/status/302'])
      bodies.push((await get('counted.test', path)).body.length);
    await get('counted-nowhere.test');
    await get('counted-empty.test');

    const expected = { requests: 6, '2xx': 2, '3xx': 1, '4xx': 2, '5xx': 1 };
    await vi.waitFor(
      async () => expect(await counts({ instance: 'counted-1' })).toMatchObject(expected),
      countsSettle,
    );
    expect(await counts({ versionType: 'vt-counted' })).toMatchObject(expected);
    expect(await counts({ node: 'node-counted' })).toMatchObject(expected);
    const bytes = (await counts({ instance: 'counted-1' })).bytes;
    const bodyBytes = bodies.reduce((sum, length) => sum + length, 0);
    if (context.router().differences.countsBodyBytesOnly) expect(bytes).toBe(bodyBytes);
    else expect(bytes).toBeGreaterThan(bodyBytes + 6 * 'HTTP/1.1 200 OK\r\n'.length);
    await vi.waitFor(async () => {
      const after = await counts('uncaught');
      expect(after.requests - before.requests).toBe(2);
      expect(after['4xx'] - before['4xx']).toBe(1);
      expect(after['5xx'] - before['5xx']).toBe(1);
    }, countsSettle);
  });
}
