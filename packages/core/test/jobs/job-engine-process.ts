import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SqlJobStoreOptions } from '../../src/jobs/sql/create-sql-job-store';

/** How a worker process opens the test's store. */
export type WorkerStore =
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'sql'; options: SqlJobStoreOptions };

/** What job-engine-worker.ts is told. */
export interface WorkerOptions {
  store: WorkerStore;
  nodeId: string;
  leaseMs: number;
  logDirectory: string;
  /**
   * A tree for the worker to wait for: it prints `read <state>` for each read of the tree's root
   * and `finished <root state>` once `waitForTree` resolved.
   */
  waitForTree?: string;
}

/** A job engine running in a child process. */
export interface JobEngineProcess {
  child: ChildProcess;
  /** `ready`, or `refused <code>` when the engine did not start. */
  started: Promise<string>;
  /** Every complete line the process printed so far. */
  readonly lines: readonly string[];
  /** Kills the process (SIGKILL by default) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts job-engine-worker.ts in a process of its own, running the TypeScript sources. */
export function startJobEngineProcess(options: WorkerOptions): JobEngineProcess {
  const script = fileURLToPath(new URL('./job-engine-worker.ts', import.meta.url));
  const loader = fileURLToPath(new URL('./lua-text-loader.mjs', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', loader, script, JSON.stringify(options)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      // tsx maps @paasmaker/core to the sources through the root tsconfig's paths, as vitest does.
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url)),
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const started = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const complete = output.split('\n');
      output = complete.pop() as string;
      lines.push(...complete);
      if (lines.length) resolve(lines[0] as string);
    });
    child.once('exit', (code) =>
      reject(new Error(`the job engine process exited (${code}): ${[...lines, output].join('\n')}`)),
    );
  });
  return {
    child,
    started,
    lines,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
