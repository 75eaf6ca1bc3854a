import { spawn } from 'node:child_process';
import { type Logger, PaasmakerError } from '@paasmaker/core';
import { ALLOWED_URL_SCHEMES } from './git-input-safety';

/** How to run one git command. */
export interface GitCommandOptions {
  /** The git executable (a name looked up on `PATH`, or a path). */
  gitBinary: string;
  /** Aborting it kills git and everything git started (its process group). */
  signal: AbortSignal;
  /** Receives git's progress and other stderr lines. */
  log: Logger;
  /** Working directory for git. */
  cwd?: string;
  /** Extra environment variables, on top of the safe defaults. */
  env?: Record<string, string>;
  /** What the command is doing, for messages (`clone`, `fetch`...). */
  action: string;
}

/** What a finished git command printed. */
export interface GitCommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * The environment every git command runs with: no terminal prompts (a job has no one to answer
 * them) and only the transports Paasmaker accepts — git itself then refuses `ext::`, `fd::` and
 * other remote helpers, even where a location reaches git some other way (submodules, redirects).
 */
export function safeGitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: ALLOWED_URL_SCHEMES.join(':'),
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * Runs git with an argv array (never through a shell) in a process group of its own. stderr lines
 * are logged as they come (progress at `debug`, other lines at `info`). Resolves with the output on
 * exit 0; otherwise fails with `E_SCM_FAILED` carrying git's trimmed stderr.
 */
export function runGit(args: readonly string[], options: GitCommandOptions): Promise<GitCommandOutput> {
  const { signal, log, action } = options;
  return new Promise<GitCommandOutput>((resolvePromise, reject) => {
    if (signal.aborted) {
      reject(abortedError(action, signal));
      return;
    }
    const child = spawn(options.gitBinary, args, {
      cwd: options.cwd,
      env: safeGitEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      // Progress lines end in \r and are redrawn; finished lines end in \n.
      const parts = pending.split(/(\r|\n)/);
      pending = parts.pop() ?? '';
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const line = (parts[i] ?? '').trim();
        if (line === '') continue;
        if (parts[i + 1] === '\r') log.debug({ git: action }, line);
        else log.info({ git: action }, line);
      }
    });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    signal.addEventListener('abort', kill, { once: true });
    child.once('error', (error) => {
      signal.removeEventListener('abort', kill);
      reject(
        new PaasmakerError(
          'E_SCM_FAILED',
          `paasmaker.scm.git: could not run "${options.gitBinary}" for ${action}: ${error.message}; ` +
            'check the gitBinary option and that git is installed.',
          { cause: error },
        ),
      );
    });
    child.once('close', (code, exitSignal) => {
      signal.removeEventListener('abort', kill);
      if (pending.trim() !== '') log.info({ git: action }, pending.trim());
      if (signal.aborted) {
        reject(abortedError(action, signal));
      } else if (code === 0) {
        resolvePromise({ stdout: Buffer.concat(stdout).toString('utf8'), stderr });
      } else {
        const detail = stderr.trim() || (exitSignal ? `killed by ${exitSignal}` : `exit code ${code}`);
        reject(new PaasmakerError('E_SCM_FAILED', `paasmaker.scm.git: git ${action} failed: ${detail}`));
      }
    });
  });
}

function abortedError(action: string, signal: AbortSignal): PaasmakerError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  return new PaasmakerError('E_SCM_FAILED', `paasmaker.scm.git: git ${action} was stopped: ${reason}`, {
    cause: signal.reason,
  });
}
