import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createJobEngine,
  createKernel,
  type JobEngine,
  type JobEngineOptions,
  type JobRecord,
  type JobSpec,
  type JobStore,
  JobStreamClient,
  type Kernel,
  type TreeRecord,
} from '@paasmaker/core';
import { eventually, patient } from '@paasmaker/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFrom } from '../kernel/test-plugin';
import {
  type JobEngineProcess,
  startJobEngineProcess,
  type WorkerOptions,
  type WorkerStore,
} from './job-engine-process';
import { type BreakableEventsStore, describeJobEngineReconnectCases } from './job-engine-reconnect-cases';
import { asParameter, createJournal, gate, type JobJournal, step, testJobTypes } from './test-job-types';

/** Makes a fresh store; every store made in one test shares one database (or Redis prefix). */
export interface StoreFactory {
  /** A new store on the test's database. Called once per engine. */
  open(): Promise<JobStore>;
  /** Drops the test's data. */
  cleanUp(): Promise<void>;
  /** How a job engine in another process opens a store on the test's database. */
  readonly worker: WorkerStore;
  /** A new store whose event connection the test can break; absent when events need none (SQLite). */
  openBreakable?(): Promise<BreakableEventsStore>;
}

const byTitle = (tree: TreeRecord) =>
  Object.fromEntries(tree.jobs.map((job) => [job.title, job])) as Record<string, JobRecord>;

/**
 * The behaviour every job store must give the engine: the seed's semantics (leaves first,
 * siblings in parallel, failure aborts the tree, grafting, context), tags, concurrency between
 * engines, restart recovery and bad input. Each store's test file calls this with its factory.
 */
