import { randomUUID } from 'node:crypto';
import { eventually } from '@paasmaker/test-servers';
import { describe, expect, it } from 'vitest';
import { createRedisJobStore } from '../../src/jobs/redis/redis-job-store';
import { redisBackend, useRedisAdmin } from './job-store-backends';
import { describeJobStoreConformance } from './job-store-conformance';
import {
  createFinishedTrees,
  createStartedTree,
  idsFor,
  job,
  recordEvents,
  rejection,
  unusedPort,
  useBackend,
} from './job-store-test-helpers';

describeJobStoreConformance('Redis', redisBackend);

describe('RedisJobStore', () => {
  const { backend, track, openStore } = useBackend(redisBackend);
  const redisAdmin = useRedisAdmin();

  it('deletes every key of the trees it prunes', async () => {
    const store = await openStore();
    const jobIds = await createFinishedTrees(store);
    expect(await backend().keys()).not.toEqual([]);
    expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual(jobIds.sort());
    expect(await backend().keys()).toEqual([]);
  });

  it('keeps working after SCRIPT FLUSH (the scripts are sent again)', async () => {
    const store = await openStore();
    const id = idsFor('root');
    await createStartedTree(store, [job(id.root, null)]);
    await redisAdmin().script('FLUSH');
    expect(await store.claim(id.root, 'node-a', 2)).toBeDefined();
  });

  it('recovers by itself, subscriptions included, when its connections are dropped', async () => {
    const connectionName = `pm-test-${randomUUID().slice(0, 8)}`;
    const store = track(await backend().open({ connectionName }));
    await store.init();
    const { events } = await recordEvents(store);
    const clients = (await redisAdmin().client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(`name=${connectionName}`))
      .map((line) => /id=(\d+)/.exec(line)?.[1] as string);
    expect(ids).toHaveLength(2);
    for (const clientId of ids) await redisAdmin().client('KILL', 'ID', clientId);

    // Commands fail until the connection is back; events published before the subscriber is
    // back are lost (pub/sub keeps no history), so keep creating trees until one is heard of.
    await eventually(
      async () => {
        const treeId = `root-${randomUUID()}`;
        await createStartedTree(store, [job(treeId, null)]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(events.map((e) => e.kind)).toContain('created');
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  it('publishes every job state change only while a subscriber wants them', async () => {
    const store = await openStore();
    const channel = `${backend().keyPrefix}events`;
    const subscribers = async () => ((await redisAdmin().pubsub('NUMSUB', channel)) as [string, number])[1];
    const stopTrees = await store.subscribe(() => {}, { treeEventsOnly: true });
    expect(await subscribers()).toBe(0);

    const first = await recordEvents(store);
    expect(await subscribers()).toBe(1);
    // The last listener leaving while another arrives, either first: the channel stays subscribed.
    const [between] = await Promise.all([recordEvents(store), first.unsubscribe()]);
    const [, second] = await Promise.all([between.unsubscribe(), recordEvents(store)]);
    expect(await subscribers()).toBe(1);
    const id = idsFor('root', 'a');
    await createStartedTree(store, [job(id.root, null), job(id.a, id.root)]);
    await store.claim(id.a, 'node-a', 2);
    await store.succeed(id.a, { summary: 'a ok' }, 3);
    await eventually(() =>
      expect(second.events.filter((event) => event.kind === 'state').map((event) => event.jobId)).toEqual([
        id.a,
        id.a,
      ]),
    );

    await second.unsubscribe();
    expect(await subscribers()).toBe(0);
    await stopTrees();
    expect(((await redisAdmin().pubsub('NUMSUB', `${channel}:tree`)) as [string, number])[1]).toBe(0);
  });

  it('reports an error inside a script as E_JOBS_STORE_FAILED, never as an unreachable Redis', async () => {
    const store = await openStore();
    const id = idsFor('root');
    await createStartedTree(store, [job(id.root, null)]);
    // A job key of the wrong type makes the claim script's HMGET fail inside Redis.
    await redisAdmin().del(`${backend().keyPrefix}job:${id.root}`);
    await redisAdmin().set(`${backend().keyPrefix}job:${id.root}`, 'not a hash');
    const failed = await rejection(store.claim(id.root, 'node-a', 2));
    expect(failed.code).toBe('E_JOBS_STORE_FAILED');
    expect(failed.message).toContain(`job store Redis at ${store.address} is reachable`);
    expect(failed.message).toContain('WRONGTYPE');
    expect(failed.message).not.toContain('unreachable');
  });

  it('fails fast with E_JOBS_UNAVAILABLE naming the server when Redis is unreachable', async () => {
    const port = await unusedPort();
    const store = track(
      createRedisJobStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: backend().keyPrefix }),
    );
    expect(store.address).toBe(`redis://127.0.0.1:${port}`);
    const started = Date.now();
    const init = await rejection(store.init());
    expect(init.code).toBe('E_JOBS_UNAVAILABLE');
    expect(init.message).toContain(`job store Redis at redis://127.0.0.1:${port} is unreachable`);
    expect(init.message).toContain('ECONNREFUSED');
    const claim = await rejection(store.claim('any', 'node-a', 1));
    expect(claim.code).toBe('E_JOBS_UNAVAILABLE');
    expect(claim.message).toContain(`redis://127.0.0.1:${port}`);
    expect((await rejection(store.subscribe(() => undefined))).code).toBe('E_JOBS_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
