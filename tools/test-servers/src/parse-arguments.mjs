// @ts-check
import { serversUsedByTests } from './servers-used-by-tests.mjs';

export const usage = 'usage: node run-with-servers.mjs [--servers redis,postgres] -- <command> [args...]';

/**
 * @param {string[]} argv the arguments after the script's path
 * @returns {{ serverNames: string[], command: string[] }}
 */
export function parseArguments(argv) {
  const separator = argv.indexOf('--');
  const options = separator === -1 ? argv : argv.slice(0, separator);
  const command = separator === -1 ? [] : argv.slice(separator + 1);
  let serverNames = serversUsedByTests;
  for (let i = 0; i < options.length; i++) {
    const option = options[i] ?? '';
    if (option === '--servers') {
      i += 1;
      serverNames = splitList(options[i] ?? '');
    } else if (option.startsWith('--servers=')) {
      serverNames = splitList(option.slice('--servers='.length));
    } else {
      throw new Error(`unknown option ${option}\n${usage}`);
    }
  }
  if (command.length === 0) throw new Error(`no command given\n${usage}`);
  return { serverNames, command };
}

/** @param {string} list */
function splitList(list) {
  return [
    ...new Set(
      list
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
}
