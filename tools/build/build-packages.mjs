#!/usr/bin/env node
// @ts-check
// Usage: node build-packages.mjs [--if-stale]
// Builds every package (`npm run build --workspaces --if-present`) and records what it built
// from and what it wrote in node_modules/.cache (gone after `npm ci`). With --if-stale (what
// `npm test` runs) the build is skipped when neither changed since: no file git sees outside
// tests, examples, benches, changesets and Markdown, and no file in a package's dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stampFile = path.join(root, 'node_modules/.cache/paasmaker-build.json');

/** Paths that no package build reads. */
const notBuildInput = (/** @type {string} */ file) =>
  /^(examples|bench|\.changeset)\//.test(file) || /(^|\/)test\//.test(file) || file.endsWith('.md');

/**
 * A hash of the named files' paths and contents (missing files left out).
 * @param {string[]} files paths relative to the root
 */
function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const full = path.join(root, file);
    if (!existsSync(full)) continue;
    hash.update(`${file}\0`).update(readFileSync(full)).update('\0');
  }
  return hash.digest('hex');
}

/** What the build reads, or undefined outside a git work tree (then it always builds). */
function inputsHash() {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (listed.status !== 0) return undefined;
  return hashFiles(listed.stdout.split('\0').filter((file) => file && !notBuildInput(file)));
}

/** What the build wrote: every file under packages/<name>/dist. */
function outputsHash() {
  /** @type {string[]} */
  const files = [];
  for (const name of readdirSync(path.join(root, 'packages'))) {
    const dist = path.join(root, 'packages', name, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      const relative = path.join('packages', name, 'dist', file);
      if (statSync(path.join(root, relative)).isFile()) files.push(relative);
    }
  }
  return hashFiles(files);
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return undefined;
  }
}

const inputs = inputsHash();
if (process.argv.includes('--if-stale') && inputs !== undefined) {
  const stamp = readStamp();
  if (stamp?.inputs === inputs && stamp.outputs === outputsHash()) {
    console.log('build: the packages are up to date with their sources (npm run build rebuilds them anyway)');
    process.exit(0);
  }
}
rmSync(stampFile, { force: true });
const build = spawnSync('npm', ['run', 'build', '--workspaces', '--if-present'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
// The inputs as they were when the build started: a file edited meanwhile makes the next check stale.
if (inputs !== undefined) {
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, JSON.stringify({ inputs, outputs: outputsHash() }));
}
