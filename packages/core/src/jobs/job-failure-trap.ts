import { AsyncLocalStorage } from 'node:async_hooks';

/** Where an error escaping a job's callbacks goes: the job it came from. */
export interface JobScope {
  readonly jobId: string;
  fail(error: unknown): void;
}

const scopes = new AsyncLocalStorage<JobScope>();
let installed = 0;

/**
 * Calls `run(...args)` (a job handler) so that errors escaping its callbacks — a throw in a bare
 * `setTimeout` callback, a promise rejected with no handler — are handed to `scope.fail` instead
 * of killing the process, while {@link installJobFailureTrap} is in force. Node keeps the async
 * context of the code that threw (AsyncLocalStorage), so the error is blamed on the right job
 * even with many running at once.
 */
export function runInJobScope<A extends unknown[], T>(
  scope: JobScope,
  run: (...args: A) => T,
  ...args: A
): T {
  return scopes.run(scope, run, ...args);
}

/**
 * Installs the process-wide `uncaughtException` and `unhandledRejection` handlers once (counted:
 * every engine installs, the last to uninstall removes them). An error from a job's scope fails
 * that job and the process lives on; any other error is left to the process's other handlers or,
 * when there are none, ends the process as Node would (stack on stderr, exit code 1).
 * Returns the function that uninstalls.
 */
export function installJobFailureTrap(): () => void {
  if (installed++ === 0) {
    process.on('uncaughtException', onUncaughtException);
    process.on('unhandledRejection', onUnhandledRejection);
  }
  let uninstalled = false;
  return () => {
    if (uninstalled) return;
    uninstalled = true;
    if (--installed === 0) {
      process.off('uncaughtException', onUncaughtException);
      process.off('unhandledRejection', onUnhandledRejection);
    }
  };
}

function onUncaughtException(error: unknown, origin: string): void {
  const scope = scopes.getStore();
  if (scope) {
    scope.fail(error);
    return;
  }
  // Other handlers were called too and decide; without them, do what Node does without ours.
  if (process.listenerCount('uncaughtException') > 1) return;
  die(error, origin);
}

function onUnhandledRejection(reason: unknown): void {
  const scope = scopes.getStore();
  if (scope) {
    scope.fail(reason);
    return;
  }
  if (process.listenerCount('unhandledRejection') > 1) return;
  // Node's default for an unhandled rejection is to raise it as an uncaught exception.
  const others = process
    .listeners('uncaughtException')
    .filter((listener) => listener !== onUncaughtException);
  if (others.length === 0) die(reason, 'unhandledRejection');
  for (const listener of others) listener(reason as Error, 'unhandledRejection');
}

function die(error: unknown, origin: string): never {
  process.stderr.write(`${origin}: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}
