import type { Kernel, ProviderCall } from '@paasmaker/core';

/** The `{ log, signal }` a provider method takes, logging to the kernel's logger; no abort unless `signal` is given. */
export function providerCall(
  kernel: Kernel,
  signal: AbortSignal = new AbortController().signal,
): ProviderCall {
  return { log: kernel.log, signal };
}
