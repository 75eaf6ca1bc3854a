import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const identity = ['-c', 'user.name=Paasmaker Test', '-c', 'user.email=test@paasmaker.invalid'];

/** Runs git (argv, no shell) in `cwd` and returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
}

/** A source repository on disk that tests commit to. */
export class SourceRepository {
  constructor(readonly directory: string) {}

  /** `git init` with `defaultBranch` as the initial branch. */
  static create(directory: string, defaultBranch = 'main'): SourceRepository {
    mkdirSync(directory, { recursive: true });
    git(directory, 'init', '--quiet', '--initial-branch', defaultBranch);
    return new SourceRepository(directory);
  }

  /** Writes `files` (path → content) and commits them; returns the new commit's sha. */
  commit(message: string, files: Record<string, string>): string {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.directory, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    git(this.directory, 'add', '--all');
    git(this.directory, 'commit', '--quiet', '-m', message);
    return git(this.directory, 'rev-parse', 'HEAD');
  }

  /** Switches to `branch`, creating it from the current commit when `create` is set. */
  switch(branch: string, create = false): void {
    git(this.directory, 'checkout', '--quiet', ...(create ? ['-b'] : []), branch);
  }
}
