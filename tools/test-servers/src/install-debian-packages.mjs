// @ts-check
import { spawn } from 'node:child_process';
import { isRoot } from './executables.mjs';
import { logProgress, secondsSince } from './log-progress.mjs';

/**
 * Installs the Debian packages of the servers that are not installed yet; does nothing,
 * not even `apt-get update`, when all of them are.
 * @param {import('./server-definition.mjs').ServerDefinition[]} definitions
 * @param {(child: import('node:child_process').ChildProcess) => () => void} forwardSignalsTo
 */
export async function installMissingDebianPackages(definitions, forwardSignalsTo) {
  const missing = definitions.filter((definition) => !definition.isInstalled());
  if (missing.length === 0) return;

  const names = missing.map((definition) => definition.name).join(', ');
  const packages = [...new Set(missing.flatMap((definition) => definition.debianPackages))];
  const installArgs = ['install', '-y', '--no-install-recommends', ...packages];
  if (!isRoot) {
    throw new Error(
      `${names} not installed, and only root can install it. Run:\n` +
        `  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get ${installArgs.join(' ')}`,
    );
  }

  const startedAt = performance.now();
  logProgress(`installing ${packages.join(' ')} for ${names}`);
  await aptGet(['update'], forwardSignalsTo);
  await aptGet(installArgs, forwardSignalsTo);
  const stillMissing = missing.filter((definition) => !definition.isInstalled());
  if (stillMissing.length > 0) {
    throw new Error(`still not installed after apt-get: ${stillMissing.map((d) => d.name).join(', ')}`);
  }
  logProgress(`installed ${packages.join(' ')} (${secondsSince(startedAt)})`);
}

/**
 * @param {string[]} args
 * @param {(child: import('node:child_process').ChildProcess) => () => void} forwardSignalsTo
 * @returns {Promise<void>}
 */
function aptGet(args, forwardSignalsTo) {
  return new Promise((resolve, reject) => {
    // Its output goes to stderr: stdout belongs to the command the servers are started for.
    const child = spawn('apt-get', args, {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const stopForwarding = forwardSignalsTo(child);
    child.on('error', (error) => {
      stopForwarding();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      stopForwarding();
      if (code === 0) resolve();
      else reject(new Error(`apt-get ${args.join(' ')} failed (${code ?? signal})`));
    });
  });
}
