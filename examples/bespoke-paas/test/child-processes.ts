// Test code in child processes: `node --import tsx <script>` with the @paasmaker packages mapped
// to their sources, as vitest maps them.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TempFolders } from './paas-test-helpers';

/** The repository's root folder. */
export const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

/** Writes a tsconfig (in a new temporary folder) whose paths map the @paasmaker packages to their sources; returns its path. */
export async function sourcesTsconfig(temp: TempFolders): Promise<string> {
  const tsconfig = path.join(await temp.make(), 'tsconfig.json');
  const source = (name: string) => path.join(REPOSITORY, 'packages', name, 'src', 'index.ts');
  await writeFile(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        paths: {
          '@paasmaker/core': [source('core')],
          '@paasmaker/plugin-runtime-node': [source('plugin-runtime-node')],
          '@paasmaker/plugin-scm-git': [source('plugin-scm-git')],
        },
      },
    }),
  );
  return tsconfig;
}

/**
 * Runs `script` (a test file's URL) with tsx and `env`; resolves with the child and the first
 * line it printed, or rejects if it exits first.
 */
export async function spawnTsChild(
  temp: TempFolders,
  script: URL,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    cwd: REPOSITORY,
    env: { ...process.env, TSX_TSCONFIG_PATH: await sourcesTsconfig(temp), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code, signal) => reject(new Error(`child ${script} exited with ${code ?? signal}`)));
  });
  return { child, line };
}

/** SIGKILLs a child and waits until it exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
