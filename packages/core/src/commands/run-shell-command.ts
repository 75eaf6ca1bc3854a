import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import type { Tenant } from '../tenancy/tenant';
import { commandFor } from '../tenancy/tenant-command';
import { currentTenant } from '../tenancy/tenant-context';

/** How {@link runShellCommand} and {@link runCommand} run one command. */
export interface RunCommandOptions {
  /** Working folder. */
  cwd: string;
  /** The command's whole environment (nothing is inherited from this process). */
  env: Readonly<Record<string, string>>;
  /** Receives a `$ <command>` line, then every output line as it arrives. */
  log: Logger;
  /** Aborting kills the command's process group; the run then fails. */
  signal: AbortSignal;
  /** Kill the command and fail after this many milliseconds. */
  timeoutMs: number;
  /** How long the group has after SIGTERM (abort, timeout) before SIGKILL. Default: 2000. */
  killGraceMs?: number;
  /**
   * The OS identity to run as; default the tenant of {@link runAsTenant}'s context, so prepare
   * and startup steps run as the application's user without asking.
   */
  tenant?: Tenant;
}

/**
 * Runs the manifest author's own `command` as `['/bin/sh', '-c', command]`: nothing else is put
 * into the shell string. See {@link runCommand}.
 */
export function runShellCommand(command: string, options: RunCommandOptions): Promise<void> {
  return runCommand(['/bin/sh', '-c', command], options, command);
}

/**
 * Runs `argv` in its own process group (as the tenant's user when there is a tenant), streaming each stdout/stderr line to `options.log`.
 * Resolves on exit code 0. Fails with `E_COMMAND_FAILED` (naming `display`, default the argv
 * joined by spaces) on a non-zero exit, a signal, the timeout or an abort. When the command
 * ends, anything it left running in its group is killed so no stray process holds its output.
 */
export async function runCommand(
  argv: readonly string[],
  options: RunCommandOptions,
  display: string = argv.join(' '),
): Promise<void> {
  if (argv[0] === undefined) throw new PaasmakerError('E_COMMAND_FAILED', 'cannot run an empty command.');
  const tenant = options.tenant ?? currentTenant();
  const [file, ...args] = commandFor(argv, tenant);
  const fail = (message: string, cause?: unknown) =>
    new PaasmakerError('E_COMMAND_FAILED', `Command \`${display}\` ${message}`, { cause });
  if (options.signal.aborted) throw fail('was aborted before it started.', options.signal.reason);

  options.log.info(`$ ${display}`);
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = Promise.all([
    streamLines(child.stdout, options.log, 'stdout'),
    streamLines(child.stderr, options.log, 'stderr'),
  ]);

  let stopReason: 'timeout' | 'abort' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: 'timeout' | 'abort') => {
    if (stopReason !== undefined || child.pid === undefined) return;
    stopReason = reason;
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child.pid as number, 'SIGKILL'), options.killGraceMs ?? 2000);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('abort');
  options.signal.addEventListener('abort', onAbort, { once: true });

  let outcome: { code: number | null; signal: NodeJS.Signals | null };
  try {
    outcome = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  } catch (error) {
    throw fail(`could not be started: ${(error as Error).message}`, error);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
  // Leftovers (`cmd &`) would keep the pipes open and outlive the step.
  if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  await lines;
  clearTimeout(killTimer);

  if (stopReason === 'timeout') throw fail(`timed out after ${formatSeconds(options.timeoutMs)} s`);
  if (stopReason === 'abort') throw fail('was aborted', options.signal.reason);
  if (outcome.signal !== null) throw fail(`was killed by ${outcome.signal}`);
  if (outcome.code !== 0) throw fail(`exited with code ${outcome.code}`);
}

async function streamLines(stream: Readable, log: Logger, name: 'stdout' | 'stderr'): Promise<void> {
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    log.info({ stream: name }, line);
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function formatSeconds(ms: number): string {
  return String(Math.round((ms / 1000) * 1000) / 1000);
}
