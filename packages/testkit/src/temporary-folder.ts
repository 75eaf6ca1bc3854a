import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * A new empty folder under the system's temporary folder, removed with all it holds when the
 * current test finishes. Mode 0711, as a heart's instance folder: other users (a web server's
 * workers, an application's own user) may pass through it to what they are given.
 */
export async function temporaryFolder(prefix = 'paasmaker-testkit-'): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  await chmod(folder, 0o711);
  onTestFinished(() => rm(folder, { recursive: true, force: true }));
  return folder;
}
