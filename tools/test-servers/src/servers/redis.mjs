// @ts-check
import { findExecutable, requireExecutable } from '../executables.mjs';
import { redisAnswersPing } from '../network-probes.mjs';
import { serverLogPath } from '../server-log.mjs';
import { spawnServerProcess } from '../server-process.mjs';
import { waitUntilReady } from '../wait-until-ready.mjs';

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const redis = {
  name: 'redis',
  debianPackages: ['redis-server'],
  isInstalled: () => findExecutable('redis-server') !== undefined,

  async start({ dataDir, port, persistent = false }) {
    const appendOnly = persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const server = spawnServerProcess(
      requireExecutable('redis-server'),
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir],
        ...['--save', '', ...appendOnly, '--daemonize', 'no', '--logfile', ''],
      ],
      { logFile: serverLogPath(dataDir), cwd: dataDir },
    );
    try {
      await waitUntilReady(() => redisAnswersPing(port), { what: 'Redis to answer PING', server });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      env: { PAASMAKER_TEST_REDIS_URL: `redis://127.0.0.1:${port}` },
      stop: () => server.stop(),
    };
  },
};
