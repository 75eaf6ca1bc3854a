import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import type { JobStore } from './job-store';

/**
 * Who holds a lease: this process. Every engine of one process shares it, so several engines
 * may serve one node id here (and a restart in the same process proceeds), while another
 * process is refused until the lease lapses.
 */
const processHolder = `${hostname()}:${process.pid}:${randomUUID()}`;

/** How a node holds its lease. */
export interface JobNodeLeaseOptions {
  store: JobStore;
  nodeId: string;
  /** How long a lease lasts without renewal; renewed every third of it. */
  leaseMs: number;
  log: Logger;
  /** Another process took the node over (this one stalled past its lease): stop its jobs. */
  onLost(holder: string): void;
}

/**
 * A node's lease on its RUNNING jobs (like BullMQ's lock renewal or Nomad's node heartbeat
 * TTL): taken at start, renewed every `leaseMs / 3` with one store call per node whatever the
 * number of jobs, given up at close. Each renewal also fails the jobs of every node whose lease
 * lapsed (a process killed or stalled), so any live engine ends what a dead one left RUNNING.
 */
export class JobNodeLease {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private renewing: Promise<void> = Promise.resolve();
  /** True after a renewal failed, until the store answers again. */
  private storeLost = false;
  /** Other nodes' leases are judged from then on (0: at once). */
  private judgeOthersFrom = 0;

  constructor(private readonly options: JobNodeLeaseOptions) {}

  /** Takes the lease; `E_JOB_NODE_IN_USE` while another live process holds it. */
  async acquire(): Promise<void> {
    const { store, nodeId, leaseMs } = this.options;
    const now = Date.now();
    let lease = await store.leaseNode(nodeId, processHolder, now + leaseMs, now);
    if (!lease.held && holderIsGone(lease.holder)) {
      // A process of this machine that died (killed, crashed) holds it: restarting at once must
      // not wait for its lease to lapse. Asking as of its expiry lets the store hand it over.
      this.options.log.warn({ holder: lease.holder }, 'taking over the lease of a process that is gone');
      lease = await store.leaseNode(nodeId, processHolder, now + leaseMs, lease.expiresAt + 1);
    }
    if (!lease.held) {
      throw new PaasmakerError(
        'E_JOB_NODE_IN_USE',
        `node id ${JSON.stringify(nodeId)} is in use by another live process (${lease.holder}), whose lease ` +
          `on the job store at ${store.address} runs until ${new Date(lease.expiresAt).toISOString()}; ` +
          'stop that process or give this one another node id.',
      );
    }
  }

  /** Renews every `leaseMs / 3` (and fails lapsed nodes) until {@link JobNodeLease.release}. */
  start(): void {
    this.schedule();
  }

  /** Stops renewing and gives the lease up, so that a restart elsewhere need not wait for it to lapse. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.renewing;
    try {
      await this.options.store.releaseNode(this.options.nodeId, processHolder);
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not give up the node lease; it lapses by itself');
    }
  }

  /** Fails the jobs of nodes whose lease lapsed (also run once at start). */
  async failLapsedNodes(): Promise<void> {
    const { nodeIds, treeIds } = await this.options.store.failLapsedNodes(Date.now());
    if (nodeIds.length)
      this.options.log.warn({ nodes: nodeIds, trees: treeIds }, 'failed the running jobs of lost nodes');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.renewing = this.renew().finally(() => this.schedule());
    }, this.options.leaseMs / 3);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const { store, nodeId, leaseMs, log } = this.options;
    try {
      const now = Date.now();
      const lease = await store.leaseNode(nodeId, processHolder, now + leaseMs, now);
      if (!lease.held) {
        log.error({ holder: lease.holder }, 'another process took this node over: its lease had lapsed');
        this.stopped = true;
        this.options.onLost(lease.holder);
      }
      if (this.storeLost) {
        // Every node's lease lapsed while the store was down, not only a dead node's: the live
        // ones renew theirs once they reconnect, so they get a full lease to do it before any of
        // their running jobs is failed as lost.
        this.storeLost = false;
        this.judgeOthersFrom = Date.now() + leaseMs;
        log.info({ leaseMs }, 'job store reachable again; other nodes get one lease to renew theirs');
      }
      if (Date.now() >= this.judgeOthersFrom) await this.failLapsedNodes();
    } catch (error) {
      this.storeLost = true;
      log.warn({ err: error }, 'could not renew the node lease; will retry');
    }
  }
}

/** True when `holder` names a process of this machine that no longer runs. */
function holderIsGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
