import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptsConnections } from '../../net/port-probe';

/** How {@link waitUntilHealthy} knows an instance is up, and how it learns that it died. */
export interface HealthWaitOptions {
  /** The instance's port; `null` for standalone instances, which count as up once running for `standaloneWaitMs`. */
  port: number | null;
  /** An HTTP path that must answer with a status below 500; TCP connect when absent. */
  path?: string;
  timeoutMs: number;
  /** Asks the runtime whether the process still runs. */
  isRunning(): Promise<boolean>;
  signal: AbortSignal;
  pollMs?: number;
  standaloneWaitMs?: number;
}

/**
 * Resolves once the instance answers; resolves with the reason it never will (the process
 * exited, or the time ran out) otherwise. Rejects only when `signal` aborts.
 */
export async function waitUntilHealthy(
  options: HealthWaitOptions,
): Promise<{ healthy: true } | { healthy: false; reason: string }> {
  const pollMs = options.pollMs ?? 50;
  const started = Date.now();
  if (options.port === null) {
    await sleep(options.standaloneWaitMs ?? 1_000, undefined, { signal: options.signal });
    return (await options.isRunning()) ? { healthy: true } : { healthy: false, reason: 'process exited' };
  }
  for (;;) {
    options.signal.throwIfAborted();
    if (await answers(options.port, options.path)) return { healthy: true };
    if (!(await options.isRunning())) return { healthy: false, reason: 'process exited' };
    if (Date.now() - started >= options.timeoutMs) {
      const what = options.path ? `answer GET ${options.path}` : `accept connections on port ${options.port}`;
      return { healthy: false, reason: `did not ${what} within ${options.timeoutMs / 1000} s` };
    }
    await sleep(pollMs, undefined, { signal: options.signal });
  }
}

function answers(port: number, path: string | undefined): Promise<boolean> {
  return path === undefined ? acceptsConnections(port) : httpAnswers(port, path);
}

function httpAnswers(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', timeout: 2_000, agent: false },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      },
    );
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}
