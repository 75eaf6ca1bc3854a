import { isProcessRunning } from './process-liveness';
import { type ProcessRecord, readProcessRecord, removeProcessRecord } from './process-record';
import { stopProcessGroup } from './stop-process-group';

/**
 * The process group {@link startProcessGroup} recorded in `stateDirectory`, when it still runs
 * (the same pid and start time); undefined otherwise. What a runtime's `status` and a second
 * `start` ask.
 */
export async function runningProcessRecord(stateDirectory: string): Promise<ProcessRecord | undefined> {
  const record = await readProcessRecord(stateDirectory);
  return record !== undefined && isProcessRunning(record) ? record : undefined;
}

/**
 * Stops the process group recorded in `stateDirectory` (SIGTERM, then SIGKILL after `graceMs`)
 * and removes the record. Resolves with the record it stopped, undefined when there was none.
 */
export async function stopRecordedProcessGroup(
  stateDirectory: string,
  options: { graceMs: number },
): Promise<ProcessRecord | undefined> {
  const record = await readProcessRecord(stateDirectory);
  if (record === undefined) return undefined;
  await stopProcessGroup(record, { graceMs: options.graceMs });
  await removeProcessRecord(stateDirectory);
  return record;
}
