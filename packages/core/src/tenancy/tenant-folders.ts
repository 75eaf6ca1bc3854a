import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PaasmakerError } from '../kernel/errors';
import type { Tenant } from './tenant';

const run = promisify(execFile);

/**
 * Makes `folder` and everything in it the tenant's (GNU `chown -R -h`: links themselves, never
 * what they point to). Done before any of the tenant's processes runs in the folder.
 */
export async function giveToTenant(folder: string, tenant: Tenant): Promise<void> {
  await chownTree(folder, `${tenant.uid}:${tenant.gid}`);
}

/**
 * Makes `folder` the node's again and takes write access from everyone else, so no process the
 * tenant left behind can change what the node reads next (packing a prepared folder).
 */
export async function takeFromTenant(folder: string): Promise<void> {
  await chownTree(folder, `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`);
  await run('chmod', ['-R', 'go-w', '--', folder]);
}

async function chownTree(folder: string, owner: string): Promise<void> {
  try {
    await run('chown', ['-R', '-h', '--', owner, folder]);
  } catch (error) {
    throw new PaasmakerError(
      'E_TENANT_USER',
      `cannot change the owner of ${folder} to ${owner}: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`,
      { cause: error },
    );
  }
}

/**
 * Locks a node's data folder for per-application users. Tenant processes must pass through it
 * to their own folders (`passable`, relative paths such as `heart/instances`), and must reach
 * nothing else: every folder on the way to a passable one becomes 0711 (others may pass, never
 * list), and everything else beside them loses every permission for group and others. The
 * passable folders and `private` ones (made 0700) are created when missing, so a folder made
 * later with a looser mode cannot be found at a well-known name. Fails with `E_TENANT_USER`
 * when a folder above the data folder does not let others pass: tenant processes could not
 * reach their own folders.
 */
export async function lockDataFolder(
  dataFolder: string,
  layout: { passable: readonly string[]; private: readonly string[] },
): Promise<void> {
  const root = path.resolve(dataFolder);
  await assertAncestorsPassable(root);
  for (const folder of layout.private) await mkdir(path.join(root, folder), { recursive: true, mode: 0o700 });
  for (const folder of layout.passable)
    await mkdir(path.join(root, folder), { recursive: true, mode: 0o711 });
  await lockLevel(root, '', layout.passable);
}

async function lockLevel(root: string, relative: string, passable: readonly string[]): Promise<void> {
  const folder = path.join(root, relative);
  await chmod(folder, 0o711);
  const below = new Map<string, string[]>();
  for (const entry of passable) {
    const [first, ...rest] = entry.split('/');
    if (first === undefined) continue;
    below.set(first, [...(below.get(first) ?? []), ...(rest.length > 0 ? [rest.join('/')] : [])]);
  }
  for (const name of await readdir(folder)) {
    const next = below.get(name);
    if (next !== undefined && next.length === 0) {
      // A passable leaf: what is inside belongs to tenants (their instance folders, homes).
      await chmod(path.join(folder, name), 0o711);
      continue;
    }
    if (next !== undefined) {
      await lockLevel(root, path.join(relative, name), next);
      continue;
    }
    const entry = path.join(folder, name);
    const { mode } = await lstat(entry);
    if ((mode & 0o077) !== 0 && !isSymbolicLink(mode)) await chmod(entry, mode & 0o700);
  }
}

async function assertAncestorsPassable(root: string): Promise<void> {
  for (let folder = path.dirname(root); ; folder = path.dirname(folder)) {
    const { mode } = await stat(folder);
    if ((mode & 0o001) === 0)
      throw new PaasmakerError(
        'E_TENANT_USER',
        `the folder ${folder} above the data folder ${root} does not let other users pass (mode ${(mode & 0o777).toString(8)}), so tenant processes could not reach their own folders: chmod o+x ${folder}, or choose a data folder elsewhere.`,
      );
    if (folder === path.dirname(folder)) return;
  }
}

function isSymbolicLink(mode: number): boolean {
  return (mode & 0o170000) === 0o120000;
}

/**
 * The folders of a node's data folder as {@link lockDataFolder} treats them: tenant processes
 * pass through `passable` ones to their own folders inside; `private` ones are the node's alone.
 */
export const DATA_FOLDER_LAYOUT = {
  passable: ['heart', 'heart/instances', 'work', 'tenants'],
  private: ['heart/logs', 'heart/downloads', 'job-logs', 'packages', 'uploads'],
} as const;
