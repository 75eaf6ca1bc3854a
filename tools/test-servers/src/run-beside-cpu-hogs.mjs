#!/usr/bin/env node
// @ts-check
// Usage: node run-beside-cpu-hogs.mjs [--hogs 2] [--times 3] -- <command> [args...]
// Runs the command beside busy-loop processes, as on a crowded CI runner, up to --times times in a
// row; stops at the first failure. The exit code is the last run's.
import { spawn } from 'node:child_process';
import { logProgress } from './log-progress.mjs';

const separator = process.argv.indexOf('--');
const flags = process.argv.slice(2, separator < 0 ? undefined : separator);
const command = separator < 0 ? [] : process.argv.slice(separator + 1);
const hogs = numberFlag('--hogs', 2);
const times = numberFlag('--times', 1);
if (command.length === 0) {
  logProgress('usage: run-beside-cpu-hogs.mjs [--hogs 2] [--times 3] -- <command> [args...]');
  process.exit(2);
}

const busy = Array.from({ length: hogs }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
let code = 0;
try {
  for (let run = 1; run <= times && code === 0; run += 1) {
    const started = Date.now();
    code = await runOnce();
    logProgress(
      `run ${run} of ${times} beside ${hogs} CPU hog(s): exit ${code} after ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }
} finally {
  for (const hog of busy) hog.kill('SIGKILL');
}
process.exit(code);

/** @returns {Promise<number>} */
function runOnce() {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (exit) => resolve(exit ?? 1)));
}

/** @param {string} name @param {number} fallback */
function numberFlag(name, fallback) {
  const at = flags.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(flags[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    logProgress(`${name} takes a whole number of at least 1`);
    process.exit(2);
  }
  return value;
}
