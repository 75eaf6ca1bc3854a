import { isTreeFinished } from '../jobs/job-tree-waiter';
import { JobStreamClient } from '../jobs/logs/job-stream-client';
import { JOB_STREAM_PATH } from '../roles/pacemaker/pacemaker-api';
import type { ApiClient } from './api-client';
import type { CliContext } from './context';
import { treeChangeSignal } from './tree-change-signal';

/** While log lines are pushed, the job's state is still re-read this often. */
const STATE_CHECK_MS = 2000;

/**
 * Prints a job's log as it grows, over the pacemaker's job stream websocket (which resumes from
 * the last byte after a dropped connection), until the job has finished or Ctrl-C. What the job
 * wrote just before it finished is read over HTTP at the end, from the last byte printed, so the
 * output is the whole log exactly once. Without the websocket, the log is printed at the end.
 */
export async function followJobLog(client: ApiClient, jobId: string, context: CliContext): Promise<void> {
  const out = context.io.stdout;
  let printed = 0;
  const stream = new JobStreamClient({
    url: `${client.url.replace(/^http/, 'ws')}${JOB_STREAM_PATH}`,
    ...(client.bearer ? { token: client.bearer } : {}),
  });
  const log = stream.followLog(jobId, {
    offset: 0,
    onLines(text, offset) {
      out.write(text);
      printed = offset;
    },
  });
  let stopped = false;
  void context.stopSignal().then(() => {
    stopped = true;
  });
  const { treeId } = await client.getJobTree(jobId);
  const changes = treeChangeSignal(client.url, client.bearer, treeId);
  try {
    for (;;) {
      const tree = await client.getJobTree(jobId);
      const job = tree.jobs.find((candidate) => candidate.id === jobId);
      if (stopped || isTreeFinished(tree) || (job && ['SUCCESS', 'FAILED', 'ABORTED'].includes(job.state)))
        break;
      await changes.next(STATE_CHECK_MS);
    }
  } finally {
    log.close();
    await Promise.all([stream.close(), changes.close()]);
  }
  if (stopped) return;
  const whole = Buffer.from(await client.jobLog(jobId));
  if (whole.length > printed) out.write(whole.subarray(printed).toString('utf8'));
}
