import type { JobEngine, JobEngineOptions, JobStore, TreeRecord } from '@paasmaker/core';
import { eventually, patient } from '@paasmaker/test-servers';
import { describe, expect, it } from 'vitest';
import type { StoreFactory } from './job-engine-conformance';
import type { JobEngineProcess, WorkerOptions } from './job-engine-process';
import { probeJobReads } from './job-read-probe';
import { gate, type JobJournal, step } from './test-job-types';

/**
 * A store whose event subscription a test can break: `breakEvents` kills its event connection
 * on the server (Redis `CLIENT KILL`, PostgreSQL `pg_terminate_backend`) and keeps any new
 * connection of the store from reaching the server until `restore`, so that what is published
 * in between is certainly missed, however slow or fast the reconnect.
 */
export interface BreakableEventsStore {
  store: JobStore;
  /** Kills the event connection; resolves once the server dropped it. */
  breakEvents(): Promise<void>;
  /** Lets the store's connections reach the server again. */
  restore(): void;
  /** Drops the connections of the store that are still open and stops the means to break them. */
  close(): Promise<void>;
}

/** What the reconnect cases need of the conformance suite's current test. */
export interface ReconnectCaseContext {
  factory: StoreFactory;
  journal: JobJournal;
  startEngine(options?: Partial<JobEngineOptions>): Promise<JobEngine>;
  startWorker(nodeId: string, options?: Partial<WorkerOptions>): Promise<JobEngineProcess>;
  /** A breakable store on the test's database, restored and closed after the test. */
  openBreakable(): Promise<BreakableEventsStore>;
}

/** Longer than any test: only a reconnect (not the periodic re-read) may recover what was missed. */
const noRescan = 3_600_000;
const slow = { timeout: patient(90_000) };

/**
 * Events missed while a subscriber's connection was down (issue 12): the engine and
 * `waitForTree` re-read after it listens again, and a waiter in another process (events do not
 * cross processes on SQLite) sees a tree end through its periodic re-read. The cases that break a
 * connection run on stores that have one (`openBreakable`); the engine under test re-reads on
 * no timer, so each fails unless the re-read after the reconnect happens.
 */
export function describeJobEngineReconnectCases(context: () => ReconnectCaseContext): void {
  describe('after a lost event connection', () => {
    /** The current test's context; skips the test on a store with no event connection (SQLite). */
    const connected = ({ skip }: { skip: (note?: string) => never }): ReconnectCaseContext => {
      const current = context();
      if (!current.factory.openBreakable) skip('its events need no connection');
      return current;
    };

    it('tells a running job of an abort published while its node was not listening', slow, async (test) => {
      const { journal, startEngine, openBreakable } = connected(test);
      const deaf = await openBreakable();
      await startEngine({ nodeId: 'node-a', store: deaf.store, rescanIntervalMs: noRescan });
      const other = await startEngine({ nodeId: 'node-b' });
      const runner = {
        type: 'test.until-aborted',
        title: 'runner',
        node: 'node-a',
        parameters: { name: 'runner', opens: 'runner-running' },
      };
      const treeId = await other.createTree(step('root', { children: [runner] }));
      await gate(journal, 'runner-running').opened;
      await deaf.breakEvents();
      await other.abort(treeId, 'Stopped while node-a was not listening.');
      deaf.restore();
      const tree = await other.waitForTree(treeId);
      expect(journal.sawAbort).toEqual(['runner']);
      // The job is told why, as the event it missed would have told it.
      expect(tree.jobs.map((job) => [job.title, job.state, job.summary])).toEqual([
        ['root', 'ABORTED', 'Stopped while node-a was not listening.'],
        ['runner', 'ABORTED', 'Stopped while node-a was not listening.'],
      ]);
    });

    it('resolves waitForTree for a tree that ended while it was not listening', slow, async (test) => {
      const { journal, startEngine, openBreakable } = connected(test);
      const deaf = await openBreakable();
      const waiter = await startEngine({ nodeId: 'node-a', store: deaf.store, rescanIntervalMs: noRescan });
      const runner = await startEngine({ nodeId: 'node-b' });
      const treeId = await runner.createTree(step('late', { node: 'node-b', waitFor: 'finish' }));
      const sawRunning = new Promise<void>((resolve) =>
        probeJobReads(deaf.store, treeId, (job) => job?.state !== 'SUCCESS' && resolve()),
      );
      let resolved: TreeRecord | undefined;
      const waiting = waiter.waitForTree(treeId).then((tree) => {
        resolved = tree;
      });
      await sawRunning;
      await deaf.breakEvents();
      gate(journal, 'finish').open();
      await runner.waitForTree(treeId);
      expect(resolved).toBeUndefined(); // its end was published while the waiter was not listening
      deaf.restore();
      await waiting;
      expect(resolved?.jobs[0]?.state).toBe('SUCCESS');
    });

    it('runs jobs made ready while its node was not listening, and later ones', slow, async (test) => {
      const { journal, startEngine, openBreakable } = connected(test);
      const deaf = await openBreakable();
      await startEngine({ nodeId: 'node-a', store: deaf.store, rescanIntervalMs: noRescan });
      const other = await startEngine({ nodeId: 'node-b' });
      await deaf.breakEvents();
      const missed = await other.createTree(step('missed', { node: 'node-a' }));
      deaf.restore();
      expect((await other.waitForTree(missed)).jobs[0]?.state).toBe('SUCCESS');
      // The missed job ran through the re-read after the reconnect: the channel listens again.
      const later = await other.run(step('later', { node: 'node-a' }));
      expect(later.jobs[0]?.state).toBe('SUCCESS');
      expect(journal.started).toEqual(['missed@node-a', 'later@node-a']);
    });

    it('lets a waiter in another process see the end of a tree run here', slow, async () => {
      const { journal, startEngine, startWorker } = context();
      const engine = await startEngine({ nodeId: 'node-a' });
      const treeId = await engine.createTree(step('root', { waitFor: 'finish' }));
      const worker = await startWorker('node-w', { waitForTree: treeId });
      // Its first read saw the tree running; only a later one can see it end.
      const reads = () => worker.lines.filter((line) => line.startsWith('read '));
      await eventually(() => expect(reads().length).toBeGreaterThan(0), { timeout: 60_000, interval: 50 });
      expect(reads()).not.toContain('read SUCCESS');
      gate(journal, 'finish').open();
      expect((await engine.waitForTree(treeId)).jobs[0]?.state).toBe('SUCCESS');
      await eventually(() => expect(worker.lines).toContain('finished SUCCESS'), {
        timeout: 60_000,
        interval: 100,
      });
    });
  });
}
