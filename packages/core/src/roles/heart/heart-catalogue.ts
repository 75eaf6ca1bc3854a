import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { HeartInstanceState, InstanceRegistration } from './heart-types';

/** One instance as the catalogue file stores it. */
export interface CatalogueEntry {
  instanceId: string;
  state: HeartInstanceState;
  port: number | null;
  registration: InstanceRegistration;
}

interface CatalogueFile {
  format: 1;
  instances: CatalogueEntry[];
}

/**
 * The heart's catalogue on disk: a JSON file rewritten atomically (temp file, fsync, rename,
 * mode 0600) so that a heart killed at any moment finds either the old or the new catalogue.
 */
export class HeartCatalogue {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The entries on disk; none if the file does not exist yet. */
  async load(): Promise<CatalogueEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = JSON.parse(text) as CatalogueFile;
    return parsed.instances;
  }

  /** Writes `entries`; writes are serialised, each one complete before the next begins. */
  save(entries: CatalogueEntry[]): Promise<void> {
    const text = `${JSON.stringify({ format: 1, instances: entries } satisfies CatalogueFile, null, 2)}\n`;
    const next = this.writing.then(() => this.write(text));
    this.writing = next.catch(() => {});
    return next;
  }

  private async write(text: string): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${randomUUID()}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename itself is durable only once the folder is synced.
    const folder = await open(path.dirname(this.file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
