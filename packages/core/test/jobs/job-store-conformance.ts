import { randomUUID } from 'node:crypto';
import { eventually } from '@paasmaker/test-servers';
import { describe, expect, it } from 'vitest';
import {
  isTreeEvent,
  type JobEvent,
  type JobStore,
  type NewJob,
  type TreeQuery,
} from '../../src/jobs/job-store';
import type { StoreFactory } from './job-engine-conformance';
import {
  type BatchOptions,
  claimedIds,
  createStartedTree,
  createTrees,
  createWideTree,
  idsFor,
  job,
  kindOf,
  readyIdsIn,
  recordEvents,
  rejection,
  type Success,
  sortRefs,
  stateOf,
  succeedOneByOne,
  useBackend,
} from './job-store-test-helpers';

/**
 * The `JobStore` contract, tested on the store itself: readiness (leaves first), claims (one
 * winner, right node only), succeed/fail/abort and what they do to the tree, claiming the
 * parent a success made ready, grafting, events, listing, ready jobs, crash recovery, pruning,
 * nodes, durability, and batches (`claimMany`, `succeedMany`: the same as the single calls, in
 * one atomic step). Each store's test file calls this with a factory making a fresh backend
 * (a database or key prefix of its own) for every test; every store opened in a test shares it.
 */
