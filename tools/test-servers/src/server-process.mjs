// @ts-check
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { withParentDeathSignal } from './parent-death-signal.mjs';

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null, error?: Error }} ProcessExit */

/**
 * @typedef {object} ServerProcess
 * @property {() => ProcessExit | undefined} exitStatus undefined while it runs
 * @property {(signal?: NodeJS.Signals, timeoutMs?: number) => Promise<void>} stop
 *   sends the signal (SIGTERM by default), and SIGKILL when it has not exited within the timeout
 */

/**
 * Starts a server that stays in the foreground as our child, appending its output to `logFile`.
 * @param {string} command
 * @param {string[]} args
 * @param {{ logFile: string, cwd: string }} options
 * @returns {ServerProcess}
 */
export function spawnServerProcess(command, args, { logFile, cwd }) {
  const [file, argv] = withParentDeathSignal(command, args);
  const log = openSync(logFile, 'a');
  // Detached: a Ctrl-C on the terminal reaches the runner, which stops the servers after the tests.
  const child = spawn(file, argv, { cwd, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);

  /** @type {ProcessExit | undefined} */
  let exit;
  /** @type {Promise<ProcessExit>} */
  const exited = new Promise((resolve) => {
    child.on('error', (error) => {
      exit ??= { code: null, signal: null, error };
      resolve(exit);
    });
    child.on('exit', (code, signal) => {
      exit ??= { code, signal };
      resolve(exit);
    });
  });

  return {
    exitStatus: () => exit,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exit) return;
      child.kill(signal);
      /** @type {NodeJS.Timeout | undefined} */
      let timer;
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      if ((await Promise.race([exited, timedOut])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    },
  };
}

/** @param {ProcessExit} exit */
export function describeExit(exit) {
  if (exit.error) return exit.error.message;
  return exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
