// @ts-check
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logProgress } from './log-progress.mjs';
import { withParentDeathSignal } from './parent-death-signal.mjs';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs the command with the servers' variables added to the environment and stdio inherited.
 * @param {string[]} command
 * @param {Record<string, string>} serverEnv
 * @param {(child: import('node:child_process').ChildProcess) => () => void} forwardSignalsTo
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
export function runTestCommand([file = '', ...args], serverEnv, forwardSignalsTo) {
  return new Promise((resolve) => {
    const env = { ...process.env, ...serverEnv, PATH: pathWithLocalBins() };
    const child = spawn(...withParentDeathSignal(file, args), { stdio: 'inherit', env });
    const stopForwarding = forwardSignalsTo(child);
    child.on('error', (error) => {
      stopForwarding();
      logProgress(`could not run ${file}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => {
      stopForwarding();
      resolve({ code, signal });
    });
  });
}

/** PATH with the node_modules/.bin folders first, as `npm run` sets it, so `vitest` is found. */
function pathWithLocalBins() {
  const folders = [];
  for (let folder = process.cwd(); ; folder = dirname(folder)) {
    folders.push(join(folder, 'node_modules', '.bin'));
    if (dirname(folder) === folder) break;
  }
  folders.push(join(repositoryRoot, 'node_modules', '.bin'));
  return [...new Set(folders.filter((folder) => existsSync(folder))), process.env.PATH ?? ''].join(delimiter);
}
