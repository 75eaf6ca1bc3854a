import { readdir } from 'node:fs/promises';
import { readProcessStat } from '@paasmaker/core';

/** The process group `pid` belongs to; `undefined` when no such process runs. */
export function processGroupOf(pid: number): number | undefined {
  return readProcessStat(pid)?.processGroup;
}

/** The live (not zombie) processes of process group `group`, lowest pid first. */
export async function processGroupMembers(group: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(Number(entry));
    if (stat?.processGroup === group && stat.state !== 'Z') members.push(Number(entry));
  }
  return members.sort((a, b) => a - b);
}
