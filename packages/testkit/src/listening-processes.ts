import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * The processes with a socket listening on TCP `port` (any address), lowest pid first; empty when
 * nothing listens. Read from `/proc` (Linux): the sockets of processes of other users are seen only
 * by root.
 */
export async function listeningProcesses(port: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || fields[3] !== '0A' || fields[9] === undefined) continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port)
        inodes.add(`socket:[${fields[9]}]`);
    }
  }
  if (inodes.size === 0) return [];
  const owners: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const descriptors = await readdir(`/proc/${entry}/fd`).catch(() => []);
    for (const descriptor of descriptors) {
      const target = await readlink(`/proc/${entry}/fd/${descriptor}`).catch(() => '');
      if (inodes.has(target)) {
        owners.push(Number(entry));
        break;
      }
    }
  }
  return owners.sort((a, b) => a - b);
}

/** The environment process `pid` was started with, from `/proc/<pid>/environ`. */
export async function processEnvironment(pid: number): Promise<Record<string, string>> {
  const text = await readFile(`/proc/${pid}/environ`, 'utf8');
  const environment: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) environment[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return environment;
}
