import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const FILE = 'node-uuid';

/** The UUID the pacemaker gave this node before, kept in its data folder; undefined on a first start. */
export async function readNodeUuid(dataFolder: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path.join(dataFolder, FILE), 'utf8')).trim();
    return /^[0-9a-f-]{36}$/i.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the node's UUID for its next start (written atomically, 0600). */
export async function writeNodeUuid(dataFolder: string, uuid: string): Promise<void> {
  const file = path.join(dataFolder, FILE);
  await writeFile(`${file}.tmp`, `${uuid}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
