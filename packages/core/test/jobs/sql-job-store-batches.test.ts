import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresUrl } from '@paasmaker/test-servers';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClaimedJob, JobEvent, JobRef, JobStore, NewJob } from '../../src/jobs/job-store';
import { createSqlJobStore, type SqlJobStoreOptions } from '../../src/jobs/sql/create-sql-job-store';
import type { SqlJobStore } from '../../src/jobs/sql/sql-job-store';

/** `claimMany` and `succeedMany` of the SQL store: one transaction, same outcome as the single calls. */

interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  setUp(): Promise<void>;
  /** An empty database for the next test. */
  fresh(): Promise<void>;
  options(): SqlJobStoreOptions;
  tearDown(): Promise<void>;
}

function sqliteBackend(): Backend {
  let folder = '';
  let filename = '';
  return {
    name: 'SQLite',
    async setUp() {
      folder = await mkdtemp(path.join(tmpdir(), 'pm-sql-job-batches-'));
    },
    async fresh() {
      filename = path.join(folder, `jobs-${randomUUID()}.db`);
    },
    options: () => ({ filename }),
    async tearDown() {
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A database of its own for this file (no NOTIFYs of other files), emptied before each test. */
function postgresBackend(): Backend {
  const database = `pm_job_batches_${randomBytes(6).toString('hex')}`;
  let url = '';
  const withClient = async (connectionString: string, use: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await use(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    async setUp() {
      await withClient(postgresUrl(), (client) => client.query(`CREATE DATABASE ${database}`));
      const parsed = new URL(postgresUrl());
      parsed.pathname = `/${database}`;
      url = parsed.toString();
    },
    fresh: () =>
      withClient(url, (client) => client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')),
    options: () => ({ connection: url }),
    tearDown: () =>
      withClient(postgresUrl(), (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
  };
}

function job(id: string, parentId: string | null, nodeId = 'node-a'): NewJob {
  return { id, parentId, nodeId, type: 'test.job', parameters: {}, title: `Job ${id}` };
}

/** Unique ids for one test: `ids.root` → "root-<8 hex>". */
function idsFor<const K extends string>(...names: K[]): Record<K, string> {
  const suffix = randomUUID().slice(0, 8);
  return Object.fromEntries(names.map((name) => [name, `${name}-${suffix}`])) as Record<K, string>;
}

const kindOf = (event: JobEvent): string => (event.kind === 'state' ? `state:${event.state}` : event.kind);
const claimedIds = (claimed: readonly ClaimedJob[]): string[] => claimed.map((claim) => claim.job.id);

type Success = Parameters<JobStore['succeedMany']>[0][number];
type BatchOptions = NonNullable<Parameters<JobStore['succeedMany']>[2]>;

/** What `succeedMany` must be equivalent to: `succeed` then `claim`, one call after the other. */
async function succeedOneByOne(
  store: JobStore,
  successes: readonly Success[],
  now: number,
  options: BatchOptions,
): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }> {
  let budget = options.maxClaims ?? Number.POSITIVE_INFINITY;
  const results: { recorded: boolean; readyParent?: JobRef }[] = [];
  const claimed: ClaimedJob[] = [];
  for (const { jobId, outcome } of successes) {
    const claimReadyParentFor = budget > 0 ? options.claimFor : undefined;
    const { claimedParent, ...result } = await store.succeed(jobId, outcome, now, { claimReadyParentFor });
    results.push(result);
    if (claimedParent) {
      claimed.push(claimedParent);
      budget -= 1;
    }
  }
  for (const jobId of options.claimNext ?? []) {
    if (budget <= 0 || options.claimFor === undefined) break;
    const next = await store.claim(jobId, options.claimFor, now);
    if (next) {
      claimed.push(next);
      budget -= 1;
    }
  }
  return { results, claimed };
}

describe.each([sqliteBackend(), postgresBackend()])('SqlJobStore batches on $name', (backend) => {
  const opened: SqlJobStore[] = [];
  const unsubscribes: (() => Promise<void>)[] = [];

  beforeAll(() => backend.setUp(), 30_000);
  afterAll(() => backend.tearDown(), 30_000);
  beforeEach(() => backend.fresh());
  afterEach(async () => {
    await Promise.all(unsubscribes.splice(0).map((unsubscribe) => unsubscribe()));
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function openStore(): Promise<SqlJobStore> {
    const store = createSqlJobStore(backend.options());
    opened.push(store);
    await store.init();
    return store;
  }

  /**
   * Records the store's events. `settle()` waits until every event of the changes made so far
   * arrived (PostgreSQL delivers NOTIFYs asynchronously, in commit order): it creates a marker
   * tree and waits for its `created` event.
   */
  async function recordEvents(store: JobStore) {
    const events: JobEvent[] = [];
    unsubscribes.push(await store.subscribe((event) => events.push(event)));
    return {
      events,
      async settle(): Promise<JobEvent[]> {
        const marker = `marker-${randomUUID()}`;
        await store.createTree({ jobs: [job(marker, null)], tags: [], createdAt: 1, start: false });
        await vi.waitFor(() => expect(events.some((event) => event.treeId === marker)).toBe(true));
        return events.filter((event) => !event.treeId.startsWith('marker-'));
      },
    };
  }

  it('claimMany claims in the order given and leaves out ids that are not claimable', async () => {
    const store = await openStore();
    const id = idsFor('root', 'a', 'b', 'c', 'd', 'e', 'p', 'p1', 'other', 'o1');
    await store.createTree({
      jobs: [
        job(id.root, null),
        job(id.a, id.root),
        job(id.b, id.root),
        job(id.c, id.root),
        job(id.d, id.root, 'node-b'),
        job(id.e, id.root),
        job(id.p, id.root),
        job(id.p1, id.p),
      ],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.createTree({
      jobs: [job(id.other, null), job(id.o1, id.other)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claim(id.p1, 'node-a', 2);
    await store.succeed(id.p1, { summary: 'done', result: 7, context: { k: 'v' } }, 3);
    await store.claim(id.e, 'node-a', 3);
    await store.abortTree(id.other, 'stopped', 3);
    const { events, settle } = await recordEvents(store);
    events.length = 0;

    const claimed = await store.claimMany(
      [id.c, 'no-such-job', id.d, id.root, id.p, id.e, id.o1, id.a, id.c],
      'node-a',
      10,
    );
    // d is another node's, root waits for children, e is running, o1's tree was aborted, c twice.
    expect(claimedIds(claimed)).toEqual([id.c, id.p, id.a]);
    expect(claimed[0]).toMatchObject({
      job: { id: id.c, treeId: id.root, parentId: id.root, state: 'RUNNING', startedAt: 10 },
      context: { k: 'v' },
      childResults: {},
    });
    expect(claimed[1]).toMatchObject({ job: { id: id.p, childIds: [id.p1] }, childResults: { [id.p1]: 7 } });
    expect((await store.getJob(id.b))?.state).toBe('WAITING');
    expect((await store.getJob(id.d))?.state).toBe('WAITING');
    expect((await settle()).map((event) => [kindOf(event), event.kind === 'state' && event.jobId])).toEqual([
      ['state:RUNNING', id.c],
      ['state:RUNNING', id.p],
      ['state:RUNNING', id.a],
    ]);

    expect(await store.claimMany([], 'node-a', 11)).toEqual([]);
    expect(await store.claimMany([id.a, id.c], 'node-a', 11)).toEqual([]);
  });

  it('claimMany from two stores at once never claims a job twice (and never deadlocks)', async () => {
    const [first, second] = [await openStore(), await openStore()];
    for (let round = 0; round < 3; round += 1) {
      // Jobs of several trees, interleaved: the two batches meet in every tree, in opposite orders.
      const trees = Array.from({ length: 6 }, () => idsFor('root').root);
      const leaves: string[] = [];
      for (const [index, root] of trees.entries()) {
        const children = Array.from({ length: 8 }, (_, child) => `${root}-leaf-${child}`);
        await first.createTree({
          jobs: [job(root, null), ...children.map((child) => job(child, root))],
          tags: [],
          createdAt: 1,
          start: true,
        });
        for (const [position, child] of children.entries()) leaves[position * trees.length + index] = child;
      }
      const [a, b] = await Promise.all([
        first.claimMany(leaves, 'node-a', 5),
        second.claimMany([...leaves].reverse(), 'node-a', 5),
      ]);
      const all = [...claimedIds(a), ...claimedIds(b)];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...leaves].sort());
      // Each keeps the order it asked for.
      expect(claimedIds(a)).toEqual(leaves.filter((leaf) => claimedIds(a).includes(leaf)));
      expect(claimedIds(b)).toEqual([...leaves].reverse().filter((leaf) => claimedIds(b).includes(leaf)));
    }
  });

  it('succeedMany records every success, merges contexts in order, claims ready parents then claimNext', async () => {
    const store = await openStore();
    const id = idsFor('root', 'p1', 'x1', 'x2', 'p2', 'y1', 'p3', 'z1', 'n1', 'n2', 'n3');
    await store.createTree({
      jobs: [
        job(id.root, null),
        job(id.p1, id.root),
        job(id.x1, id.p1),
        job(id.x2, id.p1),
        job(id.p2, id.root, 'node-b'),
        job(id.y1, id.p2),
        job(id.p3, id.root),
        job(id.z1, id.p3),
        job(id.n1, id.root),
        job(id.n2, id.root),
        job(id.n3, id.root),
      ],
      tags: [],
      createdAt: 1,
      start: true,
    });
    expect(claimedIds(await store.claimMany([id.x1, id.x2, id.y1, id.z1], 'node-a', 2))).toHaveLength(4);

    const { results, claimed } = await store.succeedMany(
      [
        { jobId: id.x1, outcome: { summary: 'x1', result: 1, context: { a: 1, b: 1 } } },
        { jobId: id.x2, outcome: { summary: 'x2', result: { two: 2 } } },
        { jobId: id.x2, outcome: { summary: 'again' } }, // no longer RUNNING
        { jobId: id.y1, outcome: { summary: 'y1', context: { b: 2 } } },
        { jobId: 'no-such-job', outcome: { summary: 'none' } },
        { jobId: id.z1, outcome: { summary: 'z1', context: { c: 3 } } },
      ],
      10,
      { claimFor: 'node-a', claimNext: [id.n1, id.p1, 'no-such-job', id.n2, id.n3], maxClaims: 3 },
    );
    expect(results).toEqual([
      { recorded: true },
      { recorded: true },
      { recorded: false },
      { recorded: true, readyParent: { jobId: id.p2, nodeId: 'node-b' } },
      { recorded: false },
      { recorded: true },
    ]);
    // p1 and p3 (made ready, node-a's), then n1; p1 in claimNext is already running; n2, n3 over budget.
    expect(claimedIds(claimed)).toEqual([id.p1, id.p3, id.n1]);
    expect(claimed[0]).toMatchObject({
      context: { a: 1, b: 1 },
      childResults: { [id.x1]: 1, [id.x2]: { two: 2 } },
    });
    expect(claimed[1]).toMatchObject({ context: { a: 1, b: 2, c: 3 }, childResults: {} });
    expect(claimed[2]?.context).toEqual({ a: 1, b: 2, c: 3 });
    for (const jobId of [id.x1, id.x2, id.y1, id.z1]) {
      expect(await store.getJob(jobId)).toMatchObject({ state: 'SUCCESS', finishedAt: 10 });
    }
    expect((await store.getJob(id.x2))?.summary).toBe('x2');
    expect((await store.getJob(id.x1))?.result).toBe(1);
    expect((await store.getTree(id.root))?.context).toEqual({ a: 1, b: 2, c: 3 });
    expect((await store.getJob(id.n2))?.state).toBe('WAITING');
    expect((await store.getJob(id.p2))?.state).toBe('WAITING');

    // Empty batches, with and without jobs to claim next.
    expect(await store.succeedMany([], 11)).toEqual({ results: [], claimed: [] });
    const next = await store.succeedMany([], 11, { claimFor: 'node-a', claimNext: [id.n2, id.n3] });
    expect(next.results).toEqual([]);
    expect(claimedIds(next.claimed)).toEqual([id.n2, id.n3]);
  });

  it('succeedMany returns and publishes as ready a parent it could not claim within maxClaims', async () => {
    const store = await openStore();
    const id = idsFor('root', 'p1', 'x1', 'p2', 'y1', 'p3', 'z1', 'n1');
    await store.createTree({
      jobs: [
        job(id.root, null),
        job(id.p1, id.root),
        job(id.x1, id.p1),
        job(id.p2, id.root),
        job(id.y1, id.p2),
        job(id.p3, id.root),
        job(id.z1, id.p3),
        job(id.n1, id.root),
      ],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claimMany([id.x1, id.y1, id.z1], 'node-a', 2);
    const { events, settle } = await recordEvents(store);
    events.length = 0;
    const { results, claimed } = await store.succeedMany(
      [
        { jobId: id.x1, outcome: { summary: 'x1' } },
        { jobId: id.y1, outcome: { summary: 'y1' } },
      ],
      10,
      { claimFor: 'node-a', claimNext: [id.n1], maxClaims: 1 },
    );
    expect(results).toEqual([
      { recorded: true },
      { recorded: true, readyParent: { jobId: id.p2, nodeId: 'node-a' } },
    ]);
    expect(claimedIds(claimed)).toEqual([id.p1]);
    expect(
      (await settle()).map((event) => [kindOf(event), event.kind === 'state' ? event.jobId : event]),
    ).toEqual([
      ['state:SUCCESS', id.x1],
      ['state:RUNNING', id.p1],
      ['state:SUCCESS', id.y1],
      ['ready', { kind: 'ready', treeId: id.root, jobs: [{ jobId: id.p2, nodeId: 'node-a' }] }],
    ]);
    // No budget at all: nothing claimed, the parent is ready.
    const none = await store.succeedMany([{ jobId: id.z1, outcome: { summary: 'z1' } }], 11, {
      claimFor: 'node-a',
      claimNext: [id.n1],
      maxClaims: 0,
    });
    expect(none).toEqual({
      results: [{ recorded: true, readyParent: { jobId: id.p3, nodeId: 'node-a' } }],
      claimed: [],
    });
  });

  it('succeedMany publishes the same events and returns the same as succeed and claim one after the other', async () => {
    const store = await openStore();
    const { events, settle } = await recordEvents(store);

    /** The same tree under ids ending in `suffix`; runs its successes either way. */
    async function scenario(suffix: string, batch: boolean) {
      const name = (base: string) => `${base}-${suffix}`;
      const [root, p1, x1, x2, p2, y1, p3, z1, z2, n1, n2, n3] = [
        'root',
        'p1',
        'x1',
        'x2',
        'p2',
        'y1',
        'p3',
        'z1',
        'z2',
        'n1',
        'n2',
        'n3',
      ].map(name) as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      await store.createTree({
        jobs: [
          job(root, null),
          job(p1, root),
          job(x1, p1),
          job(x2, p1),
          job(p2, root, 'node-b'),
          job(y1, p2),
          job(p3, root),
          job(z1, p3),
          job(z2, p3),
          job(n1, root),
          job(n2, root, 'node-b'),
          job(n3, root),
        ],
        tags: [],
        createdAt: 1,
        start: true,
      });
      for (const leaf of [x1, x2, z1, z2]) await store.claim(leaf, 'node-a', 2);
      await store.claim(y1, 'node-b', 2);
      const successes: Success[] = [
        { jobId: x1, outcome: { summary: 'x1', result: 1, context: { a: 1 } } },
        { jobId: z1, outcome: { summary: 'z1', context: { a: 2, b: 2 } } },
        { jobId: x2, outcome: { summary: 'x2', result: 2 } },
        { jobId: y1, outcome: { summary: 'y1' } },
        { jobId: n1, outcome: { summary: 'not running' } },
        { jobId: z2, outcome: { summary: 'z2', result: [2] } },
      ];
      const options: BatchOptions = { claimFor: 'node-a', claimNext: [n2, n1, n3, n3], maxClaims: 3 };
      const outcome = batch
        ? await store.succeedMany(successes, 10, options)
        : await succeedOneByOne(store, successes, 10, options);
      const tree = await store.getTree(root);
      return { outcome, tree };
    }

    const batched = await scenario('batch', true);
    const single = await scenario('single', false);
    const all = await settle();
    const eventsOf = (suffix: string) =>
      JSON.stringify(all.filter((event) => event.treeId.endsWith(`-${suffix}`))).replaceAll(`-${suffix}`, '');
    const normal = (value: unknown, suffix: string) => JSON.stringify(value).replaceAll(`-${suffix}`, '');

    expect(eventsOf('batch')).toEqual(eventsOf('single'));
    expect(normal(batched, 'batch')).toEqual(normal(single, 'single'));
    expect(claimedIds(batched.outcome.claimed)).toEqual(['p1-batch', 'p3-batch', 'n1-batch']);
    expect(batched.tree?.context).toEqual({ a: 2, b: 2 });
    expect(events.length).toBeGreaterThan(0);
  });

  it('succeedMany in an aborted tree marks the jobs ABORTED and claims nothing there, as succeed does', async () => {
    const store = await openStore();
    const id = idsFor('root', 'p', 'a', 'b', 'c', 'live', 'l1');
    await store.createTree({
      jobs: [job(id.root, null), job(id.p, id.root), job(id.a, id.p), job(id.b, id.p), job(id.c, id.root)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.createTree({
      jobs: [job(id.live, null), job(id.l1, id.live)],
      tags: [],
      createdAt: 1,
      start: true,
    });
    await store.claimMany([id.a, id.b, id.l1], 'node-a', 2);
    await store.abortTree(id.root, 'stopped', 3);
    const { events, settle } = await recordEvents(store);
    events.length = 0;

    const { results, claimed } = await store.succeedMany(
      [
        { jobId: id.a, outcome: { summary: 'a', result: 1, context: { lost: true } } },
        { jobId: id.l1, outcome: { summary: 'l1', context: { kept: true } } },
        { jobId: id.b, outcome: { summary: 'b' } },
      ],
      10,
      { claimFor: 'node-a', claimNext: [id.c] },
    );
    expect(results).toEqual([{ recorded: false }, { recorded: true }, { recorded: false }]);
    // live's root was made ready and claimed; c was aborted with its tree.
    expect(claimedIds(claimed)).toEqual([id.live]);
    for (const jobId of [id.a, id.b]) {
      expect(await store.getJob(jobId)).toMatchObject({
        state: 'ABORTED',
        summary: 'Aborted due to a related job.',
        finishedAt: 10,
      });
    }
    expect((await store.getJob(id.a))?.result).toBeUndefined();
    expect((await store.getTree(id.root))?.context).toEqual({});
    expect((await store.getTree(id.live))?.context).toEqual({ kept: true });
    expect(
      (await settle()).map((event) => [kindOf(event), event.kind === 'state' && event.jobId, event.treeId]),
    ).toEqual([
      ['state:ABORTED', id.a, id.root],
      ['state:SUCCESS', id.l1, id.live],
      ['state:RUNNING', id.live, id.live],
      ['state:ABORTED', id.b, id.root],
    ]);
  });

  it('succeedMany from two stores at once, across the same trees in opposite orders, never deadlocks', async () => {
    const [first, second] = [await openStore(), await openStore()];
    const trees = Array.from({ length: 6 }, () => idsFor('root').root);
    const leaves = new Map<string, string[]>();
    for (const root of trees) {
      const children = Array.from({ length: 6 }, (_, child) => `${root}-leaf-${child}`);
      leaves.set(root, children);
      await first.createTree({
        jobs: [job(root, null), ...children.map((child) => job(child, root))],
        tags: [],
        createdAt: 1,
        start: true,
      });
    }
    // Each store runs leaves 0-1 of every tree and races for leaves 2-5 next.
    const running = (from: number, to: number) =>
      trees.flatMap((root) => leaves.get(root)?.slice(from, to) ?? []);
    await first.claimMany(running(0, 1), 'node-a', 2);
    await second.claimMany(running(1, 2), 'node-a', 2);
    const next = running(2, 6);
    const [a, b] = await Promise.all([
      first.succeedMany(
        running(0, 1).map((jobId) => ({ jobId, outcome: { summary: 'first', context: { first: true } } })),
        10,
        { claimFor: 'node-a', claimNext: next },
      ),
      second.succeedMany(
        running(1, 2)
          .reverse()
          .map((jobId) => ({ jobId, outcome: { summary: 'second', context: { second: true } } })),
        10,
        { claimFor: 'node-a', claimNext: [...next].reverse() },
      ),
    ]);
    expect([...a.results, ...b.results].every((result) => result.recorded)).toBe(true);
    const all = [...claimedIds(a.claimed), ...claimedIds(b.claimed)];
    expect(all.sort()).toEqual([...next].sort());
    for (const root of trees) {
      expect((await first.getTree(root))?.context).toEqual({ first: true, second: true });
    }
  });
});