export function describeJobEngineConformance(
  storeName: string,
  makeFactory: () => Promise<StoreFactory>,
): void {
  describe(`job engine on ${storeName}`, () => {
    let factory: StoreFactory;
    let journal: JobJournal;
    let kernel: Kernel;
    let logRoot: string;
    const engines: JobEngine[] = [];
    const stores: JobStore[] = [];
    const workers: JobEngineProcess[] = [];
    const breakables: BreakableEventsStore[] = [];

    /** A job engine for `nodeId` in a process of its own, started. */
    const startWorker = async (
      nodeId: string,
      options: Partial<WorkerOptions> = {},
    ): Promise<JobEngineProcess> => {
      const worker = startJobEngineProcess({
        store: factory.worker,
        nodeId,
        leaseMs: 1_000,
        logDirectory: path.join(logRoot, `${nodeId}-worker`),
        ...options,
      });
      workers.push(worker);
      expect(await worker.started).toBe('ready');
      return worker;
    };
    const jobState = async (engine: JobEngine, treeId: string, title: string) =>
      byTitle(await engine.getTree(treeId))[title]?.state;

    const startEngine = async (options: Partial<JobEngineOptions> = {}): Promise<JobEngine> => {
      const store = options.store ?? (await factory.open());
      stores.push(store);
      const nodeId = options.nodeId ?? 'node-a';
      const engine = await createJobEngine({
        kernel,
        store,
        nodeId,
        logDirectory: path.join(logRoot, nodeId),
        abortGraceMs: 300,
        ...options,
      });
      engines.push(engine);
      return engine;
    };

    beforeEach(async () => {
      factory = await makeFactory();
      journal = createJournal();
      kernel = await createKernel({ plugins: [testJobTypes(journal)] });
      logRoot = await mkdtemp(path.join(tmpdir(), 'paasmaker-job-logs-'));
    });

    afterEach(async () => {
      for (const gateEntry of journal.gates.values()) gateEntry.open();
      for (const breakable of breakables) breakable.restore();
      for (const worker of workers.splice(0)) await worker.kill();
      for (const engine of engines.splice(0)) await engine.close();
      for (const store of stores.splice(0)) await store.close();
      for (const breakable of breakables.splice(0)) await breakable.close();
      await kernel.close();
      await factory.cleanUp();
      await rm(logRoot, { recursive: true, force: true });
    });

    it('runs leaves first and a parent only after all its children succeeded', async () => {
      const engine = await startEngine();
      const tree = await engine.run(
        step('root', {
          children: [
            step('a', { children: [step('a1', { delayMs: 20 }), step('a2')] }),
            step('b', { delayMs: 10 }),
          ],
        }),
      );
      const order = journal.started.map((entry) => entry.split('@')[0]);
      expect(order.indexOf('a')).toBeGreaterThan(Math.max(order.indexOf('a1'), order.indexOf('a2')));
      expect(order.at(-1)).toBe('root');
      expect(order).toHaveLength(5);
      expect(tree.jobs.map((job) => job.state)).toEqual(Array(5).fill('SUCCESS'));
      expect(tree.jobs[0]?.id).toBe(tree.treeId);
    });

    it('runs siblings in parallel', async () => {
      const engine = await startEngine({ concurrency: 8 });
      const leaves = ['x', 'y', 'z'].map((name) => step(name, { delayMs: 150 }));
      await engine.run(step('root', { children: leaves }));
      expect(journal.peak).toBe(3);
    });

    it('creates the whole tree with every id before anything runs', async () => {
      const engine = await startEngine();
      const treeId = await engine.createTree(step('root', { children: [step('a'), step('b')] }), {
        start: false,
      });
      const tree = await engine.getTree(treeId);
      expect(tree.jobs.map((job) => [job.title, job.state])).toEqual([
        ['root', 'NEW'],
        ['a', 'NEW'],
        ['b', 'NEW'],
      ]);
      expect(journal.started).toEqual([]);
      await engine.startTree(treeId);
      const done = await engine.waitForTree(treeId);
      expect(done.jobs.every((job) => job.state === 'SUCCESS')).toBe(true);
    });

    it('passes children’s results and the shared context up the tree', async () => {
      const engine = await startEngine();
      const tree = await engine.run(step('root', { children: [step('a'), step('b')] }));
      const root = byTitle(tree).root as JobRecord;
      expect(root.result).toEqual({
        name: 'root',
        children: expect.arrayContaining([
          { name: 'a', children: [] },
          { name: 'b', children: [] },
        ]),
      });
      expect(tree.context).toMatchObject({ a: true, b: true, root: true, last: 'root' });
    });

    it('aborts the whole tree when a job fails: waiting jobs never start, running jobs get the signal', async () => {
      const engine = await startEngine();
      const spec = step('root', {
        children: [
          {
            ...step('sub1'),
            type: 'test.until-aborted',
            children: [step('subsub1', { opens: 'subsub1-done' })],
          },
          {
            type: 'test.until-aborted',
            title: 'runner',
            parameters: { name: 'runner', opens: 'runner-running' },
          },
          { type: 'test.fail', title: 'sub2', parameters: { name: 'sub2', waitFor: 'runner-running' } },
        ],
      });
      // sub2 fails once `runner` runs; subsub1 may or may not have finished by then.
      const error = await errorFrom(() => engine.run(spec));
      expect(error.code).toBe('E_JOB_FAILED');
      const tree = await engine.getTree(
        await engine.listTrees().then((list) => list.trees[0]?.treeId as string),
      );
      // Each state is said once: not "failed: sub2: Failed: …", not "Aborted: Aborted due to …".
      expect(error.message).toBe(`job tree ${tree.treeId}: sub2 failed: this job fails on purpose`);
      const jobs = byTitle(tree);
      expect(jobs.sub2?.state).toBe('FAILED');
      expect(jobs.sub2?.summary).toBe('Failed: this job fails on purpose');
      expect(jobs.runner?.state).toBe('ABORTED');
      expect(jobs.runner?.summary).toBe('Aborted due to a related job.');
      expect(jobs.sub1?.state).toBe('ABORTED');
      expect(jobs.root?.state).toBe('ABORTED');
      expect(jobs.root?.summary).toBe('Aborted due to a related job.');
      expect(journal.sawAbort).toContain('runner');
      expect(journal.started.map((entry) => entry.split('@')[0])).not.toContain('root');
    });

    it('records a job that ignores its abort signal as ABORTED after the grace period', async () => {
      const engine = await startEngine({ abortGraceMs: 100 });
      const error = await errorFrom(() =>
        engine.run(
          step('root', {
            children: [
              {
                type: 'test.ignores-abort',
                title: 'stubborn',
                parameters: { name: 'stubborn', opens: 'stubborn-running' },
              },
              {
                type: 'test.fail',
                title: 'failing',
                parameters: { name: 'failing', waitFor: 'stubborn-running' },
              },
            ],
          }),
        ),
      );
      expect(error.code).toBe('E_JOB_FAILED');
      const tree = await engine.getTree((await engine.listTrees()).trees[0]?.treeId as string);
      expect(byTitle(tree).stubborn?.state).toBe('ABORTED');
      expect(byTitle(tree).stubborn?.summary).toBe('Aborted: did not stop within 100 ms of the abort.');
    });

    it('aborts a tree on a user request, and refuses to abort it again once finished', async () => {
      const engine = await startEngine();
      const treeId = await engine.createTree(
        step('root', {
          children: [
            {
              type: 'test.until-aborted',
              title: 'long',
              parameters: { name: 'long', opens: 'long-running' },
            },
          ],
        }),
      );
      await gate(journal, 'long-running').opened;
      const long = (await engine.getTree(treeId)).jobs[1] as JobRecord;
      await engine.abort(long.id, 'Stopped by a person.');
      const tree = await engine.waitForTree(treeId);
      expect(tree.jobs.map((job) => [job.title, job.state])).toEqual([
        ['root', 'ABORTED'],
        ['long', 'ABORTED'],
      ]);
      // The running job that stopped gets the reason as is, like the rest of its tree.
      expect(tree.jobs.map((job) => job.summary)).toEqual(['Stopped by a person.', 'Stopped by a person.']);
      expect(journal.sawAbort).toEqual(['long']);
      const again = await errorFrom(() => engine.abort(treeId));
      expect(again.code).toBe('E_JOB_FINISHED');
    });

    it('lets a running job graft jobs under its waiting parent, which then waits for them', async () => {
      const engine = await startEngine();
      const tree = await engine.run(
        step('root', {
          children: [
            {
              type: 'test.graft',
              title: 'request',
              parameters: {
                name: 'request',
                graft: asParameter([step('g1', { delayMs: 20 }), step('g2', { children: [step('g2a')] })]),
              },
            },
          ],
        }),
      );
      const order = journal.started.map((entry) => entry.split('@')[0]);
      expect(order.at(-1)).toBe('root');
      expect(order).toEqual(expect.arrayContaining(['request', 'g1', 'g2', 'g2a', 'root']));
      const jobs = byTitle(tree);
      expect(jobs.g1?.parentId).toBe(tree.treeId);
      expect(jobs.g2a?.parentId).toBe(jobs.g2?.id);
      expect(jobs.root?.result).toMatchObject({ children: [{}, {}, {}] });
      expect(jobs.request?.result).toEqual({ grafted: [jobs.g1?.id, jobs.g2?.id, jobs.g2a?.id] });
    });

    it('refuses to graft under a job that already started', async () => {
      const engine = await startEngine();
      const tree = await engine.run(
        step('root', {
          children: [
            {
              type: 'test.graft',
              title: 'request',
              parameters: { name: 'request', graftUnder: 'self', graft: asParameter([step('late')]) },
            },
          ],
        }),
      );
      expect(byTitle(tree).request?.result).toEqual({ error: 'E_JOB_GRAFT' });
      expect(tree.jobs).toHaveLength(2);
    });

    it('lists trees by tag, newest first, with paging', async () => {
      const engine = await startEngine();
      const ids: string[] = [];
      for (const [index, workspace] of ['w1', 'w2', 'w1', 'w1'].entries()) {
        ids.push(
          await engine.createTree(step(`tree${index}`), { tags: { workspace, application: `app${index}` } }),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const w1 = ids.filter((_, index) => index !== 1).reverse();
      const page1 = await engine.listTrees({ tag: 'workspace:w1', limit: 2 });
      expect(page1.total).toBe(3);
      expect(page1.trees.map((tree) => tree.treeId)).toEqual(w1.slice(0, 2));
      const page2 = await engine.listTrees({ tag: 'workspace:w1', limit: 2, offset: 2 });
      expect(page2.trees.map((tree) => tree.treeId)).toEqual(w1.slice(2));
      expect(page2.trees[0]?.tags).toEqual(['application:app0', 'workspace:w1']);
      expect((await engine.listTrees({ tag: 'application:app1' })).trees.map((tree) => tree.treeId)).toEqual([
        ids[1],
      ]);
    });

    it('runs each job on its own node, and exactly once even with two engines per node', async () => {
      const a1 = await startEngine({ nodeId: 'node-a' });
      await startEngine({ nodeId: 'node-a' });
      await startEngine({ nodeId: 'node-b' });
      await startEngine({ nodeId: 'node-b' });
      const leaves = Array.from({ length: 60 }, (_, index) =>
        step(`leaf${index}`, { node: index % 2 ? 'node-b' : 'node-a' }),
      );
      const tree = await a1.run(step('root', { node: 'node-b', children: leaves }));
      expect(tree.jobs.every((job) => job.state === 'SUCCESS')).toBe(true);
      expect([...journal.runs.values()].every((count) => count === 1)).toBe(true);
      expect(journal.runs.size).toBe(61);
      expect(journal.started).toContain('root@node-b');
      for (const entry of journal.started) {
        const [name, node] = entry.split('@');
        if (name !== 'root') expect(node).toBe(Number(name?.slice(4)) % 2 ? 'node-b' : 'node-a');
      }
    });

    it('marks jobs a node was running as FAILED when it restarts, aborting their trees, and never reruns them', async () => {
      const first = await startEngine({ nodeId: 'node-a' });
      const treeId = await first.createTree(step('root', { children: [step('interrupted')] }), {
        start: false,
      });
      const interrupted = (await first.getTree(treeId)).jobs[1] as JobRecord;
      await first.close();
      // The node dies while running `interrupted`: its claim is recorded, its outcome never is.
      await first.store.startTree(treeId);
      expect(await first.store.claim(interrupted.id, 'node-a', Date.now())).toBeDefined();
      await startEngine({ nodeId: 'node-a' });
      const tree = await first.waitForTree(treeId);
      expect(byTitle(tree).interrupted?.state).toBe('FAILED');
      expect(byTitle(tree).interrupted?.summary).toBe('Failed: node restarted.');
      expect(byTitle(tree).root?.state).toBe('ABORTED');
      expect(journal.started).toEqual([]);
    });

    it('records a failure before a sibling’s success can start the next job of the tree', async () => {
      const engine = await startEngine();
      // sub2 fails right after subsub1 succeeds, which makes sub1 ready on this same node.
      const error = await errorFrom(() =>
        engine.run(
          step('root', {
            children: [
              step('sub1', { children: [step('subsub1', { opens: 'subsub1-done' })] }),
              { type: 'test.fail', title: 'sub2', parameters: { name: 'sub2', waitFor: 'subsub1-done' } },
            ],
          }),
        ),
      );
      expect(error.code).toBe('E_JOB_FAILED');
      const jobs = byTitle(await engine.getTree((await engine.listTrees()).trees[0]?.treeId as string));
      // subsub1 ends SUCCESS or, if the failure was recorded before its success, ABORTED.
      expect(['SUCCESS', 'ABORTED']).toContain(jobs.subsub1?.state);
      expect(jobs.sub2?.state).toBe('FAILED');
      expect(jobs.sub1?.state).toBe('ABORTED');
      expect(jobs.root?.state).toBe('ABORTED');
    });

    it('fails the job of a worker killed mid-job once its lease lapses, aborting its tree and resolving waiters', {
      timeout: patient(90_000),
    }, async () => {
      const engine = await startEngine({ leaseMs: 1_000 });
      const worker = await startWorker('node-k');
      const treeId = await engine.createTree(
        step('root', {
          children: [
            { type: 'test.ignores-abort', title: 'doomed', node: 'node-k', parameters: { name: 'doomed' } },
            { type: 'test.until-aborted', title: 'sibling', parameters: { name: 'sibling' } },
          ],
        }),
      );
      await eventually(async () => expect(await jobState(engine, treeId, 'doomed')).toBe('RUNNING'), {
        timeout: 30_000,
        interval: 100,
      });
      await worker.kill('SIGKILL');
      const jobs = byTitle(await engine.waitForTree(treeId));
      expect(jobs.doomed?.state).toBe('FAILED');
      expect(jobs.doomed?.summary).toBe('Failed: node node-k lost (its lease lapsed).');
      expect(jobs.sibling?.state).toBe('ABORTED');
      expect(jobs.sibling?.summary).toBe('Aborted due to a related job.');
      expect(jobs.root?.state).toBe('ABORTED');
      expect(journal.sawAbort).toEqual(['sibling']);
    });

    it('refuses a second process with the node id of a live one, leaving its jobs running', {
      timeout: patient(90_000),
    }, async () => {
      const engine = await startEngine({ leaseMs: 1_000 });
      await startWorker('node-k');
      const treeId = await engine.createTree(
        step('root', {
          children: [
            { type: 'test.ignores-abort', title: 'busy', node: 'node-k', parameters: { name: 'busy' } },
          ],
        }),
      );
      await eventually(async () => expect(await jobState(engine, treeId, 'busy')).toBe('RUNNING'), {
        timeout: 30_000,
        interval: 100,
      });
      const refused = await errorFrom(() => startEngine({ nodeId: 'node-k', leaseMs: 1_000 }));
      expect(refused.code).toBe('E_JOB_NODE_IN_USE');
      expect(refused.message).toContain('node id "node-k" is in use by another live process');
      // Longer than the lease: the worker renews it, so nothing fails its job.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await jobState(engine, treeId, 'busy')).toBe('RUNNING');
    });

    it('fails a job whose callback throws or leaves a rejection unhandled, and keeps its process alive', {
      timeout: patient(90_000),
    }, async () => {
      // The tree ends in the worker's process: SQLite's events stay there, so this engine's waiter
      // sees the end on its next re-read (as often as the worker's, instead of every 5 s).
      const engine = await startEngine({ leaseMs: 1_000, rescanIntervalMs: 500 });
      const worker = await startWorker('node-k');
      for (const rejects of [false, true]) {
        const error = await errorFrom(() =>
          engine.run({
            type: 'test.throws-later',
            title: 'thrower',
            node: 'node-k',
            parameters: { name: 'thrower', message: `escaped (rejects: ${rejects})`, rejects },
          }),
        );
        expect(error.code).toBe('E_JOB_FAILED');
        expect(error.message).toMatch(
          new RegExp(`^job tree \\S+: thrower failed: escaped \\(rejects: ${rejects}\\)$`),
        );
      }
      const after = await engine.run(step('after', { node: 'node-k' }));
      expect(after.jobs[0]?.state).toBe('SUCCESS');
      expect(worker.child.exitCode).toBe(null);
    });

    it('lets a waiter see the end of a tree run by another process', {
      timeout: patient(90_000),
    }, async () => {
      // As above: on SQLite the waiter learns of the end by re-reading.
      const engine = await startEngine({ leaseMs: 1_000, rescanIntervalMs: 500 });
      await startWorker('node-k');
      const tree = await engine.run(
        step('root', { node: 'node-k', children: [step('leaf', { node: 'node-k' })] }),
      );
      expect(tree.jobs.map((job) => job.state)).toEqual(['SUCCESS', 'SUCCESS']);
    });

    it('shows a job assigned to a node that never picks it up as waiting on that node', async () => {
      const engine = await startEngine({ nodeId: 'node-a' });
      await engine.store.registerNode('node-gone', {});
      const treeId = await engine.createTree(
        step('root', { children: [step('stranded', { node: 'node-gone' })] }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stranded = byTitle(await engine.getTree(treeId)).stranded;
      expect([stranded?.state, stranded?.nodeId]).toEqual(['WAITING', 'node-gone']);
      expect(journal.started).toEqual([]);
    });

    it('creates, reads, aborts and runs trees of 30,000 jobs', { timeout: patient(240_000) }, async () => {
      const size = 30_000;
      const engine = await startEngine({ concurrency: 16 });
      const noop = (title: string, children: JobSpec[] = []): JobSpec => ({
        type: 'test.noop',
        title,
        children,
      });
      const wide = () =>
        noop(
          'root',
          Array.from({ length: size - 1 }, (_, i) => noop(`leaf-${i}`)),
        );
      let deep = noop(`link-${size - 1}`);
      for (let link = size - 2; link >= 0; link--) deep = noop(`link-${link}`, [deep]);

      for (const [spec, last] of [
        [wide(), `leaf-${size - 2}`],
        [deep, `link-${size - 1}`],
      ] as const) {
        const held = await engine.createTree(spec, { start: false });
        const created = await engine.getTree(held);
        expect(created.jobs).toHaveLength(size);
        expect(created.jobs.at(-1)?.title).toBe(last);
        expect(created.jobs.every((job) => job.state === 'NEW')).toBe(true);
        await engine.abort(held, 'Too big to run here.');
        const aborted = await engine.getTree(held);
        expect(aborted.aborted).toBe(true);
        expect(aborted.jobs.every((job) => job.state === 'ABORTED')).toBe(true);
      }

      const tree = await engine.run(wide());
      expect(tree.jobs).toHaveLength(size);
      expect(tree.jobs.every((job) => job.state === 'SUCCESS')).toBe(true);
      expect(tree.jobs[0]?.childIds).toHaveLength(size - 1);
      expect((await engine.getJob(tree.treeId)).childIds).toHaveLength(size - 1);
    });

    it('refuses bad trees with a clear error and creates nothing', async () => {
      const engine = await startEngine();
      const unknownType = await errorFrom(() => engine.createTree({ type: 'test.nope' }));
      expect(unknownType.code).toBe('E_JOB_TYPE_UNKNOWN');
      expect(unknownType.message).toContain('"test.nope"');
      const badParameters = await errorFrom(() =>
        engine.createTree(step('root', { children: [{ type: 'test.step', parameters: { name: 3 } }] })),
      );
      expect(badParameters.code).toBe('E_JOB_PARAMETERS');
      expect(badParameters.message).toBe('test.step (job at /children/0): /name must be string');
      const cyclic = step('loop');
      cyclic.children = [step('inner', { children: [cyclic] })];
      const cycle = await errorFrom(() => engine.createTree(cyclic));
      expect(cycle.code).toBe('E_JOB_TREE_INVALID');
      expect(cycle.message).toContain('cycle');
      const unknownNode = await errorFrom(() => engine.createTree(step('root', { node: 'node-nowhere' })));
      expect(unknownNode.code).toBe('E_JOB_TREE_INVALID');
      expect(unknownNode.message).toContain('"node-nowhere", which is not a registered node');
      expect((await engine.listTrees()).total).toBe(0);
      const missing = await errorFrom(() => engine.getTree('00000000-0000-4000-8000-000000000000'));
      expect(missing.code).toBe('E_JOB_NOT_FOUND');
    });

    it('streams a job log from the node that has it through another node, resuming from an offset', async () => {
      const nodeA = await startEngine({ nodeId: 'node-a' });
      const nodeB = await startEngine({ nodeId: 'node-b' });
      const { url } = await nodeA.serveStreams();
      await nodeB.serveStreams();
      const treeId = await nodeA.createTree({
        type: 'test.chatty',
        title: 'chatty',
        node: 'node-b',
        parameters: { name: 'chatty', lines: 200, opens: 'half-written', waitFor: 'reader-moved' },
      });
      const follow = (client: JobStreamClient, offset: number, until: (text: string) => boolean) =>
        new Promise<{ text: string; offset: number }>((resolve, reject) => {
          let text = '';
          const handle = client.followLog(treeId, {
            offset,
            onLines(chunk, next) {
              text += chunk;
              if (until(text)) {
                handle.close();
                resolve({ text, offset: next });
              }
            },
            onError: reject,
          });
        });
      await gate(journal, 'half-written').opened;
      const first = new JobStreamClient({ url });
      const part1 = await follow(first, 0, (text) => text.includes('line 10 of'));
      await first.close();
      gate(journal, 'reader-moved').open();
      const second = new JobStreamClient({ url });
      const part2 = await follow(second, part1.offset, (text) => text.includes('line 199 of 200'));
      await second.close();
      await nodeA.waitForTree(treeId);
      const whole = await nodeB.logs.read(treeId, 0, 10 * 1024 * 1024);
      expect(part1.text + part2.text).toBe(whole?.text);
      expect(await nodeA.logs.has(treeId)).toBe(false);
    });

    it('refuses a log request for an id that is not a job id', async () => {
      const engine = await startEngine();
      for (const id of ['../../etc/passwd', 'a/b', '..', '']) {
        expect((await errorFrom(() => engine.logs.read(id, 0))).code).toBe('E_JOB_LOG_ID_INVALID');
      }
      const { url } = await engine.serveStreams();
      const client = new JobStreamClient({ url });
      const error = await new Promise<{ code?: string }>((resolve) => {
        client.followLog('../secrets', { onLines: () => {}, onError: resolve });
      });
      await client.close();
      expect(error.code).toBe('E_JOB_LOG_ID_INVALID');
    });

    it('prunes finished trees older than an age, with their logs', async () => {
      const engine = await startEngine();
      const tree = await engine.run(step('root', { children: [step('a')] }));
      expect(await engine.logs.has(tree.treeId)).toBe(true);
      expect(await engine.prune(60_000)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await engine.prune(0)).toBe(2);
      expect(await engine.logs.has(tree.treeId)).toBe(false);
      expect((await errorFrom(() => engine.getTree(tree.treeId))).code).toBe('E_JOB_NOT_FOUND');
    });

    describeJobEngineReconnectCases(() => ({
      factory,
      journal,
      startEngine,
      startWorker,
      async openBreakable() {
        if (!factory.openBreakable)
          throw new Error(`the ${storeName} backend has no event connection to break`);
        const breakable = await factory.openBreakable();
        breakables.push(breakable);
        return breakable;
      },
    }));
  });
}
