import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A process group started by {@link startProcessGroup}: the leader's pid and its start time, so a
 * pid the kernel has since handed to another process is not mistaken for ours.
 */
export interface ProcessRecord {
  /** Pid of the group leader; the group id is the same number. */
  pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot) when the leader was started. */
  startTime: number;
}

/** What `/proc/<pid>/stat` says about a live (or zombie) process. */
export interface ProcessStat {
  /** One-letter state: `R`, `S`, `D`, `Z` (zombie), `T`... */
  state: string;
  /** Start time in clock ticks after boot (field 22). */
  startTime: number;
  /** Process group id (field 5). */
  processGroup: number;
}

/** The file a record is kept in, inside the caller's state folder. */
export const PROCESS_RECORD_FILE = 'process.json';

/**
 * Reads `/proc/<pid>/stat`; `undefined` when no such process exists. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from its last `)`.
 */
export function readProcessStat(pid: number): ProcessStat | undefined {
  return readStatFile(`/proc/${pid}/stat`);
}

/** Reads a `stat` file of /proc: a process's, or one thread's (`/proc/<pid>/task/<tid>/stat`). */
export function readStatFile(path: string): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), fields[2] field 5 (pgrp), field 22 (starttime) is fields[19].
  const state = fields[0];
  const processGroup = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (state === undefined || !Number.isSafeInteger(startTime) || !Number.isSafeInteger(processGroup)) {
    return undefined;
  }
  return { state, startTime, processGroup };
}

/** Writes `record` to `<stateDirectory>/process.json` atomically (temp file + rename), mode 0600. */
export async function writeProcessRecord(stateDirectory: string, record: ProcessRecord): Promise<void> {
  await mkdir(stateDirectory, { recursive: true });
  const file = join(stateDirectory, PROCESS_RECORD_FILE);
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads the record {@link writeProcessRecord} left in `stateDirectory`; `undefined` when there is
 * none or it is not a record (a half-written file cannot exist: writes are atomic).
 */
export async function readProcessRecord(stateDirectory: string): Promise<ProcessRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDirectory, PROCESS_RECORD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { pid, startTime } = parsed as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(startTime) || (pid as number) <= 0) {
    return undefined;
  }
  return { pid: pid as number, startTime: startTime as number };
}

/** Removes the record from `stateDirectory`, if any. */
export async function removeProcessRecord(stateDirectory: string): Promise<void> {
  await rm(join(stateDirectory, PROCESS_RECORD_FILE), { force: true });
}
