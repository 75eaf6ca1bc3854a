import { JobStreamClient } from '../jobs/logs/job-stream-client';
import { JOB_STREAM_PATH } from '../roles/pacemaker/pacemaker-api';

/** Wakes a follower when a job tree changes, so it need not poll often. */
export interface TreeChangeSignal {
  /** Resolves at the next change of the tree, or after `fallbackMs` at the latest. */
  next(fallbackMs: number): Promise<void>;
  /** Whether changes are being pushed (the websocket is connected). */
  readonly pushing: boolean;
  close(): Promise<void>;
}

/**
 * Subscribes to a tree on the pacemaker's job stream websocket (`/api/v1/jobs/stream`, with the
 * CLI's bearer credentials). If the websocket cannot be used, `next` simply waits `fallbackMs`,
 * so following still works by polling. A dropped websocket reconnects with backoff (and
 * resubscribes) for as long as the signal is open.
 */
export function treeChangeSignal(
  apiUrl: string,
  bearer: string | undefined,
  treeId: string,
): TreeChangeSignal {
  let wake: (() => void) | undefined;
  // A change that came while nobody waited: the next wait returns at once.
  let missed = false;
  const changed = () => {
    if (wake) wake();
    else missed = true;
  };
  let pushing = false;
  // The server refused the tree (unknown, not allowed): reconnecting will not bring it back.
  let refused = false;
  const client = new JobStreamClient({
    url: `${apiUrl.replace(/^http/, 'ws')}${JOB_STREAM_PATH}`,
    ...(bearer ? { token: bearer } : {}),
    onConnect: () => {
      pushing = !refused;
    },
    onError: () => {
      pushing = false;
    },
  });
  const followed = client.followTree(treeId, {
    onSnapshot: changed,
    onEvent: changed,
    onError: () => {
      refused = true;
      pushing = false;
    },
  });
  return {
    get pushing() {
      return pushing;
    },
    next(fallbackMs) {
      if (missed) {
        missed = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, fallbackMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    },
    async close() {
      followed.close();
      await client.close();
    },
  };
}
