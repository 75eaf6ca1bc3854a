import type { Logger } from 'pino';
import type { JobEngine } from '../../../jobs/job-engine';
import type { Model } from '../../../model/create-model';
import { parseCronExpression } from './cron-expression';
import { CRON_JOB } from './cron-job';

/** What {@link CronScheduler} needs. */
export interface CronSchedulerOptions {
  model: Model;
  jobs: JobEngine;
  logger: Logger;
  /** Like `Date.now`; inject one in tests. */
  clock?: () => number;
}

/**
 * The pacemaker's cron runner (the original's `run_crons`): at the top of every minute, each
 * cron of a current version whose schedule matches that minute (UTC) gets a `paasmaker.job.cron`
 * tree, tagged with its workspace, application and version. Runs do not wait for each other.
 */
export class CronScheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: CronSchedulerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Starts ticking at the top of the next minute. */
  start(): void {
    const now = this.clock();
    this.timer = setTimeout(() => this.tickAndReschedule(), 60_000 - (now % 60_000));
    this.timer.unref();
  }

  /** Starts the trees of the crons due in the minute of `at`; resolves with their tree ids. */
  async tick(at: Date): Promise<string[]> {
    const { model, jobs, logger } = this.options;
    const started: string[] = [];
    for (const cron of await model.instanceTypes.currentCrons()) {
      try {
        if (!parseCronExpression(cron.runspec).matches(at)) continue;
        const instanceType = await model.instanceTypes.get(cron.instanceTypeId);
        const version = await model.versions.get(instanceType.versionId);
        const application = await model.applications.get(version.applicationId);
        const treeId = await jobs.createTree(
          {
            type: CRON_JOB,
            title: `Cron task '${cron.uri}' for application ${application.name}, version ${version.number}, at ${at.toISOString()}`,
            parameters: { cronId: cron.id },
          },
          {
            tags: {
              workspace: String(application.workspaceId),
              application: String(application.id),
              version: String(version.id),
            },
          },
        );
        started.push(treeId);
      } catch (error) {
        logger.error({ err: error, cron: cron.id }, 'cron not started');
      }
    }
    return started;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tickAndReschedule(): void {
    const at = new Date(this.clock());
    this.start();
    this.tick(at).catch((error: unknown) => this.options.logger.error({ err: error }, 'cron tick failed'));
  }
}
