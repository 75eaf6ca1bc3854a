#!/usr/bin/env node
// Checks the documentation as a package's user meets it (run after `npm run build`):
//  1. every ```ts / ```typescript block in the shipped READMEs and docs (plus the root and
//     examples READMEs) type-checks against the built packages, in one tsc run; a block whose
//     info string says `fragment` (```ts fragment) is skipped;
//     ```yaml node-config and ```yaml manifest blocks are parsed by the built core's
//     parseNodeConfig and parseManifest;
//  2. every relative link in a markdown file that a package ships resolves to a file inside that
//     package's tarball (and its #anchor to a heading there); relative links in the repository-only
//     READMEs resolve in the repository.
// Usage: node tools/docs-check/check-docs.mjs [--no-types] [--no-links]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeBlocks, headingSlugs, markdownLinks } from './markdown.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Set(process.argv.slice(2));
const problems = [];

const packages = packedPackages();
const repositoryOnly = [
  'README.md',
  ...readdirSync(join(root, 'examples')).map((e) => `examples/${e}/README.md`),
].filter((file) => existsSync(join(root, file)));

if (!args.has('--no-links')) {
  for (const pkg of packages) checkPackedLinks(pkg);
  for (const file of repositoryOnly) checkRepositoryLinks(file);
}
if (!args.has('--no-types')) {
  for (const pkg of packages) {
    const { types } = JSON.parse(readFileSync(join(root, pkg.dir, 'package.json'), 'utf8'));
    if (types && !existsSync(join(root, pkg.dir, types))) {
      console.error(`docs-check: ${join(pkg.dir, types)} is missing: run \`npm run build\` first.`);
      process.exit(1);
    }
  }
  const shipped = packages.flatMap((pkg) =>
    pkg.files.filter((f) => f.endsWith('.md')).map((f) => `${pkg.dir}/${f}`),
  );
  checkCodeBlocks([...shipped, ...repositoryOnly]);
  await checkYamlBlocks([...shipped, ...repositoryOnly]);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `\ndocs-check: ${problems.length} problem(s). Fragments: mark the fence \`\`\`ts fragment (tools/docs-check/README.md).`,
  );
  process.exit(1);
}
console.log('docs-check: every code block compiles and every link in a packed package resolves.');

/** `npm pack --dry-run` of every published package: its folder and the files its tarball holds. */
function packedPackages() {
  const dirs = readdirSync(join(root, 'packages'))
    .map((d) => `packages/${d}`)
    .filter((d) => existsSync(join(root, d, 'package.json')))
    .filter((d) => !JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')).private);
  const out = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', ...dirs.flatMap((d) => ['--workspace', d])],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  const reports = JSON.parse(out);
  return reports.map((report) => {
    const dir = dirs.find(
      (d) => JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')).name === report.name,
    );
    return { name: report.name, dir, files: report.files.map((f) => f.path) };
  });
}

function checkPackedLinks(pkg) {
  const files = new Set(pkg.files);
  for (const file of pkg.files.filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(root, pkg.dir, file), 'utf8');
    for (const link of markdownLinks(text)) {
      const where = `${pkg.dir}/${file}:${link.line}`;
      const [path, anchor] = splitTarget(link.target);
      const target = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path));
      if (target.startsWith('../')) {
        problems.push(`${where}: link ${link.target} leaves the ${pkg.name} tarball (use an absolute URL)`);
      } else if (
        !files.has(target) &&
        !pkg.files.some((f) => f.startsWith(`${target.replace(/\/$/, '')}/`))
      ) {
        problems.push(`${where}: link ${link.target}: ${target} is not in the ${pkg.name} tarball`);
      } else if (anchor && target.endsWith('.md') && files.has(target)) {
        checkAnchor(where, link.target, join(root, pkg.dir, target), anchor);
      }
    }
  }
  // Doc comments in the declarations send readers to `docs/<name>.md`: those must ship too.
  for (const file of pkg.files.filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(join(root, pkg.dir, file), 'utf8');
    for (const [mention] of new Set(text.matchAll(/\bdocs\/[\w-]+\.md\b/g))) {
      if (!files.has(mention))
        problems.push(`${pkg.dir}/${file}: refers to ${mention}, which is not in the ${pkg.name} tarball`);
    }
  }
}

