import { readFile } from 'node:fs/promises';
import { errorCatalogue, isPaasmakerError, PaasmakerError } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';

describe('error catalogue', () => {
  it('documents every code in docs/errors.md, and nothing else', async () => {
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\|\s*`(E_[A-Z_]+)`\s*\|/gm)].map((m) => [m[1]]);
    expect(Object.fromEntries(documented.map(([code]) => [code, true]))).toEqual(
      Object.fromEntries(Object.keys(errorCatalogue).map((code) => [code, true])),
    );
  });

  it('carries a code and a cause, and is recognisable', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new PaasmakerError('E_PLUGIN_SETUP', 'acme.x: setup failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PaasmakerError');
    expect(error.cause).toBe(cause);
    expect(isPaasmakerError(error)).toBe(true);
    expect(isPaasmakerError(error, 'E_PLUGIN_SETUP')).toBe(true);
    expect(isPaasmakerError(error, 'E_PLUGIN_OPTIONS')).toBe(false);
    expect(isPaasmakerError(cause)).toBe(false);
  });
});
