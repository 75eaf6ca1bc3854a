import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Runs a command without a shell. */
export const run = promisify(execFile);
export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
export const repositoryRoot = path.resolve(packageDir, '../..');

/** What a consumer project installs besides the packed core, and the files it holds. */
export interface ConsumerOptions {
  devDependencies?: Record<string, string>;
  /** `npm install` flags after the cache ones (e.g. `--ignore-scripts`). */
  installFlags: string[];
  sources: Record<string, string>;
}

/**
 * Packs the built @paasmaker/core and installs the tarball into a fresh project, as npm would
 * publish it; the caller removes the returned folder.
 */
export async function installConsumer(options: ConsumerOptions): Promise<string> {
  if (!existsSync(path.join(packageDir, 'dist/index.js'))) {
    throw new Error('packages/core/dist is missing: run `npm run build` first (`npm test` does).');
  }
  const consumer = await mkdtemp(path.join(tmpdir(), 'paasmaker-consumer-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer],
      {
        cwd: packageDir,
      },
    );
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await writeFile(
      path.join(consumer, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        type: 'module',
        dependencies: { '@paasmaker/core': `file:./${filename}` },
        devDependencies: options.devDependencies ?? {},
      }),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...options.installFlags], {
      cwd: consumer,
    });
    for (const [file, text] of Object.entries(options.sources))
      await writeFile(path.join(consumer, file), text);
    return consumer;
  } catch (error) {
    await rm(consumer, { recursive: true, force: true });
    throw error;
  }
}

/** A tsconfig.json for a consumer that type-checks `files` against what it installed. */
export function consumerTsconfig(files: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(repositoryRoot, 'node_modules/@types')],
      ...extra,
    },
    files,
  });
}

/** Runs tsc in a consumer; its output (empty when everything compiles). */
export async function typeCheck(consumer: string): Promise<string> {
  const tsc = path.join(repositoryRoot, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }).catch(
    (error: { stdout: string }) => ({ stdout: error.stdout }),
  );
  return result.stdout;
}
