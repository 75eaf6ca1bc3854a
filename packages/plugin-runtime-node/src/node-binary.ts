import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** PATH used when the environment given has none. */
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The Node version `nodeBinary` runs, e.g. `20.19.5`: `process.versions.node` for the Node
 * running Paasmaker itself, otherwise what `<nodeBinary> --version` prints.
 */
export async function nodeVersionOf(nodeBinary: string): Promise<string> {
  if (nodeBinary === process.execPath) return process.versions.node;
  const { stdout } = await execFileAsync(nodeBinary, ['--version'], { timeout: 10_000 });
  const match = /^v?(\d+\.\d+\.\d+)/.exec(stdout.trim());
  if (!match?.[1]) throw new Error(`\`${nodeBinary} --version\` printed "${stdout.trim()}", not a version`);
  return match[1];
}

/** The versions to advertise for `20.19.5`: `['20', '20.19', '20.19.5']` (least specific first). */
export function advertisedVersions(version: string): string[] {
  const [major, minor] = version.split('.');
  return [major as string, `${major}.${minor}`, version];
}

/** The npm to run for `nodeBinary`: the `npm` installed beside it, else `npm` from PATH. */
export function npmBeside(nodeBinary: string): string {
  const beside = join(dirname(nodeBinary), 'npm');
  return existsSync(beside) ? beside : 'npm';
}

/**
 * A copy of `environment` whose PATH starts with `folders` (so `node`, `npm` and the app's own
 * `node_modules/.bin` tools resolve to the right ones), then the given PATH (or this process's).
 */
export function withPathPrefix(
  environment: Readonly<Record<string, string>>,
  folders: readonly string[],
): Record<string, string> {
  const base = environment.PATH ?? process.env.PATH ?? FALLBACK_PATH;
  return { ...environment, PATH: [...folders, base].join(delimiter) };
}
