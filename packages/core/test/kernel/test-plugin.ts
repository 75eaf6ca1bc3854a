import { type AnyPlugin, definePlugin, KERNEL_API_VERSION, type PluginKernel } from '@paasmaker/core';

/** A minimal valid plugin; pass what the test is about. */
export function testPlugin(
  name: string,
  extra: { dependencies?: string[]; setup?: (kernel: PluginKernel) => void | Promise<void> } = {},
): AnyPlugin {
  const plugin = definePlugin({
    name,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    dependencies: extra.dependencies,
    setup: (kernel) => extra.setup?.(kernel),
  });
  return plugin;
}

/** Runs `action` and returns the error it throws, failing the test if it does not throw. */
export async function errorFrom(action: () => unknown): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error, but none was thrown');
}
