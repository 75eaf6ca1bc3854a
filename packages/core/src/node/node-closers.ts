import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';

/** Something a node started and must stop again. */
export interface Closer {
  name: string;
  close: () => Promise<void>;
}

/** Closes in reverse order of starting, every one even if some fail; then `E_NODE_START` listing the failures. */
export async function closeAll(closers: Closer[], logger: Logger): Promise<void> {
  const failures: unknown[] = [];
  for (const closer of [...closers].reverse()) {
    try {
      await closer.close();
    } catch (error) {
      logger.error({ err: error }, `closing ${closer.name} failed`);
      failures.push(error);
    }
  }
  closers.length = 0;
  if (failures.length)
    throw new PaasmakerError('E_NODE_START', `Stopping the node failed: ${failures.map(String).join('; ')}`, {
      cause: new AggregateError(failures),
    });
}
