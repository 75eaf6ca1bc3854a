import { randomUUID } from 'node:crypto';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryRouterStatsStore,
  minuteOf,
  RedisRouterStatsStore,
  ROUTER_STATS_RETENTION_MINUTES,
  type RouterStatCounters,
  type RouterStatsBatch,
  type RouterStatsStore,
  readRouterStatsSeries,
  UNCAUGHT_KEY,
} from '../../../src/roles/router/index';
import { emptyCounters } from '../../../src/roles/router/router-stat-counters';

const counters = (changes: Partial<RouterStatCounters>): RouterStatCounters => ({
  ...emptyCounters(),
  ...changes,
});

const batch = (parts: Partial<Record<keyof RouterStatsBatch, [string, Partial<RouterStatCounters>][]>>) => ({
  versionType: new Map((parts.versionType ?? []).map(([key, c]) => [key, counters(c)])),
  node: new Map((parts.node ?? []).map(([key, c]) => [key, counters(c)])),
  instance: new Map((parts.instance ?? []).map(([key, c]) => [key, counters(c)])),
  uncaught: new Map((parts.uncaught ?? []).map(([key, c]) => [key, counters(c)])),
});

const redisClients: Redis[] = [];
const stores: { name: string; open: () => RouterStatsStore }[] = [
  { name: 'memory', open: () => new MemoryRouterStatsStore() },
  {
    name: 'Redis',
    open: () => {
      const redis = new Redis(redisUrl());
      redisClients.push(redis);
      return new RedisRouterStatsStore({ redis, prefix: `pm:test-stats:${randomUUID()}:` });
    },
  },
];

afterAll(async () => {
  for (const redis of redisClients) {
    const keys = await redis.keys('pm:test-stats:*');
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

describe.each(stores)('$name router stats store', ({ open }) => {
  const minute = minuteOf(Date.now());

  it('sums what is added per minute, per kind and key, and reads only the keys asked for', async () => {
    const store = open();
    await store.add(minute - 2, batch({ versionType: [['7', { requests: 1, '2xx': 1, bytes: 10 }]] }));
    await store.add(
      minute,
      batch({
        versionType: [
          ['7', { requests: 2, '2xx': 1, '4xx': 1, bytes: 30, time: 12, timeCount: 2 }],
          ['8', { requests: 5, '5xx': 5, noBackend: 5 }],
        ],
        node: [['node-a', { requests: 7 }]],
      }),
    );
    await store.add(
      minute,
      batch({ versionType: [['7', { requests: 1, '2xx': 1, bytes: 5, time: 3, timeCount: 1 }]] }),
    );

    const seven = await store.read({ kind: 'versionType', keys: ['7'], from: minute - 3, to: minute });
    expect([...seven.keys()].sort()).toEqual([minute - 2, minute]);
    expect(seven.get(minute)).toEqual(
      counters({ requests: 3, '2xx': 2, '4xx': 1, bytes: 35, time: 15, timeCount: 3 }),
    );
    const both = await store.read({
      kind: 'versionType',
      keys: ['7', '8', 'unknown'],
      from: minute,
      to: minute,
    });
    expect(both.get(minute)).toMatchObject({ requests: 8, '5xx': 5, noBackend: 5, '2xx': 2 });
    expect(
      (await store.read({ kind: 'node', keys: ['node-a'], from: minute, to: minute })).get(minute)?.requests,
    ).toBe(7);
    // Kinds do not mix: no instance was counted.
    expect(
      (await store.read({ kind: 'instance', keys: ['7', 'node-a'], from: minute - 3, to: minute })).size,
    ).toBe(0);
    expect(
      (await store.read({ kind: 'versionType', keys: ['7'], from: minute + 1, to: minute + 5 })).size,
    ).toBe(0);
    await store.close();
  });

  it('keeps uncaught answers under their one key', async () => {
    const store = open();
    await store.add(
      minute,
      batch({ uncaught: [[UNCAUGHT_KEY, { requests: 3, '4xx': 2, '5xx': 1, noRoute: 2, noBackend: 1 }]] }),
    );
    expect(
      (await store.read({ kind: 'uncaught', keys: [UNCAUGHT_KEY], from: minute, to: minute })).get(minute),
    ).toEqual(counters({ requests: 3, '4xx': 2, '5xx': 1, noRoute: 2, noBackend: 1 }));
    await store.close();
  });

  it('serves a dense series of the last minutes with totals', async () => {
    const store = open();
    const now = Date.now();
    const current = minuteOf(now);
    await store.add(current - 1, batch({ instance: [['i-1', { requests: 4, '2xx': 4 }]] }));
    await store.add(current, batch({ instance: [['i-1', { requests: 1, '3xx': 1 }]] }));
    const read = await readRouterStatsSeries(store, 'instance', ['i-1'], 3, now);
    expect(read.minutes).toBe(3);
    expect(read.series.map((point) => point.requests)).toEqual([0, 4, 1]);
    expect(read.series.map((point) => Date.parse(point.at) / 60_000)).toEqual([
      current - 2,
      current - 1,
      current,
    ]);
    expect(read.from).toBe(read.series[0]?.at);
    expect(Date.parse(read.to)).toBe((current + 1) * 60_000);
    expect(read.totals).toEqual(counters({ requests: 5, '2xx': 4, '3xx': 1 }));
    // A range is cut to the retention.
    expect((await readRouterStatsSeries(store, 'instance', ['i-1'], 10_000, now)).series).toHaveLength(
      ROUTER_STATS_RETENTION_MINUTES,
    );
    await store.close();
  });
});

describe('memory router stats store', () => {
  it('drops minutes older than the retention as new ones come', async () => {
    const store = new MemoryRouterStatsStore();
    const minute = minuteOf(Date.now());
    await store.add(minute - ROUTER_STATS_RETENTION_MINUTES, batch({ node: [['n', { requests: 1 }]] }));
    await store.add(minute - ROUTER_STATS_RETENTION_MINUTES + 1, batch({ node: [['n', { requests: 2 }]] }));
    await store.add(minute, batch({ node: [['n', { requests: 3 }]] }));
    const held = await store.read({ kind: 'node', keys: ['n'], from: 0, to: minute });
    expect([...held.keys()].sort()).toEqual([minute - ROUTER_STATS_RETENTION_MINUTES + 1, minute]);
  });
});

describe('Redis router stats store', () => {
  it("writes the nginx router's layout: a hash per minute and kind, fields `<key> <counter>`, expiring after a day", async () => {
    const redis = new Redis(redisUrl());
    redisClients.push(redis);
    const prefix = `pm:test-stats:${randomUUID()}:`;
    const store = new RedisRouterStatsStore({ redis, prefix });
    const minute = minuteOf(Date.now());
    // The built-in router times in fractions of a millisecond; Redis counts whole ones.
    await store.add(
      minute,
      batch({ versionType: [['7', { requests: 1, time: 2.6, timeCount: 1, '2xx': 1 }]] }),
    );
    const hash = `${prefix}stats:${minute}:vt`;
    expect(await redis.hgetall(hash)).toEqual({
      '7 requests': '1',
      '7 time': '3',
      '7 timeCount': '1',
      '7 2xx': '1',
    });
    const ttl = await redis.ttl(hash);
    expect(ttl).toBeGreaterThan(ROUTER_STATS_RETENTION_MINUTES * 60);
    expect(ttl).toBeLessThanOrEqual((ROUTER_STATS_RETENTION_MINUTES + 60) * 60);
  });
});
