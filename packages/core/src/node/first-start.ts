import { randomBytes } from 'node:crypto';
import { hashPassword, type ScryptCost } from '../auth/password-hash';
import type { Model } from '../model/create-model';

/** The login of the administrator created on a pacemaker's first start. */
export const FIRST_ADMIN_LOGIN = 'admin';
/** The role, with every permission held cluster-wide, given to that administrator. */
export const ADMINISTRATOR_ROLE = 'Administrator';

/** How to log in after a pacemaker's first start; shown once, never stored in clear. */
export interface FirstStart {
  readonly login: string;
  readonly password: string;
  /** The API's base URL, `http://127.0.0.1:42500`. */
  readonly url: string;
}

/**
 * On a pacemaker with no users yet, creates the `admin` user with a random password and the
 * `Administrator` role (every permission, allocated cluster-wide); returns the login, or
 * undefined when users already exist.
 */
export async function createFirstAdmin(
  model: Pick<Model, 'users' | 'roles'>,
  cost?: ScryptCost,
): Promise<{ login: string; password: string } | undefined> {
  if ((await model.users.list()).length > 0) return undefined;
  const password = randomBytes(18).toString('base64url');
  const user = await model.users.create({
    login: FIRST_ADMIN_LOGIN,
    email: 'admin@localhost',
    name: 'Administrator',
    ...(await hashPassword(password, cost)),
  });
  const existing = (await model.roles.list()).find((r) => r.name === ADMINISTRATOR_ROLE);
  const role = existing
    ? await model.roles.update(existing.id, { permissions: 'ALL' })
    : await model.roles.create({ name: ADMINISTRATOR_ROLE, permissions: 'ALL' });
  await model.roles.allocate({ userId: user.id, roleId: role.id, workspaceId: null });
  return { login: FIRST_ADMIN_LOGIN, password };
}

/** The login instructions of a first start, for a person (the CLI prints them). */
export function formatFirstStart(first: FirstStart): string {
  return [
    'This is the first start of this pacemaker: an administrator was created.',
    `  URL:      ${first.url}`,
    `  login:    ${first.login}`,
    `  password: ${first.password}`,
    `Log in with: paasmaker login --url ${first.url} --user ${first.login}`,
    'The password is shown only now; change it after logging in.',
  ].join('\n');
}
