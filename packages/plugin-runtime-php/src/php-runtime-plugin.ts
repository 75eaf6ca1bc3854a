import { definePlugin, KERNEL_API_VERSION, PaasmakerError } from '@paasmaker/core';
import { DEBIAN_APACHE_MODULES, findPhpModule, missingPhpHost } from './php-install';
import { createPhpRuntime, PHP_RUNTIME } from './php-runtime';

/**
 * Runs PHP apps (`paasmaker.runtime.php`) on Apache with mod_php. Options: `apacheBinary`
 * (default `/usr/sbin/apache2`), `modulesDirectory` (default Debian's), `phpModule` (default the
 * `libphp*.so` found there), `phpBinary` (default `php`), `workerUser`/`workerGroup` (default
 * `nobody`/`nogroup`, used when the heart runs as root) and `stopGraceMs` (default 5000).
 */
export const phpRuntimePlugin = definePlugin({
  name: PHP_RUNTIME,
  version: '0.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: {
    type: 'object',
    properties: {
      apacheBinary: { type: 'string', minLength: 1, default: '/usr/sbin/apache2' },
      modulesDirectory: { type: 'string', minLength: 1, default: DEBIAN_APACHE_MODULES },
      phpModule: { type: 'string', minLength: 1 },
      phpBinary: { type: 'string', minLength: 1, default: 'php' },
      workerUser: { type: 'string', minLength: 1, default: 'nobody' },
      workerGroup: { type: 'string', minLength: 1, default: 'nogroup' },
      stopGraceMs: { type: 'integer', minimum: 0, default: 5000 },
    },
    additionalProperties: false,
  },
  unavailable: missingPhpHost,
  setup(kernel, options) {
    // The kernel asked `unavailable` first: there is a mod_php.
    const phpModule = options.phpModule ?? findPhpModule(options.modulesDirectory);
    if (phpModule === undefined)
      throw new PaasmakerError('E_PLUGIN_OPTIONS', `${PHP_RUNTIME}: ${missingPhpHost(options)}`);
    const runtime = createPhpRuntime({
      apacheBinary: options.apacheBinary,
      modulesDirectory: options.modulesDirectory,
      phpModule,
      phpBinary: options.phpBinary,
      workerUser: { user: options.workerUser, group: options.workerGroup },
      stopGraceMs: options.stopGraceMs,
    });
    kernel.hooks.runtime.for(PHP_RUNTIME).tap(PHP_RUNTIME, () => runtime);
  },
});
