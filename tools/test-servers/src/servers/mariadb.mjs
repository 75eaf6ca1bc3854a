// @ts-check
import { join } from 'node:path';
import { findExecutable, isRoot, requireExecutable } from '../executables.mjs';
import { commandSucceeds, runToCompletion } from '../run-to-completion.mjs';
import { serverLogPath } from '../server-log.mjs';
import { spawnServerProcess } from '../server-process.mjs';
import { waitUntilReady } from '../wait-until-ready.mjs';

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const mariadb = {
  name: 'mariadb',
  debianPackages: ['mariadb-server', 'mariadb-client'],
  isInstalled: () =>
    ['mariadb-install-db', 'mariadbd', 'mariadb'].every((name) => findExecutable(name) !== undefined),

  async start({ dataDir, port }) {
    const data = join(dataDir, 'data');
    const log = serverLogPath(dataDir);
    // --no-defaults keeps the system's /etc/mysql configuration (socket, port, datadir) out of it.
    const runAs = isRoot ? ['--user=root'] : [];
    await runToCompletion(requireExecutable('mariadb-install-db'), [
      '--no-defaults',
      `--datadir=${data}`,
      ...runAs,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    const server = spawnServerProcess(
      requireExecutable('mariadbd'),
      [
        '--no-defaults',
        ...runAs,
        `--datadir=${data}`,
        `--socket=${join(dataDir, 'mariadb.sock')}`,
        `--pid-file=${join(dataDir, 'mariadb.pid')}`,
        `--tmpdir=${dataDir}`,
        `--log-error=${log}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--skip-log-bin',
        // Durability is worthless for a throwaway server; skipping it makes the tests faster.
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
      ],
      { logFile: log, cwd: dataDir },
    );
    const client = requireExecutable('mariadb');
    const clientArgs = ['--no-defaults', '-h127.0.0.1', `-P${port}`, '-uroot', '-e', 'select 1'];
    try {
      await waitUntilReady(() => commandSucceeds(client, clientArgs), {
        what: 'MariaDB to accept root on 127.0.0.1',
        server,
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      env: { PAASMAKER_TEST_MYSQL_URL: `mysql://root@127.0.0.1:${port}/` },
      stop: () => server.stop('SIGTERM', 30_000),
    };
  },
};
