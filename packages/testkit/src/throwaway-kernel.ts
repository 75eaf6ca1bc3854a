import { createKernel, type Kernel, type KernelOptions, type PluginEntry } from '@paasmaker/core';
import { onTestFinished } from 'vitest';

/**
 * A kernel with `plugins` set up, closed when the current test finishes. Call it inside a test
 * or a `beforeEach`; `options` are the rest of {@link KernelOptions} (a `dataFolder`, a logger).
 */
export async function throwawayKernel(
  plugins: readonly PluginEntry[],
  options: Omit<KernelOptions, 'plugins'> = {},
): Promise<Kernel> {
  const kernel = await createKernel({ ...options, plugins });
  onTestFinished(() => kernel.close());
  return kernel;
}
