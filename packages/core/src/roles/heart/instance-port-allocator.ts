import { PaasmakerError } from '../../kernel/errors';
import { isPortInUse } from '../../net/port-probe';

/**
 * Hands out instance ports from a range: never one already allocated, never one something
 * listens on. The search starts after the last port handed out and wraps, so a freed port is
 * not reused at once.
 */
export class InstancePortAllocator {
  private readonly allocated = new Set<number>();
  private last: number;

  constructor(private readonly range: { min: number; max: number }) {
    if (
      !Number.isInteger(range.min) ||
      !Number.isInteger(range.max) ||
      range.min < 1 ||
      range.max > 65535 ||
      range.min > range.max
    ) {
      throw new PaasmakerError(
        'E_CONFIG_INVALID',
        `the heart's port range ${range.min}-${range.max} is not a valid range of TCP ports.`,
      );
    }
    this.last = range.max;
  }

  /** Marks a port as taken (e.g. one recorded in the catalogue). */
  reserve(port: number): void {
    this.allocated.add(port);
  }

  /** Gives a port back. */
  release(port: number): void {
    this.allocated.delete(port);
  }

  /** Allocates a free port; fails with `E_PORT_EXHAUSTED` when every port is allocated or in use. */
  async allocate(): Promise<number> {
    const { min, max } = this.range;
    const size = max - min + 1;
    for (let step = 1; step <= size; step += 1) {
      const port = min + ((this.last - min + step) % size);
      if (this.allocated.has(port)) continue;
      // Reserved before probing, so that concurrent allocations never pick the same port.
      this.allocated.add(port);
      if (await isPortInUse(port)) {
        this.allocated.delete(port);
        continue;
      }
      this.last = port;
      return port;
    }
    throw new PaasmakerError(
      'E_PORT_EXHAUSTED',
      `no free port left in the heart's range ${min}-${max}: every port is allocated to an instance or in use.`,
    );
  }
}
