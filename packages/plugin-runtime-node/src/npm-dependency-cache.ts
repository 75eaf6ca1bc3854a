import { randomBytes } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderCall } from '@paasmaker/core';

/** Runs one command as the tenant in the step's environment (core's `runCommand`). */
export type TenantCommand = (argv: readonly string[]) => Promise<void>;

/** What an {@link NpmDependencyCache} works with. */
export interface NpmDependencyCacheOptions {
  /** The cache folder: `$HOME/.paasmaker/npm-modules` of the application's user. */
  folder: string;
  /** How many keys to keep (the most recently used). */
  keep: number;
  /** Runs a command as the tenant; every change to the cache and the working copy goes through it. */
  run: TenantCommand;
  /** The step's log. */
  log: ProviderCall['log'];
  /** The step's signal: an abort is never mistaken for a cache failure. */
  signal: AbortSignal;
}

const KEY = /^[0-9a-f]{64}$/;
const TEMPORARY = /^[0-9a-f]{64}\.tmp-[0-9a-f]+$/;
/** An unfinished copy older than this was left by a step that died; it is removed. */
const STALE_TEMPORARY_MS = 24 * 60 * 60 * 1000;

/**
 * `node_modules` trees of one application kept between its versions, one folder per key:
 * `<folder>/<key>/node_modules`. The folder is in the tenant's `HOME` (0700, the tenant's), so
 * every copy, move and removal runs as the tenant through {@link TenantCommand}: nothing this
 * process writes there is owned by the node, and a link the tenant plants can only lead a
 * command to what the tenant could reach anyway. A key folder's mtime says when it was last used.
 * A failing cache command is logged as a warning and the step goes on without the cache.
 */
export class NpmDependencyCache {
  constructor(private readonly options: NpmDependencyCacheOptions) {}

  /**
   * Replaces the working copy's `node_modules` with the tree cached under `key` (a copy, never
   * hard links: the node takes the working copy back with `chown -R` after the steps). False
   * when there is none or it could not be copied.
   */
  async restore(key: string, directory: string): Promise<boolean> {
    const cached = join(this.options.folder, key);
    if (!(await isDirectory(join(cached, 'node_modules')))) return false;
    const target = join(directory, 'node_modules');
    return this.attempt(`restore ${key}`, async () => {
      await this.options.run(['rm', '-rf', '--', target]);
      await this.options.run(['cp', '-a', '--reflink=auto', '--', join(cached, 'node_modules'), target]);
      await this.options.run(['touch', '-c', '--', cached]);
    });
  }

  /**
   * Keeps a copy of the working copy's `node_modules` under `key`: copied into a folder of its
   * own, then renamed into place, so a restore never sees half a tree. False when it could not be
   * or there is none (an app without dependencies).
   */
  async store(key: string, directory: string): Promise<boolean> {
    if (!(await isDirectory(join(directory, 'node_modules')))) {
      this.options.log.info('Nothing to cache: npm made no node_modules');
      return false;
    }
    const temporary = join(this.options.folder, `${key}.tmp-${randomBytes(6).toString('hex')}`);
    const stored = await this.attempt(`store ${key}`, async () => {
      await this.options.run(['mkdir', '-p', '--', temporary]);
      await this.options.run([
        'cp',
        '-a',
        '--reflink=auto',
        '--',
        join(directory, 'node_modules'),
        temporary,
      ]);
      // Another deploy of the same app may have stored this key meanwhile: then mv fails.
      await this.options.run(['mv', '-T', '--', temporary, join(this.options.folder, key)]);
    });
    if (!stored) await this.attempt('clean up', () => this.options.run(['rm', '-rf', '--', temporary]));
    return stored;
  }

  /**
   * Removes all but the `keep` most recently used keys (`current` always stays), and unfinished
   * copies older than a day.
   */
  async prune(current: string): Promise<void> {
    const entries = await this.entries();
    const keys = entries
      .filter((entry) => KEY.test(entry.name) && entry.name !== current)
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    const stale = entries.filter(
      (entry) => TEMPORARY.test(entry.name) && Date.now() - entry.mtimeMs > STALE_TEMPORARY_MS,
    );
    const doomed = [...keys.slice(Math.max(this.options.keep - 1, 0)), ...stale];
    if (doomed.length === 0) return;
    await this.attempt('prune', () =>
      this.options.run(['rm', '-rf', '--', ...doomed.map((entry) => join(this.options.folder, entry.name))]),
    );
  }

  /** The cache folder's entries with their mtimes; none when the folder is not there yet. */
  private async entries(): Promise<{ name: string; mtimeMs: number }[]> {
    let names: string[];
    try {
      names = await readdir(this.options.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.log.warn({ err: error }, 'Could not list the dependency cache');
      }
      return [];
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const stats = await lstat(join(this.options.folder, name)).catch(() => undefined);
        return stats?.isDirectory() ? { name, mtimeMs: stats.mtimeMs } : undefined;
      }),
    );
    return entries.filter((entry) => entry !== undefined);
  }

  /** Runs `work`; a failure (not an abort) is logged and reported as false. */
  private async attempt(what: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      if (this.options.signal.aborted) throw error;
      this.options.log.warn({ err: error }, `Dependency cache: could not ${what}; going on without it`);
      return false;
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats?.isDirectory() ?? false;
}
