// @ts-check
import { spawn } from 'node:child_process';
import { basename } from 'node:path';

/**
 * @typedef {object} RunOptions
 * @property {string} [input] written to the command's stdin
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [cwd]
 * @property {number} [timeoutMs]
 */

/**
 * Runs a setup or probe command, capturing its output so a failure can say what went wrong.
 * @param {string} command
 * @param {string[]} args
 * @param {RunOptions} [options]
 * @returns {Promise<string>} its stdout
 */
export function runToCompletion(command, args, { input, env, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    // Detached: a Ctrl-C on the terminal goes to the runner, which then cleans up in order.
    const child = spawn(command, args, {
      cwd,
      env,
      detached: true,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const output = `${stderr}${stdout}`.trimEnd().split('\n').slice(-15).join('\n');
      const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
      reject(
        new Error(`${basename(command)} ${args.join(' ')} failed (${how})${output ? `:\n${output}` : ''}`),
      );
    });
    child.stdin?.end(input);
  });
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {RunOptions} [options]
 */
export async function commandSucceeds(command, args, options) {
  try {
    await runToCompletion(command, args, { timeoutMs: 5_000, ...options });
    return true;
  } catch {
    return false;
  }
}
