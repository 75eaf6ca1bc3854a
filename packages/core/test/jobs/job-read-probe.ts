import type { JobRecord, JobStore } from '@paasmaker/core';

/**
 * Calls `onRead` with what each `store.getJob(jobId)` answered, whoever asked: a test sees a
 * waiter's first read of a tree's root, so that it changes the tree only after the waiter saw
 * it running (otherwise that first read would find it finished and prove nothing).
 */
export function probeJobReads(
  store: JobStore,
  jobId: string,
  onRead: (job: JobRecord | undefined) => void,
): void {
  const getJob = store.getJob.bind(store);
  store.getJob = async (id) => {
    const job = await getJob(id);
    if (id === jobId) onRead(job);
    return job;
  };
}
