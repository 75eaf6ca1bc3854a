import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import type { JobEvent, JobRef, JobStore, NewJob } from '../../src/jobs/job-store';
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

/** Records every event `store` hears from now on, in order, until `unsubscribe` is called. */
export async function recordEvents(
  store: JobStore,
): Promise<{ events: JobEvent[]; unsubscribe(): Promise<void> }> {
  const events: JobEvent[] = [];
  const unsubscribe = await store.subscribe((event) => events.push(event));
  return { events, unsubscribe };
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
