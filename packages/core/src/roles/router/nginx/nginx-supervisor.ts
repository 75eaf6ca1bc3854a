import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { RestartBackoff } from '../../../process/restart-backoff';

/** Options of {@link NginxSupervisor}. */
export interface NginxSupervisorOptions {
  /** The nginx executable and its arguments (`daemon off`, so the master is our child). */
  command: string;
  args: readonly string[];
  logger?: Logger;
  /** Restart delays: `initial` ms doubled per quick failure up to `max`; default 100 and 15 000. */
  backoffMs?: { initial: number; max: number };
  /** A master that stayed up this long starts its backoff from the beginning again; default 30 000 ms. */
  resetAfterMs?: number;
}

/**
 * Runs nginx's master and starts it again when it exits unexpectedly (killed, crashed), after a
 * backoff that grows while it keeps failing; every exit and restart is logged. Workers the master
 * respawns are nginx's own business. The master leads a process group of its own, so workers
 * orphaned by a killed master (which would go on serving from the old listening socket, and never
 * stop) are killed with it before the restart.
 */
export class NginxSupervisor {
  readonly #options: NginxSupervisorOptions;
  readonly #backoff: RestartBackoff;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #watching = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #restarts = 0;

  constructor(options: NginxSupervisorOptions) {
    this.#options = options;
    const { initial, max } = options.backoffMs ?? { initial: 100, max: 15_000 };
    this.#backoff = new RestartBackoff({ initial, max, resetAfterMs: options.resetAfterMs ?? 30_000 });
  }

  /** The master's pid while it runs. */
  get pid(): number | undefined {
    return this.#child && this.#child.exitCode === null && this.#child.signalCode === null
      ? this.#child.pid
      : undefined;
  }

  /** How many times the master was started again after an unexpected exit. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Whether the master of the last start has exited (a first start that failed, before {@link watch}). */
  get exited(): boolean {
    return this.pid === undefined;
  }

  /** Starts the master; it is not restarted until {@link watch} (a first start that fails is the caller's error). */
  start(): void {
    const child = spawn(this.#options.command, [...this.#options.args], { stdio: 'ignore', detached: true });
    this.#child = child;
    this.#backoff.started();
    this.#exited = new Promise<void>((resolve) => {
      let done = false;
      const ended = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (done) return;
        done = true;
        resolve();
        this.#ended(child, code, signal, error);
      };
      child.once('exit', (code, signal) => ended(code, signal));
      child.once('error', (error) => ended(null, null, error));
    });
  }

  /** From now on, an exit that {@link close} did not ask for is followed by a restart. */
  watch(): void {
    this.#watching = true;
    if (this.exited && !this.#closed && !this.#timer) this.#scheduleRestart();
  }

  /**
   * Stops nginx gracefully (SIGQUIT: requests in flight finish; after `graceMs` the process group
   * is killed) and waits for the master to exit; no restart follows.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const child = this.#child;
    if (!child || this.exited) return;
    child.kill('SIGQUIT');
    const timer = setTimeout(() => this.#killGroup(child), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #ended(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    // Workers left by a master that did not stop them: killed, or they serve on, unsupervised.
    this.#killGroup(child);
    if (this.#closed || !this.#watching || child !== this.#child) return;
    this.#options.logger?.warn(
      { pid: child.pid, code, signal, err: error },
      'nginx router exited unexpectedly; restarting it',
    );
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const delay = this.#backoff.failed();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.start();
      this.#restarts += 1;
      this.#options.logger?.info(
        { pid: this.#child?.pid, restarts: this.#restarts, afterMs: delay },
        'nginx router restarted',
      );
    }, delay);
    this.#timer.unref();
  }

  #killGroup(child: ChildProcess): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}
