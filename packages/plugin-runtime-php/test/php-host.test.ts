import { createKernel, isPaasmakerError } from '@paasmaker/core';
import { apacheSettings } from '@paasmaker/test-servers';
import { describe, expect, it } from 'vitest';
import phpRuntimePlugin, { missingPhpHost } from '../src/index';

describe('missingPhpHost: can this machine run PHP apps', () => {
  it('finds Apache and mod_php where they are installed', () => {
    const { bin, modulesDir } = apacheSettings();
    expect(missingPhpHost({ apacheBinary: bin, modulesDirectory: modulesDir })).toBeUndefined();
  });

  it('says what is missing and how to get it; the kernel refuses the plugin with that', async () => {
    const { bin, modulesDir } = apacheSettings();
    expect(missingPhpHost({ apacheBinary: '/no/apache2', modulesDirectory: modulesDir })).toBe(
      'no Apache at /no/apache2; install apache2 and libapache2-mod-php, or set apacheBinary.',
    );
    expect(missingPhpHost({ apacheBinary: bin, modulesDirectory: '/no/modules' })).toMatch(
      /^no mod_php \(libphp\*\.so\) in \/no\/modules; install apache2 and libapache2-mod-php, or set phpModule\.$/,
    );
    const refused = await createKernel({
      plugins: [{ plugin: phpRuntimePlugin, options: { apacheBinary: '/no/apache2' } }],
    }).catch((error: unknown) => error);
    expect(isPaasmakerError(refused) && refused.code).toBe('E_PLUGIN_OPTIONS');
    expect((refused as Error).message).toMatch(/^paasmaker\.runtime\.php: no Apache at \/no\/apache2; /);
  });
});
