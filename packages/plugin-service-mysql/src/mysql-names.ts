import { randomBytes } from 'node:crypto';
import { PaasmakerError } from '@paasmaker/core';

/** Names this plugin makes, and the only ones it will drop: `pm_<service>_<random>` and `pm_<random>`. */
const DATABASE_NAME = /^pm_[a-z0-9_]{1,40}_[a-z0-9]{8}$/;
const USER_NAME = /^pm_[a-z0-9]{12}$/;

function randomLowercase(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A new database name for a service: its name made safe, plus a random suffix (at most 55 characters). */
export function newDatabaseName(serviceName: string): string {
  const slug = serviceName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `pm_${slug || 'service'}_${randomLowercase(8)}`;
}

/** A new user name (12 random characters after `pm_`: within MySQL's 32-character limit). */
export function newUserName(): string {
  return `pm_${randomLowercase(12)}`;
}

/** A new password: 24 URL-safe characters, so the credentials also make a valid URL. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The database and user of credentials this plugin made; `E_SERVICE_FAILED` for anything else,
 * so that no statement is ever built from names it did not choose.
 */
export function ownedNames(credentials: Record<string, unknown>): { database: string; username: string } {
  const { database, username } = credentials;
  if (typeof database !== 'string' || !DATABASE_NAME.test(database))
    throw new PaasmakerError(
      'E_SERVICE_FAILED',
      `paasmaker.service.mysql: the service's database ${JSON.stringify(database)} was not made by this plugin.`,
    );
  if (typeof username !== 'string' || !USER_NAME.test(username))
    throw new PaasmakerError(
      'E_SERVICE_FAILED',
      `paasmaker.service.mysql: the service's user ${JSON.stringify(username)} was not made by this plugin.`,
    );
  return { database, username };
}
