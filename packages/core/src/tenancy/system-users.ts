import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PaasmakerError } from '../kernel/errors';

const run = promisify(execFile);

/** A user of this machine, as `getent passwd` tells it. */
export interface SystemUser {
  user: string;
  uid: number;
  gid: number;
  home: string;
}

/** useradd's exit code when /etc/passwd is locked by another useradd; 9: the name is taken. */
const PASSWD_LOCKED = 10;
const NAME_TAKEN = 9;
const LOCK_RETRIES = 50;

/** Looks `user` up; `undefined` when the machine has no such user. */
export async function findSystemUser(user: string): Promise<SystemUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', user]);
    const [name, , uid, gid, , home] = stdout.trim().split(':');
    if (name !== user || uid === undefined || gid === undefined) return undefined;
    return { user, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  } catch (error) {
    // getent exits 2 for an unknown key.
    if ((error as { code?: unknown }).code === 2) return undefined;
    throw failure(`cannot look up the user ${user}`, error);
  }
}

/**
 * Creates a system user with a group of its own, no login shell and `home` as its home folder
 * (not created), or returns the one that exists. Retries while another useradd holds the lock.
 */
export async function ensureSystemUser(user: string, home: string, comment: string): Promise<SystemUser> {
  for (let attempt = 0; ; attempt++) {
    const existing = await findSystemUser(user);
    if (existing) return existing;
    try {
      await run('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        home,
        '--shell',
        '/usr/sbin/nologin',
        '--comment',
        comment,
        user,
      ]);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === NAME_TAKEN) continue;
      if (code === PASSWD_LOCKED && attempt < LOCK_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
        continue;
      }
      throw failure(`cannot create the system user ${user} (useradd)`, error);
    }
  }
}

/** Removes a user made by {@link ensureSystemUser} and its group; a missing user is fine. */
export async function removeSystemUser(user: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run('userdel', [user]);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 6: no such user.
      if (code === 6) return;
      if (code === PASSWD_LOCKED && attempt < LOCK_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
        continue;
      }
      throw failure(`cannot remove the system user ${user} (userdel)`, error);
    }
  }
}

function failure(what: string, error: unknown): PaasmakerError {
  const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
  return new PaasmakerError(
    'E_TENANT_USER',
    `${what}: ${stderr || (error as Error).message}. Tenant isolation needs root and the shadow tools (useradd).`,
    { cause: error },
  );
}
