import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type GitCommandOptions, runGit } from './git-command';

/** Where a cache keeps its mirrors, and how it runs git. */
export interface GitMirrorCacheOptions {
  /** Folder holding one mirror per location. Created when missing. */
  cacheDirectory: string;
}

/** How a mirror was brought up to date. */
export type MirrorUpdate = 'cloned' | 'fetched';

/**
 * Persistent bare mirrors of remote repositories, one per location, in folders named after the
 * sha256 of the location. The first use clones (`git clone --mirror`, into a temporary folder
 * renamed into place once complete, so an interrupted clone never looks like a mirror); every
 * later use only fetches, so only new objects are transferred. Callers serialise use per location.
 */
export class GitMirrorCache {
  constructor(private readonly options: GitMirrorCacheOptions) {}

  /** The mirror folder for `location` (which need not exist yet). */
  mirrorDirectory(location: string): string {
    return join(this.options.cacheDirectory, createHash('sha256').update(location).digest('hex'));
  }

  /** Clones or fetches the mirror of `location`; returns its folder and what was done. */
  async update(
    location: string,
    git: Omit<GitCommandOptions, 'action' | 'cwd'>,
  ): Promise<{ directory: string; update: MirrorUpdate }> {
    const directory = this.mirrorDirectory(location);
    if (await isDirectory(join(directory, 'objects'))) {
      git.log.info({ location }, 'fetching changes into the existing mirror');
      await runGit([`--git-dir=${directory}`, 'fetch', '--prune', '--progress', 'origin'], {
        ...git,
        action: 'fetch',
      });
      return { directory, update: 'fetched' };
    }
    await mkdir(this.options.cacheDirectory, { recursive: true, mode: 0o700 });
    const partial = `${directory}.clone-${randomUUID()}`;
    git.log.info({ location }, 'cloning a new mirror');
    try {
      await runGit(['clone', '--mirror', '--progress', '--', location, partial], { ...git, action: 'clone' });
      await rm(directory, { recursive: true, force: true });
      await rename(partial, directory);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
    return { directory, update: 'cloned' };
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
