import { eventually } from '@paasmaker/test-servers';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src/jobs/job-store';
import { JobTreeEventFanout } from '../../../src/jobs/logs/job-tree-event-fanout';
import { redisBackend, useRedisAdmin } from '../job-store-backends';
import { createStartedTree, idsFor, job, useBackend } from '../job-store-test-helpers';

describe('JobTreeEventFanout on the Redis store', () => {
  const { backend, openStore } = useBackend(redisBackend);
  const redisAdmin = useRedisAdmin();

  /** How many connections subscribe to every event of the test's store. */
  const subscribers = async (): Promise<number> =>
    ((await redisAdmin().pubsub('NUMSUB', `${backend().keyPrefix}events`)) as [string, number])[1];

  it('subscribes to every event only while a tree is watched, and again when one is', async () => {
    const store = await openStore();
    const fanout = new JobTreeEventFanout(store, pino({ enabled: false }));
    const id = idsFor('root', 'a');
    await createStartedTree(store, [job(id.root, null), job(id.a, id.root)]);

    const seen: JobEvent[] = [];
    const stop = await fanout.listen(id.root, (event) => seen.push(event));
    expect(await subscribers()).toBe(1);
    await store.claim(id.a, 'node-a', 2);
    await eventually(() =>
      expect(seen.map((event) => event.kind === 'state' && event.jobId)).toEqual([id.a]),
    );

    stop();
    await eventually(async () => expect(await subscribers()).toBe(0));

    // Watching again, while the last watcher of another tree leaves at the same moment.
    const other = await fanout.listen('another-tree', () => {});
    const [again] = await Promise.all([fanout.listen(id.root, (event) => seen.push(event)), other()]);
    await store.succeed(id.a, { summary: 'a ok' }, 3);
    await eventually(() =>
      expect(seen).toContainEqual(expect.objectContaining({ kind: 'state', jobId: id.a, state: 'SUCCESS' })),
    );
    expect(await subscribers()).toBe(1);

    again();
    await fanout.close();
    await eventually(async () => expect(await subscribers()).toBe(0));
  });
});
