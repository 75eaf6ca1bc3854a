import { type Logger, pino } from 'pino';
import type { NodeRegistration, NodeReport } from '../roles/pacemaker/node-registry/node-registry-schemas';

/** Timers the reporter schedules with; default the global `setTimeout`/`clearTimeout`. */
export interface ReporterTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link NodeReporter}. */
export interface NodeReporterOptions {
  /** Base URL of the pacemaker, `http://pm1:42500` (the `/api/v1` prefix is added). */
  readonly pacemakerUrl: string;
  /** The cluster node token, sent as `Authorization: Bearer …`. */
  readonly nodeToken: string;
  /** What to register; its `uuid`, if any, is the UUID to re-register under. */
  readonly registration: NodeRegistration;
  /** Builds each report body. A rejection is logged and the report is retried later. */
  readonly report: () => Promise<NodeReport>;
  /** Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  readonly timers?: ReporterTimers;
  /** Default: a silent logger. */
  readonly logger?: Logger;
  /** First retry delay after a failure; doubles per failure. Default 1000 ms. */
  readonly retryInitialMs?: number;
  /** Longest retry delay. Default 60000 ms (reports: at most the report interval). */
  readonly retryMaxMs?: number;
  /** Timeout of each register/report request. Default 10000 ms. */
  readonly requestTimeoutMs?: number;
  /** Timeout of the `stop` request sent by `close()`. Default 2000 ms. */
  readonly stopTimeoutMs?: number;
}

/** A failed pacemaker call: `status` is undefined when the pacemaker was unreachable. */
class CallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

const API_PREFIX = '/api/v1';

/**
 * Keeps a node known to its pacemaker: `start()` registers it, then reports every
 * `reportIntervalMs` the pacemaker answered. Failures (pacemaker unreachable, 5xx…) are logged and
 * retried with exponential backoff; nothing is thrown out of its timers. A report answered 404
 * `E_NODE_NOT_FOUND` registers again under the same UUID. `close()` sends `stop` (best effort).
 */
export class NodeReporter {
  private readonly options: NodeReporterOptions;
  private readonly fetch: typeof fetch;
  private readonly timers: ReporterTimers;
  private readonly logger: Logger;
  private currentUuid: string | undefined;
  private registered = false;
  private intervalMs: number | undefined;
  private failures = 0;
  private running = false;
  /** Bumped by start/close: work of an older generation stops after its next await. */
  private generation = 0;
  private timer: unknown;
  private abort: AbortController | undefined;
  private startWaiters: (() => void)[] = [];
  /** A report was asked for while one was under way: send another right after it. */
  private reportAgain = false;

