import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobEvent, JobRef, JobStore, NewJob } from '../../src/jobs/job-store';
import { createRedisJobStore, type RedisJobStore } from '../../src/jobs/redis/redis-job-store';
import { isPaasmakerError, type PaasmakerError } from '../../src/kernel/errors';

// Every test uses stores on a random key prefix of its own; afterEach closes them and deletes
// the prefix's keys, so tests (and test files running in parallel) never see each other's data.
let admin: Redis;
let prefix: string;
const opened: RedisJobStore[] = [];

beforeAll(async () => {
  admin = new Redis(redisUrl());
  await admin.ping();
});

afterAll(async () => {
  await admin.quit();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  const keys: string[] = [];
  for await (const batch of admin.scanStream({ match: `${prefix}*`, count: 1000 })) keys.push(...batch);
  if (keys.length) await admin.del(...keys);
});

async function openStore(options: { connectionName?: string } = {}): Promise<RedisJobStore> {
  const store = createRedisJobStore({ url: redisUrl(), keyPrefix: prefix, redis: options });
  opened.push(store);
  await store.init();
  return store;
}

async function newStore(options: { connectionName?: string } = {}): Promise<RedisJobStore> {
  prefix = `pm:test:${randomUUID()}:`;
  return openStore(options);
}

function job(id: string, parentId: string | null, nodeId = 'node-a', parameters = {}): NewJob {
  return { id, parentId, nodeId, type: 'test.job', parameters, title: `Job ${id}` };
}

/** Unique ids for one test: `ids.root` → "root-<uuid>". */
function idsFor<const K extends string>(...names: K[]): Record<K, string> {
  const suffix = randomUUID().slice(0, 8);
  return Object.fromEntries(names.map((name) => [name, `${name}-${suffix}`])) as Record<K, string>;
}

function sortRefs(refs: JobRef[]): JobRef[] {
  return [...refs].sort((a, b) => a.jobId.localeCompare(b.jobId));
}

