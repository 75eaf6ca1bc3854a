#!/usr/bin/env node
// @ts-check
// Usage: node build-packages.mjs [--if-stale]
// Builds every package (each workspace's build script, as many at once as there are cores) and
// records what it built from and what it wrote in node_modules/.cache (gone after `npm ci`).
// With --if-stale (what `npm test` runs) the build is skipped when neither changed since: no
// file git sees outside tests, examples, benches, changesets and Markdown, and no file in a
// package's dist/.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

/**
 * Runs the build script of every workspace that has one, as many at once as there are cores,
 * each once the workspaces it depends on are built (a plugin's types are bundled against
 * core's dist/index.d.ts), printing each one's output in one piece when it ends. Resolves with
 * whether all succeeded.
 */
async function buildWorkspaces() {
  const fields = ['scripts.build', 'dependencies', 'peerDependencies', 'devDependencies'];
  /** @type {Record<string, Record<string, unknown>>} */
  const workspaces = JSON.parse(
    execFileSync('npm', ['pkg', 'get', ...fields, '--workspaces', '--json'], { cwd: root, encoding: 'utf8' }),
  );
  const buildable = Object.keys(workspaces).filter(
    (name) => typeof workspaces[name]?.['scripts.build'] === 'string',
  );
  /** The workspaces each one waits for: those it depends on that have a build. */
  const pending = new Map(
    buildable.map((name) => {
      const { dependencies, peerDependencies, devDependencies } = workspaces[name] ?? {};
      const needs = Object.keys({
        ...Object(dependencies),
        ...Object(peerDependencies),
        ...Object(devDependencies),
      });
      return [name, needs.filter((need) => buildable.includes(need))];
    }),
  );
  const built = new Set();
  let running = 0;
  let failed = false;
  /** @type {(() => void)[]} */
  const waiting = [];
  const worker = async () => {
    while (pending.size > 0 && !failed) {
      const name = [...pending].find(([, needs]) => needs.every((need) => built.has(need)))?.[0];
      if (name === undefined) {
        // Nothing is ready until a running build ends (none running: a dependency cycle).
        if (running > 0) await new Promise((resolve) => waiting.push(() => resolve(undefined)));
        else {
          failed = true;
          for (const wake of waiting.splice(0)) wake();
        }
        continue;
      }
      pending.delete(name);
      running += 1;
      const started = Date.now();
      const { code, output } = await run('npm', ['run', 'build', '--workspace', name]);
      running -= 1;
      const took = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `\n> build ${name}: ${code === 0 ? 'done' : `failed (${code})`} in ${took} s\n${output}`,
      );
      if (code === 0) built.add(name);
      else failed = true;
      for (const wake of waiting.splice(0)) wake();
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
  return !failed && pending.size === 0;
}

/**
 * Runs a command, collecting its stdout and stderr together.
 * @param {string} command @param {string[]} args
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
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
if (!(await buildWorkspaces())) process.exit(1);
// The inputs as they were when the build started: a file edited meanwhile makes the next check stale.
if (inputs !== undefined) {
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, JSON.stringify({ inputs, outputs: outputsHash() }));
}
