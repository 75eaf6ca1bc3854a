import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { NodeConfigError } from '../../src/node';

export const SUPER_TOKEN = 'super-token-0123456789abcdef0123456789';
export const NODE_TOKEN = 'node-token-0123456789abcdef0123456789ab';
/** A cheap scrypt cost, for tests only. */
export const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
export const silent = pino({ enabled: false });

/** A temporary folder; `write` puts a config file in it with mode 0600. */
export async function tempFolder(): Promise<{
  folder: string;
  write(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}> {
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-node-'));
  // Tenant users pass through it to their own folders in the data folder.
  await chmod(folder, 0o711);
  return {
    folder,
    async write(name, text) {
      const file = path.join(folder, name);
      await writeFile(file, text, { mode: 0o600 });
      return file;
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/** The problems of a config that must fail, as `line key: message` lines. */
export function problemsOf(run: () => unknown): NodeConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof NodeConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}
