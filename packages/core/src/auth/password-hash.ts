import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { PaasmakerError } from '../kernel/errors';
import type { JsonObject } from '../kernel/json-schema';

/** scrypt's cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * The cost new passwords are hashed with: about 32 MiB and tens of milliseconds per hash
 * (OWASP's scrypt recommendation is N=2^17, r=8, p=1 at 128 MiB; this is the lighter end).
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

/** A password as a user record stores it: the fields `UserInput` takes. */
export interface StoredPassword {
  /** The derived key, base64. */
  readonly passwordHash: string;
  /** `{ algorithm: 'scrypt', N, r, p, keyLength, salt }`: everything needed to check it again. */
  readonly passwordParameters: JsonObject;
}

interface ScryptParameters extends ScryptCost {
  readonly keyLength: number;
  readonly salt: Buffer;
}

const KEY_LENGTH = 64;
const SALT_BYTES = 16;
// Parameters are read back from the database: bound them so a bad row cannot exhaust memory or CPU.
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

function checkedParameters(value: Partial<Record<'N' | 'r' | 'p' | 'keyLength', unknown>>, salt: Buffer) {
  const { N, r, p, keyLength } = value;
  const integer = (x: unknown, min: number, max: number): x is number =>
    Number.isInteger(x) && (x as number) >= min && (x as number) <= max;
  if (
    !integer(N, 2, 2 ** 24) ||
    (N & (N - 1)) !== 0 ||
    !integer(r, 1, 64) ||
    !integer(p, 1, 16) ||
    !integer(keyLength, 16, 256) ||
    salt.length < 8 ||
    128 * N * r > MAX_MEMORY_BYTES
  ) {
    throw new PaasmakerError(
      'E_AUTH_PASSWORD_PARAMETERS',
      `scrypt parameters out of bounds (N=${String(N)}, r=${String(r)}, p=${String(p)}, keyLength=${String(keyLength)}, salt ${salt.length} bytes): N must be a power of two, r 1-64, p 1-16, keyLength 16-256, salt at least 8 bytes, 128·N·r at most 256 MiB`,
    );
  }
  return { N, r, p, keyLength, salt } satisfies ScryptParameters;
}

function derive(password: string, parameters: ScryptParameters): Promise<Buffer> {
  const { N, r, p, keyLength, salt } = parameters;
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password with scrypt and a new random 128-bit salt. Store both fields on the user
 * (`users.create({ ...fields, ...(await hashPassword(password)) })`); the parameters travel with
 * the hash, so the cost can be raised later without breaking existing passwords.
 * Fails with `E_AUTH_PASSWORD_PARAMETERS` for a cost out of bounds.
 */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<StoredPassword> {
  const parameters = checkedParameters({ ...cost, keyLength: KEY_LENGTH }, randomBytes(SALT_BYTES));
  const key = await derive(password, parameters);
  return {
    passwordHash: key.toString('base64'),
    passwordParameters: {
      algorithm: 'scrypt',
      N: parameters.N,
      r: parameters.r,
      p: parameters.p,
      keyLength: parameters.keyLength,
      salt: parameters.salt.toString('base64'),
    },
  };
}

function storedParameters(stored: StoredPassword): ScryptParameters {
  const { algorithm, salt, ...rest } = stored.passwordParameters;
  if (algorithm !== 'scrypt' || typeof salt !== 'string') {
    throw new PaasmakerError(
      'E_AUTH_PASSWORD_PARAMETERS',
      `stored password parameters are not scrypt parameters with a salt (algorithm ${JSON.stringify(algorithm)})`,
    );
  }
  return checkedParameters(rest, Buffer.from(salt, 'base64'));
}

/**
 * True when `password` is the one `stored` was made from. The keys are compared with
 * `timingSafeEqual`. Fails with `E_AUTH_PASSWORD_PARAMETERS` when the stored parameters are not
 * scrypt's or out of bounds (a damaged or foreign record), rather than answering false for it.
 */
export async function verifyPassword(password: string, stored: StoredPassword): Promise<boolean> {
  const parameters = storedParameters(stored);
  const expected = Buffer.from(stored.passwordHash, 'base64');
  const actual = await derive(password, parameters);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** True when `stored` was hashed with another cost than `cost`: hash the password again at the next login. */
export function passwordNeedsRehash(stored: StoredPassword, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const { N, r, p } = storedParameters(stored);
  return N !== cost.N || r !== cost.r || p !== cost.p;
}
