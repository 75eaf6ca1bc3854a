import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PaasmakerError } from '../kernel/errors';
import type { Tenant } from '../tenancy/tenant';
import { commandFor } from '../tenancy/tenant-command';
import { currentTenant } from '../tenancy/tenant-context';
import { noteLeaderExit } from './process-liveness';
import { type ProcessRecord, readProcessStat, writeProcessRecord } from './process-record';

/** What {@link startProcessGroup} launches, and where it keeps its output and record. */
export interface StartProcessGroupOptions {
  /** Program and arguments (argv); no shell is involved unless the first entry is one. */
  command: readonly string[];
  /** Working folder of the process. */
  cwd: string;
  /** The process's whole environment (nothing is inherited from this process). */
  env: Readonly<Record<string, string>>;
  /** File stdout and stderr are appended to; created (mode 0600) when missing. */
  logFile: string;
  /** Folder the {@link ProcessRecord} is written to, as `process.json`. */
  stateDirectory: string;
  /**
   * The OS identity to run as; default the tenant of {@link runAsTenant}'s context, so a runtime
   * started by a heart runs its processes as the application's user without asking.
   */
  tenant?: Tenant;
}

/**
 * Launches `command` as the leader of a new session and process group (as the tenant's user,
 * with its limits and `no_new_privs`, when there is a tenant), so it outlives this
 * process (even a SIGKILL of it) and can be stopped as a group with {@link stopProcessGroup}.
 * stdin is closed; stdout and stderr are appended to `logFile`. The returned record is also
 * written atomically to `<stateDirectory>/process.json`. Resolves once the process is spawned;
 * fails with `E_INSTANCE_START` when it cannot be (missing program or folder).
 */
export async function startProcessGroup(options: StartProcessGroupOptions): Promise<ProcessRecord> {
  if (options.command[0] === undefined || options.command[0] === '') {
    throw new PaasmakerError('E_INSTANCE_START', 'cannot start a process: the command is empty.');
  }
  const tenant = options.tenant ?? currentTenant();
  const [file, ...args] = commandFor(options.command, tenant);
  await mkdir(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a', 0o600);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    // The child has its own copy of the descriptor now.
    closeSync(fd);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    throw new PaasmakerError(
      'E_INSTANCE_START',
      `cannot start \`${options.command.join(' ')}\` in ${options.cwd}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const pid = child.pid as number;
  // Read synchronously, before the event loop can reap a child that exited at once.
  const stat = readProcessStat(pid);
  if (stat === undefined) {
    throw new PaasmakerError('E_INSTANCE_START', `process ${pid} vanished right after it was started.`);
  }
  const record: ProcessRecord = { pid, startTime: stat.startTime };
  child.once('exit', () => noteLeaderExit(record));
  child.unref();
  await writeProcessRecord(options.stateDirectory, record);
  return record;
}
