import { readdir } from 'node:fs/promises';
import { processEnvironment } from './listening-processes';

/**
 * The live processes started with the environment variable `name` set to `value`, lowest pid
 * first: every process of an instance given a unique marker variable, whatever its process
 * group. Processes of other users are seen only by root.
 */
export async function processesWithVariable(name: string, value: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environment = await processEnvironment(Number(entry)).catch(() => undefined);
    if (environment?.[name] === value) found.push(Number(entry));
  }
  return found.sort((a, b) => a - b);
}
