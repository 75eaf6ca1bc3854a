// @ts-check
import { findExecutable } from './executables.mjs';

const setpriv = findExecutable('setpriv');

/**
 * Wraps a command so the kernel sends it SIGTERM when the runner dies, even by SIGKILL, which
 * gives no chance to clean up. setpriv execs the command, so its pid stays the child's.
 * @param {string} command
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function withParentDeathSignal(command, args) {
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, args];
}
