import path from 'node:path';
import { definePlugin, KERNEL_API_VERSION, PaasmakerError } from '@paasmaker/core';
import { createGitScmProvider } from './git-scm-provider';
import { gitScmOptionsSchema } from './git-scm-schemas';

/** The name of the plugin and of the SCM provider it registers. */
export const GIT_SCM_NAME = 'paasmaker.scm.git';

/**
 * The `paasmaker.scm.git` plugin: registers the git SCM provider on `hooks.scm` under the same
 * name. Options: `cacheDirectory` (default `<dataFolder>/git-cache` in a node; required in a
 * kernel without a data folder), `gitBinary` (default `git`), `timeoutSeconds` (default 300).
 */
export const gitScmPlugin = definePlugin({
  name: GIT_SCM_NAME,
  version: '0.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: gitScmOptionsSchema,
  setup(kernel, options) {
    const cacheDirectory =
      options.cacheDirectory ?? (kernel.dataFolder && path.join(kernel.dataFolder, 'git-cache'));
    if (!cacheDirectory)
      throw new PaasmakerError(
        'E_PLUGIN_OPTIONS',
        `${GIT_SCM_NAME}: /cacheDirectory is required in a kernel without a data folder; set it to the folder for the mirrors.`,
      );
    const provider = createGitScmProvider({ ...options, cacheDirectory });
    kernel.hooks.scm.for(GIT_SCM_NAME).tap(GIT_SCM_NAME, () => provider);
  },
});
