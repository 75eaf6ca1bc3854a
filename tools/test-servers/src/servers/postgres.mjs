// @ts-check
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutable, isRoot } from '../executables.mjs';
import { runToCompletion } from '../run-to-completion.mjs';
import { serverLogPath } from '../server-log.mjs';

const installFolder = '/usr/lib/postgresql';

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const postgres = {
  name: 'postgres',
  debianPackages: ['postgresql'],
  isInstalled: () => findBinFolder() !== undefined,

  async start({ dataDir, port }) {
    const binFolder = findBinFolder();
    if (binFolder === undefined) throw new Error(`no PostgreSQL under ${installFolder}`);
    const cluster = join(dataDir, 'cluster');
    const pgCtl = join(binFolder, 'pg_ctl');

    // A cluster made by an earlier start is started again with its data (tests that restart it).
    if (!existsSync(join(cluster, 'PG_VERSION'))) {
      // initdb and pg_ctl refuse to run as root.
      if (isRoot) await chownToPostgres(dataDir);
      await runAsPostgres(join(binFolder, 'initdb'), [
        ...['-D', cluster, '-A', 'trust', '-U', 'postgres'],
        ...['-E', 'UTF8', '--locale=C', '--no-sync'],
      ]);
      await appendFile(join(cluster, 'postgresql.conf'), settings(dataDir, port));
    }
    try {
      await runAsPostgres(pgCtl, ['-D', cluster, '-l', serverLogPath(dataDir), '-w', '-t', '60', 'start']);
    } catch (error) {
      await killPostmaster(cluster);
      throw error;
    }

    return {
      env: { PAASMAKER_TEST_POSTGRES_URL: `postgres://postgres@127.0.0.1:${port}/postgres` },
      async stop() {
        try {
          await runAsPostgres(pgCtl, ['-D', cluster, '-m', 'fast', '-w', '-t', '30', 'stop']);
        } catch {
          await killPostmaster(cluster);
        }
      },
    };
  },
};

/** @returns {string | undefined} the bin folder of the newest installed version */
function findBinFolder() {
  if (!existsSync(installFolder)) return undefined;
  return readdirSync(installFolder)
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(installFolder, version, 'bin'))
    .find((bin) => isExecutable(join(bin, 'initdb')) && isExecutable(join(bin, 'pg_ctl')));
}

/**
 * @param {string} dataDir
 * @param {number} port
 */
function settings(dataDir, port) {
  const quoted = (/** @type {string} */ text) => `'${text.replaceAll("'", "''")}'`;
  // Durability is worthless for a throwaway server; skipping it makes the tests faster.
  return `
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = ${quoted(dataDir)}
fsync = off
synchronous_commit = off
full_page_writes = off
`;
}

/**
 * @param {string} command
 * @param {string[]} args
 */
function runAsPostgres(command, args) {
  return isRoot
    ? runToCompletion('runuser', ['-u', 'postgres', '--', command, ...args])
    : runToCompletion(command, args);
}

/** @param {string} folder */
async function chownToPostgres(folder) {
  const uid = Number((await runToCompletion('id', ['-u', 'postgres'])).trim());
  const gid = Number((await runToCompletion('id', ['-g', 'postgres'])).trim());
  await chown(folder, uid, gid);
}

/** Last resort when pg_ctl cannot stop it: an immediate shutdown of the postmaster. */
async function killPostmaster(/** @type {string} */ cluster) {
  try {
    const pid = Number((await readFile(join(cluster, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // No postmaster.pid: it is not running.
  }
}