  constructor(options: NodeReporterOptions) {
    this.options = options;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timers = options.timers ?? {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.logger = options.logger ?? pino({ enabled: false });
    this.currentUuid = options.registration.uuid;
  }

  /** The node's UUID: the one given, or the one the pacemaker answered once registered. */
  get uuid(): string | undefined {
    return this.currentUuid;
  }

  /** The report interval the pacemaker answered; undefined until registered. */
  get reportIntervalMs(): number | undefined {
    return this.intervalMs;
  }

  /** Whether the reporter is running and registered (since its last start). */
  get isRegistered(): boolean {
    return this.running && this.registered;
  }

  /**
   * Starts registering and reporting. Resolves once registered (retrying as long as it takes), or
   * when `close()` is called first; never rejects. Call it without `await` not to wait.
   * A second call while running only waits.
   */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.registered = false;
      this.failures = 0;
      this.generation += 1;
      this.abort = new AbortController();
      this.schedule(0);
    }
    if (this.registered) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push(resolve));
  }

  /**
   * Sends a report now rather than at the next interval (e.g. an instance changed state); does
   * nothing until registered. Reports never overlap: one asked for during another follows it.
   */
  reportSoon(): void {
    if (!this.running || !this.registered) return;
    if (this.timer === undefined) {
      this.reportAgain = true;
      return;
    }
    this.timers.clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Clears the timers, aborts any request under way and sends `stop` (best effort); safe to call twice. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation += 1;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    this.releaseWaiters();
    const uuid = this.currentUuid;
    if (!this.registered || !uuid) return;
    this.registered = false;
    try {
      await this.call(`/nodes/${uuid}/stop`, {}, this.options.stopTimeoutMs ?? 2000);
      this.logger.info({ uuid }, 'node stopped at the pacemaker');
    } catch (error) {
      this.logger.warn({ uuid, err: error }, 'could not tell the pacemaker the node stopped');
    }
  }

  private releaseWaiters(): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private schedule(ms: number): void {
    const generation = this.generation;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (generation !== this.generation) return;
      this.tick(generation).catch((error: unknown) => {
        // Never thrown out of a timer: log and try again later.
        this.logger.error({ err: error }, 'node reporter failed unexpectedly');
        if (generation === this.generation) this.schedule(this.backoff(this.options.retryMaxMs ?? 60_000));
      });
    }, ms);
  }

  private backoff(capMs: number): number {
    this.failures += 1;
    const initial = this.options.retryInitialMs ?? 1000;
    return Math.min(initial * 2 ** Math.min(this.failures - 1, 30), capMs);
  }

  private async tick(generation: number): Promise<void> {
    if (this.registered) await this.sendReport(generation);
    else await this.register(generation);
  }

  private async register(generation: number): Promise<void> {
    const body: NodeRegistration = { ...this.options.registration };
    if (this.currentUuid) body.uuid = this.currentUuid;
    else delete body.uuid;
    let data: { uuid: string; reportIntervalMs: number };
    try {
      data = (await this.call('/nodes/register', body)) as typeof data;
    } catch (error) {
      if (generation !== this.generation) return;
      const delay = this.backoff(this.options.retryMaxMs ?? 60_000);
      const level =
        error instanceof CallError && error.status !== undefined && error.status < 500 ? 'error' : 'warn';
      this.logger[level](
        { err: error, retryInMs: delay, pacemaker: this.options.pacemakerUrl },
        'node registration failed; retrying',
      );
      this.schedule(delay);
      return;
    }
    if (generation !== this.generation) return;
    this.currentUuid = data.uuid;
    this.intervalMs = data.reportIntervalMs;
    this.registered = true;
    this.failures = 0;
    this.logger.info({ uuid: data.uuid, reportIntervalMs: data.reportIntervalMs }, 'node registered');
    this.releaseWaiters();
    this.schedule(data.reportIntervalMs);
  }

  private async sendReport(generation: number): Promise<void> {
    const interval = this.intervalMs ?? 60_000;
    try {
      const body = await this.options.report();
      if (generation !== this.generation) return;
      await this.call(`/nodes/${this.currentUuid}/report`, body);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof CallError && error.status === 404) {
        // The pacemaker forgot this node (new database…): register again under the same UUID.
        this.logger.warn(
          { uuid: this.currentUuid },
          'the pacemaker does not know this node; registering again',
        );
        this.registered = false;
        this.schedule(0);
        return;
      }
      const delay = this.backoff(Math.min(this.options.retryMaxMs ?? 60_000, interval));
      this.logger.warn({ err: error, retryInMs: delay }, 'node report failed; retrying');
      this.schedule(delay);
      return;
    }
    if (generation !== this.generation) return;
    this.failures = 0;
    const again = this.reportAgain;
    this.reportAgain = false;
    this.schedule(again ? 0 : interval);
  }

  /** POSTs `body` to the pacemaker; resolves to the response's `data`, or throws a {@link CallError}. */
  private async call(route: string, body: unknown, timeoutMs?: number): Promise<unknown> {
    const signals = [AbortSignal.timeout(timeoutMs ?? this.options.requestTimeoutMs ?? 10_000)];
    if (this.abort) signals.push(this.abort.signal);
    const url = `${this.options.pacemakerUrl.replace(/\/+$/, '')}${API_PREFIX}${route}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.nodeToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw new CallError(`pacemaker unreachable at ${url}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    let parsed: { data?: unknown; error?: { code?: string; message?: string } } | undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const message = parsed?.error?.message ?? (text.slice(0, 200) || response.statusText);
      throw new CallError(
        `pacemaker answered ${response.status} to POST ${route}: ${message}`,
        response.status,
        parsed?.error?.code,
      );
    }
    return parsed?.data;
  }
}
