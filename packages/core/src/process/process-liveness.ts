import { readdirSync } from 'node:fs';
import { type ProcessRecord, readProcessStat, readStatFile } from './process-record';

/**
 * Leaders this process spawned and saw exit. While we are a leader's parent it lingers as a
 * zombie until reaped; remembering its exit keeps {@link isProcessRunning} right in that window.
 */
const exitedLeaders = new Set<string>();

function key(record: ProcessRecord): string {
  return `${record.pid}:${record.startTime}`;
}

/** Notes that a leader this process spawned has exited. */
export function noteLeaderExit(record: ProcessRecord): void {
  exitedLeaders.add(key(record));
}

/** Forgets a leader noted by {@link noteLeaderExit} (once nothing will ask about it again). */
export function forgetLeader(record: ProcessRecord): void {
  exitedLeaders.delete(key(record));
}

/**
 * True when the record's leader still runs: a process with that pid exists, was started at the
 * recorded time (so it is not a reused pid) and is not a zombie.
 */
export function isProcessRunning(record: ProcessRecord): boolean {
  if (exitedLeaders.has(key(record))) return false;
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; the start time below decides whether it is ours.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcessStat(record.pid);
  return stat !== undefined && stat.startTime === record.startTime && stat.state !== 'Z';
}

/**
 * True when a live process (leader or not) is still in process group `pgid`. Zombies do not
 * count: an orphaned member's zombie lingers until its new parent reaps it, which some init
 * processes never do.
 */
export function processGroupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(Number(entry));
    if (stat !== undefined && stat.processGroup === pgid && (stat.state !== 'Z' || hasLiveThreads(entry)))
      return true;
  }
  return false;
}

/**
 * True while a process whose main thread is a zombie still has threads exiting. A killed
 * multi-threaded process (Node has several) shows its main thread as `Z` before the others are
 * gone, and its files (a listening socket) are only closed with the last of them.
 */
function hasLiveThreads(pid: string): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    const state = readStatFile(`/proc/${pid}/task/${tid}/stat`)?.state;
    return state !== undefined && state !== 'Z' && state !== 'X';
  });
}
