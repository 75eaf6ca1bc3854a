// @ts-check
import { findExecutable, requireExecutable } from '../executables.mjs';

/**
 * Debian's Chromium, for the web console's browser tests (playwright-core drives it; Playwright's
 * own browser download is not used). Nothing runs until a test launches it: "starting" it only
 * hands the tests its path.
 * @type {import('../server-definition.mjs').ServerDefinition}
 */
export const chromium = {
  name: 'chromium',
  debianPackages: ['chromium'],
  isInstalled: () => findExecutable('chromium') !== undefined,
  async start() {
    return {
      env: { PAASMAKER_TEST_CHROMIUM_BIN: requireExecutable('chromium') },
      stop: async () => undefined,
    };
  },
};
