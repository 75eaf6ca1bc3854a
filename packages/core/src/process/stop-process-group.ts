import { setTimeout as sleep } from 'node:timers/promises';
import { PaasmakerError } from '../kernel/errors';
import { forgetLeader, processGroupExists } from './process-liveness';
import { type ProcessRecord, readProcessStat } from './process-record';

/** How {@link stopProcessGroup} stops a group. */
export interface StopProcessGroupOptions {
  /** How long the group has to exit after the first signal before it is sent SIGKILL. */
  graceMs: number;
  /** The first signal. Default: `SIGTERM`. */
  signal?: NodeJS.Signals;
}

const POLL_MS = 25;
/** How long SIGKILL may take before we give up (a process stuck in the kernel, `D` state). */
const KILL_WAIT_MS = 10_000;

/**
 * Stops the process group a record names: the first signal (SIGTERM) to the whole group, then
 * SIGKILL to the group if anything of it is left after `graceMs`. Resolves once no process of
 * the group is left; a group already gone succeeds. A pid reused by an unrelated process (start
 * time differs) is left alone: the kernel never reuses a pid while its group still has members,
 * so such a group is not ours. Fails with `E_INSTANCE_STATE` if the group survives SIGKILL.
 */
export async function stopProcessGroup(
  record: ProcessRecord,
  options: StopProcessGroupOptions,
): Promise<void> {
  const leader = readProcessStat(record.pid);
  if (leader !== undefined && leader.startTime !== record.startTime) {
    forgetLeader(record);
    return;
  }
  if (
    signalGroup(record.pid, options.signal ?? 'SIGTERM') &&
    !(await waitForGroupGone(record.pid, options.graceMs))
  ) {
    if (signalGroup(record.pid, 'SIGKILL') && !(await waitForGroupGone(record.pid, KILL_WAIT_MS))) {
      throw new PaasmakerError(
        'E_INSTANCE_STATE',
        `process group ${record.pid} is still there ${KILL_WAIT_MS} ms after SIGKILL.`,
      );
    }
  }
  forgetLeader(record);
}

/** Sends `signal` to group `pgid`; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!processGroupExists(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}
