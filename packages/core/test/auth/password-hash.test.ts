import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  DEFAULT_SCRYPT_COST,
  hashPassword,
  LoginThrottle,
  passwordNeedsRehash,
  verifyPassword,
} from '../../src/auth';
import { isPaasmakerError } from '../../src/kernel/errors';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    expect(isPaasmakerError(error)).toBe(true);
    return (error as { code?: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, stores the scrypt parameters, and never contains the password', async () => {
    const password = 'hunter2hunter2';
    const [a, b] = await Promise.all([hashPassword(password), hashPassword(password)]);
    expect(a.passwordHash).not.toBe(b.passwordHash);
    expect(a.passwordParameters.salt).not.toBe(b.passwordParameters.salt);
    expect(a.passwordParameters).toMatchObject({
      algorithm: 'scrypt',
      ...DEFAULT_SCRYPT_COST,
      keyLength: 64,
    });
    for (const stored of [a, b]) {
      const text = JSON.stringify(stored);
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(password).toString('base64'));
    }
  });

  it('checks a hash with the parameters stored beside it, so the cost can change', async () => {
    const stored = await hashPassword('s3cret-passw0rd', cheap);
    expect(stored.passwordParameters).toMatchObject(cheap);
    expect(await verifyPassword('s3cret-passw0rd', stored)).toBe(true);
    expect(passwordNeedsRehash(stored)).toBe(true);
    expect(passwordNeedsRehash(stored, cheap)).toBe(false);
  });

  it('refuses costs out of bounds and damaged stored parameters with E_AUTH_PASSWORD_PARAMETERS', async () => {
    expect(await codeOf(hashPassword('x', { N: 1000, r: 8, p: 1 }))).toBe('E_AUTH_PASSWORD_PARAMETERS');
    expect(await codeOf(hashPassword('x', { N: 2 ** 22, r: 64, p: 1 }))).toBe('E_AUTH_PASSWORD_PARAMETERS');
    const stored = await hashPassword('x', cheap);
    const damaged = (changes: object) => ({
      ...stored,
      passwordParameters: { ...stored.passwordParameters, ...changes },
    });
    for (const changes of [
      { algorithm: 'md5' },
      { salt: 42 },
      { N: 2 ** 30 },
      { r: 'eight' },
      { salt: '' },
    ]) {
      expect(await codeOf(verifyPassword('x', damaged(changes)))).toBe('E_AUTH_PASSWORD_PARAMETERS');
    }
  });

  it('compares secrets of any length in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });
});

describe('login throttle', () => {
  const throttle = (now: () => number, maxTrackedLogins = 100) =>
    new LoginThrottle({ baseDelayMs: 100, maxDelayMs: 1000, windowMs: 60_000, maxTrackedLogins, now });

  it('doubles the delay per failure up to the cap, and forgets on success', () => {
    const t = throttle(() => 0);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => t.begin('ann'))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
    expect(t.begin('bob')).toBe(0);
    t.succeeded('ann');
    expect(t.begin('ann')).toBe(0);
  });

  it('forgets failures a window after the last attempt', () => {
    let now = 0;
    const t = throttle(() => now);
    t.begin('ann');
    now = 60_000;
    expect(t.begin('ann')).toBe(100);
    now = 120_001;
    expect(t.begin('ann')).toBe(0);
  });

  it('keeps memory bounded by forgetting the least recently tried login', () => {
    const t = throttle(() => 0, 2);
    t.begin('ann');
    t.begin('bob');
    t.begin('ann');
    t.begin('cid');
    expect(t.size).toBe(2);
    expect(t.begin('bob')).toBe(0); // forgotten
    expect(t.begin('cid')).toBe(100);
  });
});
