import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { eventually } from '@paasmaker/test-servers';
import { afterEach, beforeEach, expect } from 'vitest';
import type { ClaimedJob, JobEvent, JobRef, JobStore, NewJob } from '../../src/jobs/job-store';
import { isPaasmakerError, type PaasmakerError } from '../../src/kernel/errors';
import type { StoreFactory } from './job-engine-conformance';

/** A job of type `test.job` titled `Job <id>`. */
export function job(id: string, parentId: string | null, nodeId = 'node-a', parameters = {}): NewJob {
  return { id, parentId, nodeId, type: 'test.job', parameters, title: `Job ${id}` };
}

/** Unique ids for one test: `ids.root` → "root-<8 hex>". */
export function idsFor<const K extends string>(...names: K[]): Record<K, string> {
  const suffix = randomUUID().slice(0, 8);
  return Object.fromEntries(names.map((name) => [name, `${name}-${suffix}`])) as Record<K, string>;
}

export const sortRefs = (refs: JobRef[]): JobRef[] =>
  [...refs].sort((a, b) => a.jobId.localeCompare(b.jobId));

/** The PaasmakerError `promise` rejects with; fails if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<PaasmakerError> {
  try {
    await promise;
  } catch (error) {
    if (isPaasmakerError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

export async function stateOf(store: JobStore, jobId: string): Promise<string | undefined> {
  return (await store.getJob(jobId))?.state;
}

/** Creates a tree of `jobs` (root first) without tags at time 1, started; returns the ready jobs. */
export const createStartedTree = (store: JobStore, jobs: NewJob[]): Promise<JobRef[]> =>
  store.createTree({ jobs, tags: [], createdAt: 1, start: true });

/**
 * Records every event `store` hears from now on, in order, until `unsubscribe` is called.
 * `settle()` waits until every event of the changes made so far arrived (they may come
 * asynchronously, in commit order): it creates a marker tree and waits for its `created` event;
 * it resolves with the events heard but the markers'.
 */
export async function recordEvents(
  store: JobStore,
): Promise<{ events: JobEvent[]; unsubscribe(): Promise<void>; settle(): Promise<JobEvent[]> }> {
  const events: JobEvent[] = [];
  const unsubscribe = await store.subscribe((event) => events.push(event));
  return {
    events,
    unsubscribe,
    async settle() {
      const marker = `marker-${randomUUID()}`;
      await store.createTree({ jobs: [job(marker, null)], tags: [], createdAt: 1, start: false });
      await eventually(() => expect(events.some((event) => event.treeId === marker)).toBe(true));
      return events.filter((event) => !event.treeId.startsWith('marker-'));
    },
  };
}

/** `created`, `ready`, `aborted`, or `state:<STATE>`. */
export const kindOf = (event: JobEvent): string =>
  event.kind === 'state' ? `state:${event.state}` : event.kind;

/** A port nothing listens on: one the kernel just handed out and that was closed again. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A backend made before each test of the enclosing `describe`, and the stores opened on it,
 * closed after the test before the backend's data is dropped.
 */
export function useBackend<B extends StoreFactory>(
  makeBackend: () => Promise<B>,
): { backend(): B; track<S extends JobStore>(store: S): S; openStore(): Promise<JobStore> } {
  let current: B | undefined;
  const opened: JobStore[] = [];
  beforeEach(async () => {
    current = await makeBackend();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await current?.cleanUp();
  });
  const backend = (): B => {
    if (!current) throw new Error('no backend outside a test');
    return current;
  };
  const track = <S extends JobStore>(store: S): S => {
    opened.push(store);
    return store;
  };
  return {
    backend,
    track,
    /** A new store on the test's backend, initialised. */
    async openStore() {
      const store = track(await backend().open());
      await store.init();
      return store;
    },
  };
}

