// @ts-check
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stops every process working inside `folder` or naming it on its command line: what is left of
 * a run's servers when stopping one failed or when the runner itself was killed.
 * @param {string} folder
 * @returns {Promise<number>} how many there were
 */
export async function killProcessesInside(folder) {
  const pids = await findProcessesInside(folder);
  if (pids.length === 0) return 0;
  // SIGTERM first: a SIGKILLed postmaster leaves its shared memory segment behind.
  signalAll(pids, 'SIGTERM');
  for (let waited = 0; waited < 5_000; waited += 100) {
    if (!(await Promise.all(pids.map(isRunning))).includes(true)) return pids.length;
    await sleep(100);
  }
  signalAll(pids, 'SIGKILL');
  return pids.length;
}

/** @param {string} folder */
async function findProcessesInside(folder) {
  const isInside = (/** @type {string} */ text) => text === folder || text.includes(`${folder}/`);
  const pids = (await readdir('/proc').catch(() => []))
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && pid !== 1);
  const found = await Promise.all(
    pids.map(async (pid) => {
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
      const args = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return isInside(cwd) || args.split('\0').some(isInside) ? [pid] : [];
    }),
  );
  return found.flat();
}

/**
 * @param {number[]} pids
 * @param {NodeJS.Signals} signal
 */
function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** A zombie has exited: only its parent has yet to collect it. */
async function isRunning(/** @type {number} */ pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
}
