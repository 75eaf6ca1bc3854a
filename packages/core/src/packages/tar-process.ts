import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** A running GNU tar: its streams, and `finished()` to await its end. */
export interface TarProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when tar exited 0; rejects with its last stderr lines otherwise. */
  finished(): Promise<void>;
  /** Ends tar at once (a stream feeding or draining it failed). */
  kill(): void;
}

/** Starts GNU tar with `args` in the C locale, its three streams piped. */
export function startTar(args: readonly string[]): TarProcess {
  const child = spawn('tar', args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return {
    child,
    async finished() {
      const code = await exited;
      if (code !== 0) throw new Error(`tar exited with code ${code}: ${stderr.trim()}`);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