/** Creates a tree of a root and `count` leaves under it, started; returns the ids and the ready jobs. */
export async function createWideTree(
  store: JobStore,
  count: number,
): Promise<{ rootId: string; leafIds: string[]; ready: JobRef[] }> {
  const rootId = `root-${randomUUID()}`;
  const leaves = Array.from({ length: count }, (_, i) => job(`leaf-${i}-${randomUUID()}`, rootId));
  const ready = await createStartedTree(store, [job(rootId, null), ...leaves]);
  return { rootId, leafIds: leaves.map((leaf) => leaf.id), ready };
}

/**
 * Creates the trees `children` describes (job name → the names of its children, in order; a
 * job no other one names as a child is a root) without tags at time 1, started, each depth-first;
 * the jobs run on node-a unless `nodes` names another. Returns the jobs' unique ids by name.
 */
export async function createTrees<const P extends string, const C extends string>(
  store: JobStore,
  children: Record<P, readonly C[]>,
  nodes: Partial<Record<NoInfer<P | C>, string>> = {},
): Promise<Record<P | C, string>> {
  const childrenOf: Partial<Record<string, readonly string[]>> = children;
  const nodeOf: Partial<Record<string, string>> = nodes;
  const names = Object.keys(children);
  const id: Record<string, string> = idsFor(...names, ...names.flatMap((name) => childrenOf[name] ?? []));
  const subtree = (name: string, parent: string | null): NewJob[] => [
    job(id[name] as string, parent === null ? null : (id[parent] as string), nodeOf[name]),
    ...(childrenOf[name] ?? []).flatMap((child) => subtree(child, name)),
  ];
  const isChild = new Set(Object.values(childrenOf).flat());
  for (const root of names.filter((name) => !isChild.has(name))) {
    await createStartedTree(store, subtree(root, null));
  }
  return id as Record<P | C, string>;
}

export const claimedIds = (claimed: readonly ClaimedJob[]): string[] => claimed.map((claim) => claim.job.id);

export type Success = Parameters<JobStore['succeedMany']>[0][number];
export type BatchOptions = NonNullable<Parameters<JobStore['succeedMany']>[2]>;

/** What `succeedMany` must be equivalent to: `succeed` then `claim`, one call after the other. */
export async function succeedOneByOne(
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

/** The ids of the jobs in `ready` events, in the order they were published. */
export const readyIdsIn = (events: JobEvent[]): string[] =>
  events.flatMap((event) => (event.kind === 'ready' ? event.jobs.map((ref) => ref.jobId) : []));

/**
 * Leaves finished trees with everything a tree can store (tags, context, results, grafted
 * jobs, a job aborted while running, one never run), all finished by time 10; returns their job ids.
 */
export async function createFinishedTrees(store: JobStore): Promise<string[]> {
  const done = idsFor('root', 'a', 'g');
  await store.createTree({
    jobs: [job(done.root, null), job(done.a, done.root, 'node-b')],
    tags: ['workspace:1', 'health'],
    createdAt: 1,
    start: true,
  });
  await store.graft(done.root, [job(done.g, done.root)], 1);
  for (const jobId of [done.a, done.g]) {
    await store.claim(jobId, jobId === done.a ? 'node-b' : 'node-a', 2);
    await store.succeed(jobId, { summary: 'ok', result: { jobId }, context: { [jobId]: true } }, 3);
  }
  await store.claim(done.root, 'node-a', 4);
  await store.succeed(done.root, { summary: 'ok', result: 'root' }, 5);

  const aborted = idsFor('root', 'a', 'b', 'c');
  await store.createTree({
    jobs: [
      job(aborted.root, null),
      job(aborted.a, aborted.root),
      job(aborted.b, aborted.root, 'node-b'),
      job(aborted.c, aborted.root),
    ],
    tags: ['workspace:2'],
    createdAt: 6,
    start: true,
  });
  await store.claim(aborted.a, 'node-a', 7);
  await store.claim(aborted.b, 'node-b', 7);
  await store.fail(aborted.a, 'Failed: boom', 8);
  await store.markAborted(aborted.b, 'Aborted: stopped.', 9);
  return [...Object.values(done), ...Object.values(aborted)];
}