async function rejection(promise: Promise<unknown>): Promise<PaasmakerError> {
  try {
    await promise;
  } catch (error) {
    if (isPaasmakerError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function stateOf(store: JobStore, jobId: string): Promise<string | undefined> {
  return (await store.getJob(jobId))?.state;
}

describe('RedisJobStore', () => {
  it('runs a tree leaves first: a parent is ready only once all its children succeeded', async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'a1', 'a2', 'b');
    const created = await store.createTree({
      jobs: [
        job(id.root, null),
        job(id.a, id.root),
        job(id.a1, id.a),
        job(id.a2, id.a),
        job(id.b, id.root, 'node-b'),
      ],
      tags: ['workspace:1'],
      createdAt: 1_000,
      start: false,
    });
    expect(created).toEqual([]);
    const duplicate = await rejection(
      store.createTree({ jobs: [job(id.root, null)], tags: [], createdAt: 1_000, start: true }),
    );
    expect(duplicate.code).toBe('E_JOB_TREE_INVALID');
    expect(await stateOf(store, id.root)).toBe('NEW');
    expect(await store.claim(id.a1, 'node-a', 1_001)).toBeUndefined(); // NEW is not ready

    expect(sortRefs(await store.startTree(id.root))).toEqual(
      sortRefs([
        { jobId: id.a1, nodeId: 'node-a' },
        { jobId: id.a2, nodeId: 'node-a' },
        { jobId: id.b, nodeId: 'node-b' },
      ]),
    );
    expect(await store.startTree(id.root)).toEqual([]);
    expect(await store.claim(id.a, 'node-a', 1_002)).toBeUndefined();
    expect(await store.claim(id.root, 'node-a', 1_002)).toBeUndefined();

    const a1 = await store.claim(id.a1, 'node-a', 1_003);
    expect(a1?.job).toMatchObject({
      id: id.a1,
      treeId: id.root,
      parentId: id.a,
      state: 'RUNNING',
      startedAt: 1_003,
    });
    expect(a1?.childResults).toEqual({});
    expect(await store.succeed(id.a1, { summary: 'a1 done', result: { n: 1 } }, 1_004)).toEqual({
      recorded: true,
    });
    expect(await store.succeed(id.a1, { summary: 'again' }, 1_005)).toEqual({ recorded: false });
    expect(await store.claim(id.a, 'node-a', 1_005)).toBeUndefined(); // a2 has not succeeded yet

    await store.claim(id.a2, 'node-a', 1_006);
    expect(await store.succeed(id.a2, { summary: 'a2 done', result: [] }, 1_007)).toEqual({
      recorded: true,
      readyParent: { jobId: id.a, nodeId: 'node-a' },
    });
    const a = await store.claim(id.a, 'node-a', 1_008);
    expect(a?.job.childIds).toEqual([id.a1, id.a2]);
    expect(a?.childResults).toEqual({ [id.a1]: { n: 1 }, [id.a2]: [] });
    expect((await store.succeed(id.a, { summary: 'a done' }, 1_009)).readyParent).toBeUndefined();

    await store.claim(id.b, 'node-b', 1_010);
    expect((await store.succeed(id.b, { summary: 'b done' }, 1_011)).readyParent).toEqual({
      jobId: id.root,
      nodeId: 'node-a',
    });
    const root = await store.claim(id.root, 'node-a', 1_012);
    expect(root?.childResults).toEqual({}); // a and b succeeded without a result
    await store.succeed(id.root, { summary: 'all done' }, 1_013);

    const tree = await store.getTree(id.root);
    expect(tree?.jobs.map((j) => j.id)).toEqual([id.root, id.a, id.a1, id.a2, id.b]);
    expect(tree?.jobs.every((j) => j.state === 'SUCCESS')).toBe(true);
    expect(tree).toMatchObject({ treeId: id.root, tags: ['workspace:1'], createdAt: 1_000, aborted: false });
    expect(await store.getJob(id.a1)).toMatchObject({
      state: 'SUCCESS',
      summary: 'a1 done',
      result: { n: 1 },
      startedAt: 1_003,
      finishedAt: 1_004,
      childIds: [],
      parameters: {},
    });
    expect(await store.getJob('no-such-job')).toBeUndefined();
    expect(await store.getTree('no-such-tree')).toBeUndefined();
  });

  it('merges contexts shallowly, later keys overwriting earlier ones, before the parent runs', async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'b');
    await store.createTree({
      jobs: [job(id.root, null, 'node-a', { deep: { list: [] } }), job(id.a, id.root), job(id.b, id.root)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.a, 'node-a', 2);
    await store.claim(id.b, 'node-a', 2);
    await store.succeed(id.a, { summary: 'ok', context: { shared: { from: 'a' }, onlyA: 1 } }, 3);
    await store.succeed(id.b, { summary: 'ok', context: { shared: { from: 'b' }, empty: [] } }, 4);
    const root = await store.claim(id.root, 'node-a', 5);
    expect(root?.context).toEqual({ shared: { from: 'b' }, onlyA: 1, empty: [] });
    expect(root?.job.parameters).toEqual({ deep: { list: [] } });
    expect((await store.getTree(id.root))?.context).toEqual(root?.context);
  });

  it('lets exactly one of 20 concurrent claims (from two stores) win a job', async () => {
    const store = await newStore();
    const other = await openStore();
    const id = idsFor('root');
    await store.createTree({ jobs: [job(id.root, null)], tags: [], createdAt: 1, start: true });
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).claim(id.root, 'node-a', 2)),
    );
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
  });

  it('refuses a claim by a node the job is not assigned to', async () => {
    const store = await newStore();
    const id = idsFor('root');
    await store.createTree({ jobs: [job(id.root, null, 'node-a')], tags: [], createdAt: 1, start: true });
    expect(await store.claim(id.root, 'node-b', 2)).toBeUndefined();
    expect(await stateOf(store, id.root)).toBe('WAITING');
    expect(await store.claim(id.root, 'node-a', 3)).toBeDefined();
  });

  it('fails a job: pending jobs of the tree become ABORTED, running ones are returned and end ABORTED', async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'b', 'c', 'c1');
    await store.createTree({
      jobs: [
        job(id.root, null),
        job(id.a, id.root),
        job(id.b, id.root, 'node-b'),
        job(id.c, id.root),
        job(id.c1, id.c),
      ],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.a, 'node-a', 2);
    await store.claim(id.b, 'node-b', 2);
    const aborted = await store.fail(id.a, 'Failed: boom', 3);
    expect(aborted).toEqual({ treeId: id.root, running: [{ jobId: id.b, nodeId: 'node-b' }] });

    const states = Object.fromEntries((await store.getTree(id.root))?.jobs.map((j) => [j.id, j.state]) ?? []);
    expect(states).toEqual({
      [id.root]: 'ABORTED',
      [id.a]: 'FAILED',
      [id.b]: 'RUNNING',
      [id.c]: 'ABORTED',
      [id.c1]: 'ABORTED',
    });
    expect(await store.getJob(id.c1)).toMatchObject({
      summary: 'Aborted due to a related job.',
      finishedAt: 3,
    });
    expect(await store.getJob(id.a)).toMatchObject({ summary: 'Failed: boom' });
    expect((await store.getTree(id.root))?.aborted).toBe(true);
    expect(await store.claim(id.c1, 'node-a', 4)).toBeUndefined();

    // The running job's success comes too late: it is recorded ABORTED, its outcome dropped.
    expect(await store.succeed(id.b, { summary: 'b done', result: 1, context: { late: true } }, 5)).toEqual({
      recorded: false,
    });
    expect(await store.getJob(id.b)).toMatchObject({
      state: 'ABORTED',
      summary: 'Aborted due to a related job.',
    });
    expect((await store.getJob(id.b))?.result).toBeUndefined();
    expect((await store.getTree(id.root))?.context).toEqual({});
    // A finished job never changes again.
    await store.markAborted(id.a, 'too late', 6);
    expect(await stateOf(store, id.a)).toBe('FAILED');
    expect(await store.fail(id.a, 'again', 7)).toEqual({ treeId: id.root, running: [] });
    expect(await stateOf(store, id.a)).toBe('FAILED');
  });

  it('aborts a tree on request, refuses to abort a finished one, and knows no unknown job', async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'b');
    await store.createTree({
      jobs: [job(id.root, null), job(id.a, id.root), job(id.b, id.root)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.a, 'node-a', 2);
    expect(await store.abortTree(id.b, 'Aborted by alice.', 3)).toEqual({
      treeId: id.root,
      running: [{ jobId: id.a, nodeId: 'node-a' }],
    });
    expect(await store.getJob(id.b)).toMatchObject({ state: 'ABORTED', summary: 'Aborted by alice.' });
    await store.markAborted(id.a, 'Aborted: stopped.', 4);
    expect(await store.getJob(id.a)).toMatchObject({ state: 'ABORTED', summary: 'Aborted: stopped.' });

    const finished = await rejection(store.abortTree(id.a, 'again', 5));
    expect(finished.code).toBe('E_JOB_FINISHED');
    expect(finished.message).toContain(id.root);
    const unknown = await rejection(store.abortTree('no-such-job', 'x', 5));
    expect(unknown.code).toBe('E_JOB_NOT_FOUND');
    expect(unknown.message).toContain('no-such-job');

    const done = idsFor('done');
    await store.createTree({ jobs: [job(done.done, null)], tags: [], createdAt: 1, start: true });
    await store.claim(done.done, 'node-a', 2);
    await store.succeed(done.done, { summary: 'ok' }, 3);
    expect((await rejection(store.abortTree(done.done, 'late', 4))).code).toBe('E_JOB_FINISHED');
  });

  it('grafts under a NEW or WAITING job, never under a started job or into an aborted tree', async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'g1', 'g2', 'g3', 'n1');
    await store.createTree({
      jobs: [job(id.root, null), job(id.a, id.root)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.a, 'node-a', 2);

    // Under the WAITING root, while its only child runs: new WAITING jobs, the leaves ready.
    expect(await store.graft(id.root, [job(id.g1, id.root), job(id.g2, id.g1, 'node-b')], 3)).toEqual([
      { jobId: id.g2, nodeId: 'node-b' },
    ]);
    expect(await store.getJob(id.g1)).toMatchObject({ state: 'WAITING', treeId: id.root, childIds: [id.g2] });
    expect((await store.getJob(id.root))?.childIds).toEqual([id.a, id.g1]);
    // The root now waits for its grafted child too.
    expect((await store.succeed(id.a, { summary: 'ok' }, 4)).readyParent).toBeUndefined();
    expect(await store.claim(id.root, 'node-a', 5)).toBeUndefined();

    const underRunning = idsFor('x');
    await store.claim(id.g2, 'node-b', 5);
    const graft = await rejection(store.graft(id.g2, [job(underRunning.x, id.g2)], 6));
    expect(graft.code).toBe('E_JOB_GRAFT');
    expect(graft.message).toContain(id.g2);
    expect(graft.message).toContain('RUNNING');
    expect(await store.getJob(underRunning.x)).toBeUndefined();
    expect((await rejection(store.graft(id.a, [job(underRunning.x, id.a)], 6))).code).toBe('E_JOB_GRAFT');
    expect((await rejection(store.graft('no-such-job', [job(underRunning.x, 'no-such-job')], 6))).code).toBe(
      'E_JOB_NOT_FOUND',
    );
    const disordered = await rejection(store.graft(id.g1, [job(id.g3, 'elsewhere')], 6));
    expect(disordered.code).toBe('E_JOB_GRAFT');
    expect(await store.getJob(id.g3)).toBeUndefined();

    // Under a NEW job the grafted jobs are NEW; nothing is ready until the tree starts.
    const other = idsFor('root');
    await store.createTree({ jobs: [job(other.root, null)], tags: [], createdAt: 1, start: false });
    expect(await store.graft(other.root, [job(id.n1, other.root)], 2)).toEqual([]);
    expect(await stateOf(store, id.n1)).toBe('NEW');
    expect(await store.startTree(other.root)).toEqual([{ jobId: id.n1, nodeId: 'node-a' }]);

    await store.abortTree(other.root, 'stop', 3);
    const aborted = await rejection(store.graft(other.root, [job(id.g3, other.root)], 4));
    expect(aborted.code).toBe('E_JOB_GRAFT');
    expect(aborted.message).toContain('ABORTED');
  });

  it('publishes every change, in order, to subscribers of every store on the prefix', async () => {
    const store = await newStore();
    const listenerStore = await openStore();
    const events: JobEvent[] = [];
    const unsubscribe = await listenerStore.subscribe((event) => events.push(event));
    const witness: JobEvent[] = [];
    await listenerStore.subscribe((event) => witness.push(event));
    const id = idsFor('root', 'a', 'b');
    await store.createTree({
      jobs: [job(id.root, null), job(id.a, id.root), job(id.b, id.root)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.a, 'node-a', 2);
    await store.succeed(id.a, { summary: 'a ok' }, 3);
    await store.claim(id.b, 'node-a', 4);
    await store.succeed(id.b, { summary: 'b ok' }, 5);
    await store.claim(id.root, 'node-a', 6);
    await store.fail(id.root, 'Failed: root', 7);

    await vi.waitFor(() => expect(events.at(-1)?.kind).toBe('aborted'));
    expect(events.map((e) => (e.kind === 'state' ? `state:${e.state}` : e.kind))).toEqual([
      'created',
      'ready',
      'state:RUNNING',
      'state:SUCCESS',
      'state:RUNNING',
      'state:SUCCESS',
      'ready',
      'state:RUNNING',
      'state:FAILED',
      'aborted',
    ]);
    expect(events[0]).toEqual({
      kind: 'created',
      treeId: id.root,
      parentId: null,
      jobIds: [id.root, id.a, id.b],
    });
    expect(events[3]).toEqual({
      kind: 'state',
      treeId: id.root,
      jobId: id.a,
      parentId: id.root,
      nodeId: 'node-a',
      state: 'SUCCESS',
      summary: 'a ok',
    });
    expect(events[6]).toEqual({
      kind: 'ready',
      treeId: id.root,
      jobs: [{ jobId: id.root, nodeId: 'node-a' }],
    });
    expect(events[9]).toEqual({
      kind: 'aborted',
      treeId: id.root,
      summary: 'Aborted due to a related job.',
      running: [],
    });

    await unsubscribe();
    const count = events.length;
    const later = idsFor('root');
    await store.createTree({ jobs: [job(later.root, null)], tags: [], createdAt: 1, start: true });
    await vi.waitFor(() => expect(witness.at(-1)).toMatchObject({ kind: 'ready', treeId: later.root }));
    expect(events).toHaveLength(count);
  });

  it('lists trees newest first, by tag, with paging and the total', async () => {
    const store = await newStore();
    const trees = idsFor('t1', 't2', 't3', 't4');
    let createdAt = 100;
    for (const treeId of Object.values(trees)) {
      createdAt += 10;
      const tags = treeId === trees.t3 ? ['workspace:2'] : ['workspace:1', 'health'];
      await store.createTree({ jobs: [job(treeId, null)], tags, createdAt, start: true });
    }
    const all = await store.listTrees({});
    expect(all.total).toBe(4);
    expect(all.trees.map((t) => t.treeId)).toEqual([trees.t4, trees.t3, trees.t2, trees.t1]);
    expect(all.trees[0]).toEqual({
      treeId: trees.t4,
      type: 'test.job',
      title: `Job ${trees.t4}`,
      state: 'WAITING',
      tags: ['workspace:1', 'health'],
      createdAt: 140,
    });

    const page = await store.listTrees({ tag: 'workspace:1', offset: 1, limit: 1 });
    expect(page).toMatchObject({ total: 3, trees: [{ treeId: trees.t2 }] });
    expect(
      (await store.listTrees({ tag: 'workspace:1', offset: 2, limit: 5 })).trees.map((t) => t.treeId),
    ).toEqual([trees.t1]);
    expect(await store.listTrees({ tag: 'workspace:1', limit: 0 })).toEqual({ trees: [], total: 3 });
    expect(await store.listTrees({ tag: 'nobody' })).toEqual({ trees: [], total: 0 });

    await store.claim(trees.t1, 'node-a', 200);
    await store.succeed(trees.t1, { summary: 'ok' }, 201);
    expect((await store.listTrees({ tag: 'health', offset: 2 })).trees[0]).toMatchObject({
      treeId: trees.t1,
      state: 'SUCCESS',
      finishedAt: 201,
    });
  });

  it('fails the running jobs of a crashed node and aborts their trees', async () => {
    const store = await newStore();
    const one = idsFor('root', 'a', 'b');
    const two = idsFor('root', 'a');
    await store.createTree({
      jobs: [job(one.root, null), job(one.a, one.root, 'node-dead'), job(one.b, one.root, 'node-b')],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.createTree({
      jobs: [job(two.root, null), job(two.a, two.root, 'node-dead')],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(one.a, 'node-dead', 2);
    await store.claim(one.b, 'node-b', 2);
    await store.claim(two.a, 'node-dead', 2);

    const treeIds = await store.failRunningJobsOf('node-dead', 'Failed: node restarted.', 3);
    expect([...treeIds].sort()).toEqual([one.root, two.root].sort());
    expect(await store.getJob(one.a)).toMatchObject({ state: 'FAILED', summary: 'Failed: node restarted.' });
    expect(await stateOf(store, two.a)).toBe('FAILED');
    expect(await stateOf(store, one.root)).toBe('ABORTED');
    expect(await stateOf(store, one.b)).toBe('RUNNING');
    expect(await store.failRunningJobsOf('node-dead', 'again', 4)).toEqual([]);
  });

  it("lists a node's ready jobs", async () => {
    const store = await newStore();
    const id = idsFor('root', 'a', 'b', 'c');
    await store.createTree({
      jobs: [job(id.root, null), job(id.a, id.root), job(id.b, id.root, 'node-b'), job(id.c, id.root)],
      tags: [],
      createdAt: 1,
      start: false,
    });
    expect(await store.readyJobs('node-a')).toEqual([]);
    await store.startTree(id.root);
    expect([...(await store.readyJobs('node-a'))].sort()).toEqual([id.a, id.c].sort());
    expect(await store.readyJobs('node-b')).toEqual([id.b]);
    await store.claim(id.a, 'node-a', 2);
    expect(await store.readyJobs('node-a')).toEqual([id.c]);
    await store.abortTree(id.root, 'stop', 3);
    expect(await store.readyJobs('node-a')).toEqual([]);
    expect(await store.readyJobs('node-b')).toEqual([]);
  });

  it('prunes trees whose root finished before a time and that run nothing, with all their data', async () => {
    const store = await newStore();
    const old = idsFor('root', 'a');
    const busy = idsFor('root', 'a');
    const recent = idsFor('root');
    await store.createTree({
      jobs: [job(old.root, null), job(old.a, old.root)],
      tags: ['workspace:1'],
      createdAt: 1,
      start: true,
    });
    await store.claim(old.a, 'node-a', 2);
    await store.succeed(old.a, { summary: 'ok', context: { k: 1 } }, 3);
    await store.claim(old.root, 'node-a', 4);
    await store.succeed(old.root, { summary: 'ok' }, 5);
    await store.createTree({
      jobs: [job(busy.root, null), job(busy.a, busy.root)],
      tags: ['workspace:1'],
      createdAt: 2,
      start: true,
    });
    await store.claim(busy.a, 'node-a', 3);
    await store.abortTree(busy.root, 'stop', 4); // root ABORTED, but busy.a still RUNNING
    await store.createTree({ jobs: [job(recent.root, null)], tags: [], createdAt: 3, start: true });
    await store.abortTree(recent.root, 'stop', 500);

    expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual([old.root, old.a].sort());
    expect(await store.getTree(old.root)).toBeUndefined();
    expect(await store.getJob(old.a)).toBeUndefined();
    expect(await admin.keys(`${prefix}*${old.root}*`)).toEqual([]);
    expect(await admin.keys(`${prefix}*${old.a}*`)).toEqual([]);
    expect(await store.listTrees({ tag: 'workspace:1' })).toMatchObject({
      total: 1,
      trees: [{ treeId: busy.root }],
    });
    expect(await store.getTree(busy.root)).toBeDefined();

    await store.markAborted(busy.a, 'stopped', 6);
    expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual([busy.root, busy.a].sort());
    expect(await store.pruneFinishedTrees(100)).toEqual([]);
    expect((await store.listTrees({})).trees.map((t) => t.treeId)).toEqual([recent.root]);
  });

  it('creates a tree of 1,023 jobs in one call and returns its 512 leaves', async () => {
    const store = await newStore();
    const treeId = `root-${randomUUID()}`;
    const jobs: NewJob[] = [job(treeId, null)];
    for (let i = 1; i < 1023; i++) {
      const parent = jobs[Math.floor((i - 1) / 2)] as NewJob;
      jobs.push(job(`${treeId}-${i}`, parent.id));
    }
    const ready = await store.createTree({ jobs, tags: ['big'], createdAt: 1, start: true });
    expect(ready).toHaveLength(512);
    const tree = await store.getTree(treeId);
    expect(tree?.jobs).toHaveLength(1023);
    expect(tree?.jobs.slice(0, 4).map((j) => j.id)).toEqual([
      treeId,
      `${treeId}-1`,
      `${treeId}-3`,
      `${treeId}-7`,
    ]);
  });

  it('registers nodes', async () => {
    const store = await newStore();
    await store.registerNode('node-a', { streamUrl: 'http://10.0.0.1:42/jobs' });
    await store.registerNode('node-b', {});
    expect(await store.nodes()).toEqual({ 'node-a': { streamUrl: 'http://10.0.0.1:42/jobs' }, 'node-b': {} });
  });

  it('keeps working after SCRIPT FLUSH (the scripts are sent again)', async () => {
    const store = await newStore();
    const id = idsFor('root');
    await store.createTree({ jobs: [job(id.root, null)], tags: [], createdAt: 1, start: true });
    await admin.script('FLUSH');
    expect(await store.claim(id.root, 'node-a', 2)).toBeDefined();
  });

  it('recovers by itself, subscriptions included, when its connections are dropped', async () => {
    const connectionName = `pm-test-${randomUUID().slice(0, 8)}`;
    const store = await newStore({ connectionName });
    const events: JobEvent[] = [];
    await store.subscribe((event) => events.push(event));
    const clients = (await admin.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(`name=${connectionName}`))
      .map((line) => /id=(\d+)/.exec(line)?.[1] as string);
    expect(ids).toHaveLength(2);
    for (const clientId of ids) await admin.client('KILL', 'ID', clientId);

    // Commands fail until the connection is back; events published before the subscriber is
    // back are lost (pub/sub keeps no history), so keep creating trees until one is heard of.
    await vi.waitFor(
      async () => {
        const treeId = `root-${randomUUID()}`;
        await store.createTree({ jobs: [job(treeId, null)], tags: [], createdAt: 1, start: true });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(events.map((e) => e.kind)).toContain('created');
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  it('fails fast with E_JOBS_UNAVAILABLE naming the server when Redis is unreachable', async () => {
    prefix = `pm:test:${randomUUID()}:`;
    const port = await unusedPort();
    const store = createRedisJobStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: prefix });
    opened.push(store);
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

/** A port nothing listens on: one the kernel just handed out and that was closed again. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