function checkRepositoryLinks(file) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const link of markdownLinks(text)) {
    const where = `${file}:${link.line}`;
    const [path, anchor] = splitTarget(link.target);
    const target = path === '' ? join(root, file) : resolve(root, dirname(file), path);
    if (!existsSync(target))
      problems.push(`${where}: link ${link.target}: ${relative(root, target)} does not exist`);
    else if (anchor && target.endsWith('.md') && statSync(target).isFile())
      checkAnchor(where, link.target, target, anchor);
  }
}

function checkAnchor(where, raw, file, anchor) {
  if (!headingSlugs(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
    problems.push(`${where}: link ${raw}: no heading #${anchor} in ${relative(root, file)}`);
  }
}

function splitTarget(target) {
  const hash = target.indexOf('#');
  const path = (hash === -1 ? target : target.slice(0, hash)).split('?')[0];
  return [decodeURI(path), hash === -1 ? '' : target.slice(hash + 1)];
}

/** Writes every block as a module of its own under node_modules/.cache, so that `@paasmaker/*` resolve as they
 * do for a user (the workspace links, through each package's `exports` map, to its built dist), and runs tsc once. */
function checkCodeBlocks(markdownFiles) {
  const work = join(root, 'node_modules/.cache/docs-check');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const origin = new Map();
  let count = 0;
  let fragments = 0;
  for (const file of markdownFiles) {
    for (const block of codeBlocks(readFileSync(join(root, file), 'utf8'))) {
      if (!['ts', 'typescript'].includes(block.lang)) continue;
      if (block.flags.includes('fragment')) {
        fragments += 1;
        continue;
      }
      const name = `${file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
      // `export {}` makes every block a module: its own scope, and top-level await allowed.
      writeFileSync(join(work, name), `${block.code}\nexport {};\n`);
      origin.set(name, { file, line: block.line });
      count += 1;
    }
  }
  const base = relative(work, join(root, 'tsconfig.base.json')).split('\\').join('/');
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      extends: base,
      compilerOptions: { noEmit: true, sourceMap: false, declaration: false },
      include: ['*.ts'],
    }),
  );
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', work, '--pretty', 'false'], { cwd: work, encoding: 'utf8' });
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  // Report tsc's errors at their line in the markdown file (the block's code starts a line after the fence).
  for (const line of output.split('\n').filter(Boolean)) {
    const match = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
    const from = match && origin.get(match[1]);
    problems.push(from ? `${from.file}:${from.line + Number(match[2])}:${match[3]}: ${match[4]}` : line);
  }
  console.log(`docs-check: ${count} TypeScript block(s) type-checked, ${fragments} marked fragment.`);
}

/**
 * Parses the YAML blocks that say what they are (```yaml node-config, ```yaml manifest) with the
 * built core, as `paasmaker node --config` and a deploy would; `${env:NAME}` get a 40-character
 * stand-in, so that a config's secrets may come from the environment as the docs say.
 */
async function checkYamlBlocks(markdownFiles) {
  const { parseManifest, parseNodeConfig } = await import('@paasmaker/core');
  let count = 0;
  for (const file of markdownFiles) {
    for (const block of codeBlocks(readFileSync(join(root, file), 'utf8'))) {
      if (!['yaml', 'yml'].includes(block.lang)) continue;
      const name = `${file} (the block at line ${block.line})`;
      try {
        if (block.flags.includes('node-config')) {
          const env = Object.fromEntries(
            [...block.code.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [
              m[1],
              'x'.repeat(40),
            ]),
          );
          parseNodeConfig(block.code, name, { env });
        } else if (block.flags.includes('manifest')) {
          parseManifest(block.code, { file: name });
        } else continue;
        count += 1;
      } catch (error) {
        problems.push(`${file}:${block.line}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  console.log(`docs-check: ${count} YAML block(s) parsed as node configs or manifests.`);
}