export function describeJobStoreConformance(name: string, makeBackend: () => Promise<StoreFactory>): void {
  describe(`job store on ${name}`, () => {
    const { openStore } = useBackend(makeBackend);

    it('runs a tree leaves first: a parent is ready only once all its children succeeded', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'a1', 'a2', 'b');
      const jobs = [
        job(id.root, null),
        job(id.a, id.root),
        job(id.a1, id.a),
        job(id.a2, id.a),
        job(id.b, id.root, 'node-b'),
      ];
      expect(await store.createTree({ jobs, tags: ['workspace:1'], createdAt: 1_000, start: false })).toEqual(
        [],
      );
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
      expect((await rejection(store.startTree('no-such-tree'))).code).toBe('E_JOB_NOT_FOUND');
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
      expect((await store.succeed(id.b, { summary: 'b done', result: null }, 1_011)).readyParent).toEqual({
        jobId: id.root,
        nodeId: 'node-a',
      });
      const root = await store.claim(id.root, 'node-a', 1_012);
      expect(root?.childResults).toEqual({ [id.b]: null }); // a succeeded without a result
      expect(await store.succeed(id.root, { summary: 'all done' }, 1_013)).toEqual({ recorded: true });

      const tree = await store.getTree(id.root);
      expect(tree?.jobs.map((j) => j.id)).toEqual([id.root, id.a, id.a1, id.a2, id.b]);
      expect(tree?.jobs.every((j) => j.state === 'SUCCESS')).toBe(true);
      expect(tree).toMatchObject({
        treeId: id.root,
        tags: ['workspace:1'],
        createdAt: 1_000,
        aborted: false,
      });
      expect(await store.getJob(id.a1)).toEqual({
        id: id.a1,
        treeId: id.root,
        parentId: id.a,
        nodeId: 'node-a',
        type: 'test.job',
        parameters: {},
        title: `Job ${id.a1}`,
        state: 'SUCCESS',
        summary: 'a1 done',
        result: { n: 1 },
        childIds: [],
        createdAt: 1_000,
        startedAt: 1_003,
        finishedAt: 1_004,
      });
      expect(await store.getJob('no-such-job')).toBeUndefined();
      expect(await store.getTree('no-such-tree')).toBeUndefined();
      expect((await store.listTrees({ tag: 'workspace:1' })).trees[0]).toMatchObject({
        state: 'SUCCESS',
        finishedAt: 1_013,
      });
    });

    it('merges contexts shallowly, later keys overwriting earlier ones, before the parent runs', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [
        job(id.root, null, 'node-a', { deep: { list: [] } }),
        job(id.a, id.root),
        job(id.b, id.root),
      ]);
      await store.claim(id.a, 'node-a', 2);
      await store.claim(id.b, 'node-a', 2);
      await store.succeed(id.a, { summary: 'a', context: { shared: { from: 'a', only: 'a' }, onlyA: 1 } }, 3);
      await store.succeed(id.b, { summary: 'b', context: { shared: { from: 'b' }, empty: [] } }, 4);
      const root = await store.claim(id.root, 'node-a', 5);
      expect(root?.context).toEqual({ shared: { from: 'b' }, onlyA: 1, empty: [] });
      expect(root?.job.parameters).toEqual({ deep: { list: [] } });
      expect((await store.getTree(id.root))?.context).toEqual(root?.context);
    });

    it('lets exactly one of 20 concurrent claims win, from one store and from two', async () => {
      const store = await openStore();
      const other = await openStore();
      for (const claimers of [[store], [store, other]]) {
        const id = idsFor('root');
        await createStartedTree(store, [job(id.root, null)]);
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (claimers[i % claimers.length] as JobStore).claim(id.root, 'node-a', i),
          ),
        );
        expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
        expect(await stateOf(other, id.root)).toBe('RUNNING');
      }
    });

    it('makes the parent ready exactly once when its children succeed at the same time in two stores', async () => {
      const store = await openStore();
      const other = await openStore();
      const rootId = `root-${randomUUID()}`;
      const children = Array.from({ length: 12 }, (_, i) => job(`child-${i}-${randomUUID()}`, rootId));
      await createStartedTree(store, [job(rootId, null), ...children]);
      for (const child of children) await store.claim(child.id, 'node-a', 2);
      const outcomes = await Promise.all(
        children.map((child, i) =>
          (i % 2 ? store : other).succeed(child.id, { summary: 'ok', context: { [`k${i}`]: i } }, 3),
        ),
      );
      expect(outcomes.every((outcome) => outcome.recorded)).toBe(true);
      expect(outcomes.filter((outcome) => outcome.readyParent)).toEqual([
        { recorded: true, readyParent: { jobId: rootId, nodeId: 'node-a' } },
      ]);
      const root = await other.claim(rootId, 'node-a', 4);
      expect(Object.keys(root?.context ?? {})).toHaveLength(12); // no merge was lost
    });

    it('claims the parent it made ready in the same step when asked to by its node', async () => {
      const store = await openStore();
      const { events } = await recordEvents(store);
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root), job(id.b, id.root)]);
      await store.claim(id.a, 'node-a', 2);
      await store.claim(id.b, 'node-a', 2);
      await store.succeed(id.a, { summary: 'a', result: { n: 1 }, context: { from: 'a', a: 1 } }, 3, {
        claimReadyParentFor: 'node-a',
      });
      await eventually(() => expect(events.map(kindOf).at(-1)).toBe('state:SUCCESS'));
      events.length = 0;

      const outcome = await store.succeed(
        id.b,
        { summary: 'b', result: ['b'], context: { from: 'b', b: 2 } },
        4,
        { claimReadyParentFor: 'node-a' },
      );
      expect(outcome.recorded).toBe(true);
      expect(outcome.readyParent).toBeUndefined();
      expect(outcome.claimedParent?.job).toMatchObject({
        id: id.root,
        treeId: id.root,
        parentId: null,
        nodeId: 'node-a',
        state: 'RUNNING',
        startedAt: 4,
        childIds: [id.a, id.b],
      });
      expect(outcome.claimedParent?.context).toEqual({ from: 'b', a: 1, b: 2 });
      expect(outcome.claimedParent?.childResults).toEqual({ [id.a]: { n: 1 }, [id.b]: ['b'] });
      expect(await store.getJob(id.root)).toMatchObject({ state: 'RUNNING', startedAt: 4 });
      expect(await store.claim(id.root, 'node-a', 5)).toBeUndefined();
      expect(await store.readyJobs('node-a')).toEqual([]);

      await eventually(() => expect(events.map(kindOf)).toEqual(['state:SUCCESS', 'state:RUNNING']));
      expect(events[1]).toEqual({
        kind: 'state',
        treeId: id.root,
        jobId: id.root,
        parentId: null,
        nodeId: 'node-a',
        state: 'RUNNING',
      });
      expect(await store.succeed(id.root, { summary: 'root' }, 6, { claimReadyParentFor: 'node-a' })).toEqual(
        {
          recorded: true,
        },
      );
    });

    it('leaves a parent of another node ready, and claims no parent that still waits for children', async () => {
      const store = await openStore();
      const { events } = await recordEvents(store);
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [job(id.root, null, 'node-b'), job(id.a, id.root), job(id.b, id.root)]);
      await store.claim(id.a, 'node-a', 2);
      await store.claim(id.b, 'node-a', 2);
      // b has not finished: the parent is not ready, whichever node asks.
      expect(await store.succeed(id.a, { summary: 'a' }, 3, { claimReadyParentFor: 'node-b' })).toEqual({
        recorded: true,
      });
      expect(await stateOf(store, id.root)).toBe('WAITING');
      expect(await store.readyJobs('node-b')).toEqual([]);

      // The parent runs on node-b, not on the node that asks.
      expect(await store.succeed(id.b, { summary: 'b' }, 4, { claimReadyParentFor: 'node-a' })).toEqual({
        recorded: true,
        readyParent: { jobId: id.root, nodeId: 'node-b' },
      });
      expect(await stateOf(store, id.root)).toBe('WAITING');
      expect(await store.readyJobs('node-b')).toEqual([id.root]);
      await eventually(() =>
        expect(events.map(kindOf)).toEqual([
          'created',
          'ready',
          'state:RUNNING',
          'state:RUNNING',
          'state:SUCCESS',
          'state:SUCCESS',
          'ready',
        ]),
      );
      expect(events.at(-1)).toEqual({
        kind: 'ready',
        treeId: id.root,
        jobs: [{ jobId: id.root, nodeId: 'node-b' }],
      });
      expect((await store.claim(id.root, 'node-b', 5))?.job.state).toBe('RUNNING');
    });

    it('refuses a claim by a node the job is not assigned to', async () => {
      const store = await openStore();
      const id = idsFor('root');
      await createStartedTree(store, [job(id.root, null)]);
      expect(await store.claim(id.root, 'node-b', 2)).toBeUndefined();
      expect(await stateOf(store, id.root)).toBe('WAITING');
      expect(await store.claim(id.root, 'node-a', 3)).toBeDefined();
    });

    it('fails a job: pending jobs become ABORTED, running ones are returned, and end ABORTED', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'b', 'c', 'c1');
      await createStartedTree(store, [
        job(id.root, null),
        job(id.a, id.root),
        job(id.b, id.root, 'node-b'),
        job(id.c, id.root),
        job(id.c1, id.c),
      ]);
      await store.claim(id.a, 'node-a', 2);
      await store.claim(id.b, 'node-b', 2);
      expect(await store.fail(id.a, 'Failed: boom', 3)).toEqual({
        treeId: id.root,
        running: [{ jobId: id.b, nodeId: 'node-b' }],
      });
      const tree = await store.getTree(id.root);
      expect(Object.fromEntries(tree?.jobs.map((j) => [j.id, j.state]) ?? [])).toEqual({
        [id.root]: 'ABORTED',
        [id.a]: 'FAILED',
        [id.b]: 'RUNNING',
        [id.c]: 'ABORTED',
        [id.c1]: 'ABORTED',
      });
      expect(tree?.aborted).toBe(true);
      expect(await store.getJob(id.c1)).toMatchObject({
        summary: 'Aborted due to a related job.',
        finishedAt: 3,
      });
      expect(await store.getJob(id.a)).toMatchObject({ summary: 'Failed: boom' });
      expect(await store.claim(id.c1, 'node-a', 4)).toBeUndefined();

      // The running job's success comes too late: it is recorded ABORTED, its outcome dropped.
      expect(await store.succeed(id.b, { summary: 'b done', result: 1, context: { late: true } }, 5)).toEqual(
        {
          recorded: false,
        },
      );
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
      expect(await store.getJob(id.a)).toMatchObject({ state: 'FAILED', summary: 'Failed: boom' });
      expect((await rejection(store.fail('no-such-job', 'x', 8))).code).toBe('E_JOB_NOT_FOUND');
    });

    it('aborts a tree on request, refuses to abort a finished one, and knows no unknown job', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root), job(id.b, id.root)]);
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
      await createStartedTree(store, [job(done.done, null)]);
      await store.claim(done.done, 'node-a', 2);
      await store.succeed(done.done, { summary: 'ok' }, 3);
      expect((await rejection(store.abortTree(done.done, 'late', 4))).code).toBe('E_JOB_FINISHED');
      expect((await store.getTree(done.done))?.aborted).toBe(false);
    });

    it('aborts the tree when a running job is marked ABORTED before its tree was', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root), job(id.b, id.root)]);
      await store.claim(id.a, 'node-a', 2);
      await store.markAborted(id.a, 'Aborted: the node is shutting down.', 3);
      const tree = await store.getTree(id.root);
      expect(tree?.aborted).toBe(true);
      expect(tree?.jobs.map((j) => j.state)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    });

    it('grafts under a NEW or WAITING job, never under a started job or into an aborted tree', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a', 'g1', 'g2', 'g3', 'n1');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root)]);
      await store.claim(id.a, 'node-a', 2);

      // Under the WAITING root, while its only child runs: new WAITING jobs, the leaves ready.
      expect(await store.graft(id.root, [job(id.g1, id.root), job(id.g2, id.g1, 'node-b')], 3)).toEqual([
        { jobId: id.g2, nodeId: 'node-b' },
      ]);
      expect(await store.getJob(id.g1)).toMatchObject({
        state: 'WAITING',
        treeId: id.root,
        childIds: [id.g2],
      });
      expect((await store.getJob(id.root))?.childIds).toEqual([id.a, id.g1]);
      expect((await store.getTree(id.root))?.jobs.map((j) => j.id)).toEqual([id.root, id.a, id.g1, id.g2]);
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
      expect(
        (await rejection(store.graft('no-such-job', [job(underRunning.x, 'no-such-job')], 6))).code,
      ).toBe('E_JOB_NOT_FOUND');
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
      expect(aborted.message).toContain(other.root);
      // Redis says the root "is ABORTED", SQL that its tree "was aborted".
      expect(aborted.message).toMatch(/aborted/i);
      expect(await store.getJob(id.g3)).toBeUndefined();
    });

    it('publishes every change once, in order, to every subscriber of every store on the backend', async () => {
      const store = await openStore();
      const listenerStore = await openStore();
      const { events, unsubscribe } = await recordEvents(listenerStore);
      const { events: witness } = await recordEvents(listenerStore);
      const { events: own } = await recordEvents(store);
      const id = idsFor('root', 'a', 'b');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root), job(id.b, id.root)]);
      await store.claim(id.a, 'node-a', 2);
      await store.succeed(id.a, { summary: 'a ok' }, 3);
      await store.claim(id.b, 'node-a', 4);
      await store.succeed(id.b, { summary: 'b ok' }, 5);
      await store.claim(id.root, 'node-a', 6);
      await store.fail(id.root, 'Failed: root', 7);

      const expected = [
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
      ];
      await eventually(() => expect(events.map(kindOf)).toEqual(expected));
      await eventually(() => expect(witness).toEqual(events));
      await eventually(() => expect(own).toEqual(events)); // no duplicates of its own events
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

      // Unsubscribing one listener leaves the others of its store (and of other stores) alone.
      await unsubscribe();
      const later = idsFor('root');
      await createStartedTree(store, [job(later.root, null)]);
      await eventually(() => expect(witness.at(-1)).toMatchObject({ kind: 'ready', treeId: later.root }));
      await eventually(() => expect(own.at(-1)).toMatchObject({ kind: 'ready', treeId: later.root }));
      expect(events).toHaveLength(expected.length);
    });

    it('gives a treeEventsOnly subscriber the tree events only, beside one that gets every event', async () => {
      const store = await openStore();
      const listenerStore = await openStore();
      const trees: JobEvent[] = [];
      const stopTrees = await listenerStore.subscribe((event) => trees.push(event), { treeEventsOnly: true });
      const { events } = await recordEvents(listenerStore);
      const id = idsFor('root', 'a');
      await createStartedTree(store, [job(id.root, null), job(id.a, id.root)]);
      await store.claim(id.a, 'node-a', 2);
      await store.succeed(id.a, { summary: 'a ok' }, 3);
      await store.claim(id.root, 'node-a', 4);
      await store.fail(id.root, 'Failed: root', 5);

      // Every event: the tree events, and the two state changes of the child between them.
      await eventually(() => expect(events).toHaveLength(8));
      expect(events.filter((event) => !isTreeEvent(event)).map(kindOf)).toEqual([
        'state:RUNNING',
        'state:SUCCESS',
      ]);
      expect(events.slice(2, 4).map((event) => event.kind === 'state' && event.jobId)).toEqual([id.a, id.a]);
      await eventually(() => expect(trees).toEqual(events.filter(isTreeEvent)));
      expect(trees.map(kindOf)).toEqual([
        'created',
        'ready',
        'ready',
        'state:RUNNING',
        'state:FAILED',
        'aborted',
      ]);
      expect(trees.filter((event) => event.kind === 'state').map((event) => event.treeId)).toEqual([
        id.root,
        id.root,
      ]);
      await stopTrees();
    });

    it('publishes every event of a tree of 1,000 jobs, in order, every created before the first ready', async () => {
      const store = await openStore();
      const listenerStore = await openStore();
      const { events } = await recordEvents(listenerStore);
      const { rootId, leafIds, ready } = await createWideTree(store, 999);
      expect(ready).toHaveLength(999);

      await eventually(() => expect(readyIdsIn(events)).toHaveLength(999));
      expect(readyIdsIn(events)).toEqual(leafIds);
      const created = events.flatMap((event) => (event.kind === 'created' ? event.jobIds : []));
      expect(created).toEqual([rootId, ...leafIds]);
      expect(events.findIndex((event) => event.kind === 'ready')).toBe(
        events.filter((e) => e.kind === 'created').length,
      );
    });

    it('lists trees newest first, by tag, with paging and the total', async () => {
      const store = await openStore();
      const trees = idsFor('t1', 't2', 't3', 't4');
      const create = (treeId: string, tags: string[], createdAt: number, start = true) =>
        store.createTree({ jobs: [job(treeId, null)], tags, createdAt, start });
      await create(trees.t1, ['workspace:1'], 10, false);
      await create(trees.t2, ['workspace:1', 'health'], 20);
      await create(trees.t3, ['workspace:2'], 30);
      await create(trees.t4, ['workspace:1', 'x'], 40);
      await store.claim(trees.t2, 'node-a', 21);
      await store.succeed(trees.t2, { summary: 'ok' }, 22);

      const all = await store.listTrees({});
      expect(all.total).toBe(4);
      expect(all.trees.map((t) => t.treeId)).toEqual([trees.t4, trees.t3, trees.t2, trees.t1]);
      const summary = (treeId: string) => ({ treeId, type: 'test.job', title: `Job ${treeId}` });
      expect(all.trees[0]).toEqual({
        ...summary(trees.t4),
        state: 'WAITING',
        tags: ['workspace:1', 'x'],
        createdAt: 40,
      });
      expect(all.trees[2]).toEqual({
        ...summary(trees.t2),
        state: 'SUCCESS',
        tags: ['workspace:1', 'health'],
        createdAt: 20,
        finishedAt: 22,
      });
      expect(all.trees[3]).toMatchObject({ treeId: trees.t1, state: 'NEW' });
      const page = await store.listTrees({ tag: 'workspace:1', offset: 1, limit: 1 });
      expect(page).toMatchObject({ total: 3, trees: [{ treeId: trees.t2 }] });
      const idsOf = async (query: TreeQuery) => (await store.listTrees(query)).trees.map((t) => t.treeId);
      expect(await idsOf({ tag: 'workspace:1' })).toEqual([trees.t4, trees.t2, trees.t1]);
      expect(await idsOf({ tag: 'workspace:1', offset: 2, limit: 5 })).toEqual([trees.t1]);
      expect(await idsOf({ tag: 'workspace:1', offset: 2 })).toEqual([trees.t1]);
      expect(await store.listTrees({ tag: 'workspace:1', limit: 0 })).toEqual({ trees: [], total: 3 });
      expect(await store.listTrees({ tag: 'nobody' })).toEqual({ trees: [], total: 0 });
      expect(await idsOf({ offset: 3 })).toEqual([trees.t1]);
    });

    it('keeps each tag of a tree once, however often it was given', async () => {
      const store = await openStore();
      const id = idsFor('root');
      await store.createTree({
        jobs: [job(id.root, null)],
        tags: ['workspace:1', 'x', 'x'],
        createdAt: 1,
        start: true,
      });
      expect((await store.listTrees({})).trees[0]?.tags).toEqual(['workspace:1', 'x']);
      expect((await store.getTree(id.root))?.tags).toEqual(['workspace:1', 'x']);
      expect(await store.listTrees({ tag: 'x' })).toMatchObject({ total: 1, trees: [{ treeId: id.root }] });
    });

    it('fails the running jobs of a crashed node and aborts their trees', async () => {
      const store = await openStore();
      const { events } = await recordEvents(store);
      const one = idsFor('root', 'a', 'b');
      const two = idsFor('root', 'a');
      await createStartedTree(store, [
        job(one.root, null),
        job(one.a, one.root, 'node-dead'),
        job(one.b, one.root, 'node-b'),
      ]);
      await createStartedTree(store, [job(two.root, null), job(two.a, two.root, 'node-dead')]);
      await store.claim(one.a, 'node-dead', 2);
      await store.claim(one.b, 'node-b', 2);
      await store.claim(two.a, 'node-dead', 2);

      const treeIds = await store.failRunningJobsOf('node-dead', 'Failed: node restarted.', 3);
      expect([...treeIds].sort()).toEqual([one.root, two.root].sort());
      expect(await store.getJob(one.a)).toMatchObject({
        state: 'FAILED',
        summary: 'Failed: node restarted.',
      });
      expect(await stateOf(store, two.a)).toBe('FAILED');
      expect(await stateOf(store, one.root)).toBe('ABORTED');
      expect(await stateOf(store, one.b)).toBe('RUNNING');
      await eventually(() =>
        expect(events.filter((event) => event.kind === 'aborted')).toContainEqual({
          kind: 'aborted',
          treeId: one.root,
          summary: 'Aborted due to a related job.',
          running: [{ jobId: one.b, nodeId: 'node-b' }],
        }),
      );
      expect(await store.failRunningJobsOf('node-dead', 'again', 4)).toEqual([]);
    });

    it("lists a node's ready jobs", async () => {
      const store = await openStore();
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

    it('prunes trees whose root finished before a time and that run nothing, with all their jobs', async () => {
      const store = await openStore();
      const old = idsFor('root', 'a');
      const busy = idsFor('root', 'a', 'b');
      const recent = idsFor('root');
      const create = (jobs: NewJob[], createdAt: number) =>
        store.createTree({ jobs, tags: ['workspace:1'], createdAt, start: true });
      await create([job(old.root, null), job(old.a, old.root)], 1);
      await store.claim(old.a, 'node-a', 2);
      await store.succeed(old.a, { summary: 'ok', context: { k: 1 } }, 3);
      await store.claim(old.root, 'node-a', 4);
      await store.succeed(old.root, { summary: 'ok' }, 50);
      await create([job(busy.root, null), job(busy.a, busy.root), job(busy.b, busy.root)], 2);
      await store.claim(busy.a, 'node-a', 3);
      await store.abortTree(busy.root, 'stop', 50); // the root is ABORTED at 50, but a still runs
      await create([job(recent.root, null)], 3);
      await store.abortTree(recent.root, 'stop', 200);

      expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual([old.root, old.a].sort());
      expect(await store.getTree(old.root)).toBeUndefined();
      expect(await store.getJob(old.a)).toBeUndefined();
      expect(await store.listTrees({ tag: 'workspace:1' })).toMatchObject({
        total: 2,
        trees: [{ treeId: recent.root }, { treeId: busy.root }],
      });
      expect(await store.getTree(busy.root)).toBeDefined();

      await store.markAborted(busy.a, 'stopped', 60);
      expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual([busy.root, busy.a, busy.b].sort());
      expect(await store.pruneFinishedTrees(100)).toEqual([]);
      expect((await store.listTrees({})).trees.map((t) => t.treeId)).toEqual([recent.root]);
    });

    it('registers nodes, a second registration replacing the first', async () => {
      const store = await openStore();
      await store.registerNode('node-a', { streamUrl: 'http://10.0.0.1:41/jobs' });
      await store.registerNode('node-b', {});
      await store.registerNode('node-a', { streamUrl: 'http://10.0.0.1:42/jobs' });
      expect(await store.nodes()).toEqual({
        'node-a': { streamUrl: 'http://10.0.0.1:42/jobs' },
        'node-b': {},
      });
    });

    it('keeps everything across a close and a new store on the same backend', async () => {
      const store = await openStore();
      const id = idsFor('root', 'a');
      await store.createTree({
        jobs: [job(id.root, null), job(id.a, id.root)],
        tags: ['workspace:9'],
        createdAt: 5,
        start: true,
      });
      await store.claim(id.a, 'node-a', 6);
      await store.succeed(id.a, { summary: 'ok', result: { port: 8080 }, context: { built: true } }, 7);
      await store.registerNode('node-a', { streamUrl: 'http://x/jobs' });
      const before = await store.getTree(id.root);
      await store.close();
      expect((await rejection(store.getTree(id.root))).code).toBe('E_JOBS_UNAVAILABLE');

      const reopened = await openStore();
      expect(await reopened.getTree(id.root)).toEqual(before);
      expect(before?.context).toEqual({ built: true });
      expect(await reopened.readyJobs('node-a')).toEqual([id.root]);
      expect(await reopened.nodes()).toEqual({ 'node-a': { streamUrl: 'http://x/jobs' } });
      expect((await reopened.claim(id.root, 'node-a', 8))?.childResults).toEqual({ [id.a]: { port: 8080 } });
    });

    it('creates a tree of 1,023 jobs in one call and returns its 512 leaves, depth-first in getTree', async () => {
      const store = await openStore();
      const suffix = randomUUID().slice(0, 8);
      const jobs: NewJob[] = [];
      const add = (name: string, parentId: string | null, depth: number): void => {
        const id = `${name}-${suffix}`;
        jobs.push(job(id, parentId));
        if (depth < 9) {
          add(`${name}.0`, id, depth + 1);
          add(`${name}.1`, id, depth + 1);
        }
      };
      add('n', null, 0);
      // Insert breadth-first (still parents first) so that depth-first order is the store's doing.
      const byDepth = [...jobs].sort((a, b) => a.id.split('.').length - b.id.split('.').length);
      const ready = await store.createTree({ jobs: byDepth, tags: ['big'], createdAt: 1, start: true });
      expect(ready).toHaveLength(512);
      const tree = await store.getTree(`n-${suffix}`);
      expect(tree?.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    });
    it('claimMany claims in the order given and leaves out ids that are not claimable', async () => {
      const store = await openStore();
      const id = await createTrees(
        store,
        { root: ['a', 'b', 'c', 'd', 'e', 'p'], p: ['p1'], other: ['o1'] },
        { d: 'node-b' },
      );
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
      expect(claimed[1]).toMatchObject({
        job: { id: id.p, childIds: [id.p1] },
        childResults: { [id.p1]: 7 },
      });
      expect(await stateOf(store, id.b)).toBe('WAITING');
      expect(await stateOf(store, id.d)).toBe('WAITING');
      expect((await settle()).map((event) => [kindOf(event), event.kind === 'state' && event.jobId])).toEqual(
        [
          ['state:RUNNING', id.c],
          ['state:RUNNING', id.p],
          ['state:RUNNING', id.a],
        ],
      );

      expect(await store.claimMany([], 'node-a', 11)).toEqual([]);
      expect(await store.claimMany([id.a, id.c], 'node-a', 11)).toEqual([]);
    });

    it('claimMany from two stores at once never claims a job twice (and never deadlocks)', async () => {
      const [first, second] = [await openStore(), await openStore()];
      for (let round = 0; round < 3; round += 1) {
        // Jobs of several trees, interleaved: the two batches meet in every tree, in opposite orders.
        const trees = await Promise.all(Array.from({ length: 6 }, () => createWideTree(first, 8)));
        const leaves = Array.from({ length: 8 }, (_, position) =>
          trees.map(({ leafIds }) => leafIds[position] as string),
        ).flat();
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
      const id = await createTrees(
        store,
        { root: ['p1', 'p2', 'p3', 'n1', 'n2', 'n3'], p1: ['x1', 'x2'], p2: ['y1'], p3: ['z1'] },
        { p2: 'node-b' },
      );
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
      expect(await stateOf(store, id.n2)).toBe('WAITING');
      expect(await stateOf(store, id.p2)).toBe('WAITING');

      // Empty batches, with and without jobs to claim next.
      expect(await store.succeedMany([], 11)).toEqual({ results: [], claimed: [] });
      const next = await store.succeedMany([], 11, { claimFor: 'node-a', claimNext: [id.n2, id.n3] });
      expect(next.results).toEqual([]);
      expect(claimedIds(next.claimed)).toEqual([id.n2, id.n3]);
    });

    it('succeedMany returns and publishes as ready a parent it could not claim within maxClaims', async () => {
      const store = await openStore();
      const id = await createTrees(store, {
        root: ['p1', 'p2', 'p3', 'n1'],
        p1: ['x1'],
        p2: ['y1'],
        p3: ['z1'],
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

      /** The same tree (under ids of its own) and successes, run either way. */
      async function scenario(batch: boolean) {
        const id = await createTrees(
          store,
          { root: ['p1', 'p2', 'p3', 'n1', 'n2', 'n3'], p1: ['x1', 'x2'], p2: ['y1'], p3: ['z1', 'z2'] },
          { p2: 'node-b', n2: 'node-b' },
        );
        for (const leaf of [id.x1, id.x2, id.z1, id.z2]) await store.claim(leaf, 'node-a', 2);
        await store.claim(id.y1, 'node-b', 2);
        const successes: Success[] = [
          { jobId: id.x1, outcome: { summary: 'x1', result: 1, context: { a: 1 } } },
          { jobId: id.z1, outcome: { summary: 'z1', context: { a: 2, b: 2 } } },
          { jobId: id.x2, outcome: { summary: 'x2', result: 2 } },
          { jobId: id.y1, outcome: { summary: 'y1' } },
          { jobId: id.n1, outcome: { summary: 'not running' } },
          { jobId: id.z2, outcome: { summary: 'z2', result: [2] } },
        ];
        const options: BatchOptions = {
          claimFor: 'node-a',
          claimNext: [id.n2, id.n1, id.n3, id.n3],
          maxClaims: 3,
        };
        const outcome = batch
          ? await store.succeedMany(successes, 10, options)
          : await succeedOneByOne(store, successes, 10, options);
        const tree = await store.getTree(id.root);
        // The ids' unique suffix, "-<8 hex>", left out to compare the two runs.
        const normal = (value: unknown) => JSON.stringify(value).replaceAll(id.root.slice('root'.length), '');
        return { id, outcome, tree, normal };
      }

      const batched = await scenario(true);
      const single = await scenario(false);
      const all = await settle();
      const eventsOf = ({ id, normal }: typeof batched) =>
        normal(all.filter((event) => event.treeId === id.root));

      expect(eventsOf(batched)).toEqual(eventsOf(single));
      expect(batched.normal([batched.outcome, batched.tree])).toEqual(
        single.normal([single.outcome, single.tree]),
      );
      expect(claimedIds(batched.outcome.claimed)).toEqual([batched.id.p1, batched.id.p3, batched.id.n1]);
      expect(batched.tree?.context).toEqual({ a: 2, b: 2 });
      expect(events.length).toBeGreaterThan(0);
    });

    it('succeedMany in an aborted tree marks the jobs ABORTED and claims nothing there, as succeed does', async () => {
      const store = await openStore();
      const id = await createTrees(store, { root: ['p', 'c'], p: ['a', 'b'], live: ['l1'] });
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
      const trees = await Promise.all(Array.from({ length: 6 }, () => createWideTree(first, 6)));
      // Each store runs leaves 0-1 of every tree and races for leaves 2-5 next.
      const running = (from: number, to: number) => trees.flatMap(({ leafIds }) => leafIds.slice(from, to));
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
      for (const { rootId } of trees) {
        expect((await first.getTree(rootId))?.context).toEqual({ first: true, second: true });
      }
    });
  });
}
