// @ts-check
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a server writes its log: the runner shows the tail of this file when a start fails.
 * @param {string} dataDir
 */
export function serverLogPath(dataDir) {
  return join(dataDir, 'server.log');
}

/**
 * @param {string} file
 * @param {number} [lineCount]
 * @returns {Promise<string[]>} the last lines, or none when there is no log yet
 */
export async function readLogTail(file, lineCount = 15) {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').filter(Boolean).slice(-lineCount);
  } catch {
    return [];
  }
}
