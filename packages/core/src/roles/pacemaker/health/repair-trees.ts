import type { Logger } from 'pino';
import type { JobEngine } from '../../../jobs/job-engine';
import type { JobTags } from '../../../jobs/job-tags';
import type { JobSpec } from '../../../kernel/providers/job-type-provider';

/**
 * The repair job trees health checks start, at most one per key at a time (a key names what is
 * repaired: `version:7`, `routing:<instance>`), so a check that runs again while a repair is
 * under way does not start it twice. A key is free again once its tree finished, however it ended.
 */
export class RepairTrees {
  readonly #running = new Map<string, string>();

  constructor(
    private readonly jobs: () => JobEngine,
    private readonly log: Logger,
  ) {}

  /** Whether a repair under `key` is under way. */
  has(key: string): boolean {
    return this.#running.has(key);
  }

  /** Starts `build()`'s tree under `key` unless one runs; resolves to its id, or undefined when skipped. */
  async start(key: string, tags: JobTags, build: () => Promise<JobSpec>): Promise<string | undefined> {
    if (this.#running.has(key)) return undefined;
    this.#running.set(key, '');
    try {
      const spec = await build();
      const jobs = this.jobs();
      const treeId = await jobs.createTree(spec, { tags });
      this.#running.set(key, treeId);
      this.log.info({ key, treeId, title: spec.title }, 'repair started');
      void jobs
        .waitForTree(treeId)
        .then((tree) => this.log.info({ key, treeId, state: tree.jobs[0]?.state }, 'repair ended'))
        .catch((error: unknown) =>
          this.log.warn({ err: error, key, treeId }, 'repair not followed to its end'),
        )
        .finally(() => this.#running.delete(key));
      return treeId;
    } catch (error) {
      this.#running.delete(key);
      throw error;
    }
  }
}
