// @ts-check
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killProcessesInside } from './leftover-processes.mjs';
import { logProgress } from './log-progress.mjs';

const prefix = 'paasmaker-test-servers-';
const runnerPidFile = 'runner.pid';

/** @returns {Promise<string>} a new folder holding one subfolder per server of this run */
export async function createRunFolder() {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  // mkdtemp makes it 0700; servers that drop root (postgres, Apache's workers) must pass through.
  await chmod(folder, 0o711);
  await writeFile(join(folder, runnerPidFile), `${process.pid}\n`);
  return folder;
}

/**
 * Removes the folder, first killing whatever still runs in it.
 * @param {string} folder
 * @returns {Promise<number>} how many leftover processes were killed
 */
export async function removeRunFolder(folder) {
  const killed = await killProcessesInside(folder);
  await rm(folder, { recursive: true, force: true });
  return killed;
}

/** Cleans up after earlier runs that were killed before they could stop their servers. */
export async function removeStaleRunFolders() {
  const entries = await readdir(tmpdir());
  for (const entry of entries.filter((name) => name.startsWith(prefix))) {
    const folder = join(tmpdir(), entry);
    try {
      if (!(await isStale(folder))) continue;
      const killed = await removeRunFolder(folder);
      const leftovers = killed > 0 ? `, stopped ${killed} leftover processes` : '';
      logProgress(`removed ${folder} of an earlier run that was killed${leftovers}`);
    } catch {
      // Another user's run, or removed concurrently: not ours to clean.
    }
  }
}

/** @param {string} folder */
async function isStale(folder) {
  try {
    const pid = Number((await readFile(join(folder, runnerPidFile), 'utf8')).trim());
    return !isAlive(pid);
  } catch {
    // No pid file yet: either a run that is being created right now, or one killed while creating it.
    const { mtimeMs } = await stat(folder);
    return Date.now() - mtimeMs > 60_000;
  }
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}
