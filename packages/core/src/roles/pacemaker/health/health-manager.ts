import type { Logger } from 'pino';
import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject } from '../../../kernel/json-schema';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import { fieldName } from '../../../manifest/manifest-error';
import { parameterProblems } from '../../../manifest/manifest-plugin-check';

/** How one health check runs; see {@link HealthManagerOptions.checks}. */
export interface HealthCheckSchedule {
  /** False turns the check off; default true. */
  readonly enabled?: boolean;
  /** Milliseconds between the end of one run and the start of the next; default `intervalMs`. */
  readonly everyMs?: number;
  /** The check's parameters; default `{}`. */
  readonly parameters?: JsonObject;
}

/** What a {@link HealthManager} runs. */
export interface HealthManagerOptions {
  readonly hooks: Pick<KernelHooks, 'healthCheck'>;
  /** Default milliseconds between runs of a check. */
  readonly intervalMs: number;
  /** Per check name: turned off, its own interval, its parameters. */
  readonly checks?: Readonly<Record<string, HealthCheckSchedule>>;
  readonly logger: Logger;
}

interface ScheduledCheck {
  readonly name: string;
  readonly everyMs: number;
  readonly parameters: JsonObject;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** Asked to run again while running: it runs once more straight after. */
  again: boolean;
}

/**
 * The pacemaker's health manager (the original's, minus its job per run): runs every provider on
 * `kernel.hooks.healthCheck` on its schedule, one run of a check at a time. A check repairs what
 * it finds by starting job trees; a failing run is logged and the check runs again on schedule.
 * {@link runSoon} runs a check at once (a node went DOWN: do not wait for the timer).
 */
export class HealthManager {
  readonly #options: HealthManagerOptions;
  readonly #checks = new Map<string, ScheduledCheck>();
  readonly #abort = new AbortController();
  readonly #log: Logger;

  constructor(options: HealthManagerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'health' });
  }

  /**
   * Starts every enabled check the kernel has; each first runs one interval from now. Fails with
   * `E_CONFIG_INVALID` when a check's parameters do not match its `parametersSchema`.
   */
  start(): void {
    for (const name of this.#options.hooks.healthCheck.names()) {
      const schedule = this.#options.checks?.[name] ?? {};
      if (schedule.enabled === false || this.#checks.has(name)) continue;
      const parameters = schedule.parameters ?? {};
      const schema = this.#options.hooks.healthCheck.find(name)?.parametersSchema;
      const problems = parameterProblems(schema, parameters, [
        'roles',
        'pacemaker',
        'health',
        'checks',
        name,
        'parameters',
      ]);
      if (problems.length)
        throw new PaasmakerError(
          'E_CONFIG_INVALID',
          `health check ${name}: ${problems.map((p) => `${fieldName(p.path)} ${p.message}`).join('; ')}`,
        );
      const check: ScheduledCheck = {
        name,
        everyMs: schedule.everyMs ?? this.#options.intervalMs,
        parameters,
        again: false,
      };
      this.#checks.set(name, check);
      this.#schedule(check);
    }
    this.#log.info({ checks: [...this.#checks.keys()] }, 'health manager started');
  }

  /** Names of the checks that run. */
  get checks(): string[] {
    return [...this.#checks.keys()];
  }

  /** Runs the check `name` now (after a run in progress); resolves when that run ended. */
  runSoon(name: string): Promise<void> {
    const check = this.#checks.get(name);
    if (!check || this.#abort.signal.aborted) return Promise.resolve();
    if (check.running) {
      check.again = true;
      return check.running;
    }
    clearTimeout(check.timer);
    return this.#run(check);
  }

  /** Stops the timers, aborts runs in progress and waits for them. */
  async close(): Promise<void> {
    this.#abort.abort();
    for (const check of this.#checks.values()) clearTimeout(check.timer);
    await Promise.all([...this.#checks.values()].map((check) => check.running));
  }

  #schedule(check: ScheduledCheck): void {
    if (this.#abort.signal.aborted) return;
    check.timer = setTimeout(() => void this.#run(check), check.everyMs);
    check.timer.unref();
  }

  #run(check: ScheduledCheck): Promise<void> {
    const provider = this.#options.hooks.healthCheck.find(check.name);
    const log = this.#log.child({ check: check.name });
    const run = async (): Promise<void> => {
      do {
        check.again = false;
        if (!provider || this.#abort.signal.aborted) return;
        try {
          const result = await provider.check(check.parameters, { log, signal: this.#abort.signal });
          log.debug({ summary: result.summary }, 'health check ran');
        } catch (error) {
          if (!this.#abort.signal.aborted) log.error({ err: error }, 'health check failed');
        }
      } while (check.again);
    };
    check.running = run().finally(() => {
      check.running = undefined;
      this.#schedule(check);
    });
    return check.running;
  }
}
