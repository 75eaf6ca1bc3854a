import type { Logger } from 'pino';
import { PaasmakerError } from '../../../kernel/errors';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import { KeyedLock } from '../../../kernel/keyed-lock';
import type { InstanceState, NodeState, NodeStateChange } from '../../../kernel/providers/lifecycle-events';
import type { InstanceRepository } from '../../../model/instance-repository';
import type { ClusterNode, NodeRepository } from '../../../model/node-repository';
import { acceptsConnections } from '../../../net/port-probe';
import {
  checkNodeInput,
  NodeInputError,
  type NodeRegistration,
  type NodeReport,
  nodeRegistrationSchema,
  nodeReportSchema,
} from './node-registry-schemas';

/** The part of a kernel the registry uses (a `Kernel` or a plugin's `PluginKernel` will do). */
export interface NodeRegistryKernel {
  readonly hooks: Pick<KernelHooks, 'nodeStateChanged'>;
  readonly log?: Logger;
}

/** The part of the model the registry uses; without `instances`, reported instance states are not stored. */
export interface NodeRegistryModel {
  readonly nodes: NodeRepository;
  readonly instances?: InstanceRepository;
}

/** How to build a {@link NodeRegistry}. */
export interface NodeRegistryOptions {
  model: NodeRegistryModel;
  kernel: NodeRegistryKernel;
  /** How often nodes report, in ms; the sweep of {@link NodeRegistry.start} runs this often too. */
  reportIntervalMs: number;
  /** Silence after which an `ACTIVE` node becomes `INACTIVE`. Default: 2 × `reportIntervalMs`. */
  inactiveAfterMs?: number;
  /** Silence after which a node becomes `DOWN`. Default: 5 × `reportIntervalMs`. */
  downAfterMs?: number;
  /** Milliseconds since the epoch, like `Date.now` (the default); inject one in tests. */
  clock?: () => number;
  /**
   * Called after a report changed instance states (e.g. to route an instance that is RUNNING
   * again, or unroute one that crashed). A rejection is logged; the report still succeeds.
   */
  onInstanceStates?: (changes: ReportedInstanceChange[]) => Promise<void>;
  /** Called with what each report did (the health manager notes the instances the model does not know). */
  onReport?: (result: NodeReportResult) => void;
  /**
   * Whether a registering node answers on its `route` and `apiPort` (the pacemaker reaches its
   * job stream and instances there); a node that does not is refused with `E_NODE_UNREACHABLE`.
   * Default: no probe. A pacemaker node passes {@link probeNodeAddress}.
   */
  probe?: (route: string, apiPort: number) => Promise<boolean>;
}

/** How long {@link probeNodeAddress} waits for a TCP connection. */
const PROBE_TIMEOUT_MS = 2_000;

/** True when `route:apiPort` accepts a TCP connection within 2 s: the registry's probe on a pacemaker node. */
export function probeNodeAddress(route: string, apiPort: number): Promise<boolean> {
  return acceptsConnections(apiPort, route, PROBE_TIMEOUT_MS);
}

/** An instance whose state a node report changed. */
export interface ReportedInstanceChange {
  /** The instance's UUID. */
  instanceId: string;
  from: InstanceState;
  to: InstanceState;
}

/** A reported instance that was not stored, and why. */
export interface NodeReportWarning {
  instanceId: string;
  /**
   * `retired-instance`: the instance was recorded `DOWN` (and replaced) while its node was silent;
   * the node runs it again, and the health manager stops and removes it.
   */
  reason: 'unknown-instance' | 'retired-instance' | 'other-node' | 'no-instance-repository';
  message: string;
}

/** What {@link NodeRegistry.report} did. */
export interface NodeReportResult {
  node: ClusterNode;
  /** Instance UUIDs whose state the report changed. */
  updatedInstances: string[];
  /** Reported instances that were skipped. */
  warnings: NodeReportWarning[];
}

const MAX_PERIOD_MS = 2 ** 31 - 1;

function checkPeriod(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PERIOD_MS) {
    throw new NodeInputError(
      [{ field, message: `must be an integer number of milliseconds from 1 to ${MAX_PERIOD_MS}` }],
      'node registry options',
    );
  }
  return value;
}

function toTime(value: Date | number): number {
  return typeof value === 'number' ? value : value.getTime();
}

/**
 * The pacemaker's registry of nodes: nodes register, report every `reportIntervalMs`, and say
 * when they stop; a sweep ({@link checkNodes}, or {@link start} on a timer) marks silent nodes
 * `INACTIVE` then `DOWN`. Every state change fires `kernel.hooks.nodeStateChanged`, in order per
 * node. Operations on one node are serialised within this registry (run one registry per model).
 */
export class NodeRegistry {
  readonly reportIntervalMs: number;
  readonly inactiveAfterMs: number;
  readonly downAfterMs: number;
  private readonly nodes: NodeRepository;
  private readonly instances: InstanceRepository | undefined;
  private readonly kernel: NodeRegistryKernel;
  private readonly clock: () => number;
  private readonly onInstanceStates: NodeRegistryOptions['onInstanceStates'];
  private readonly onReport: NodeRegistryOptions['onReport'];
  private readonly probe: NodeRegistryOptions['probe'];
  /** Operations on one node (by uuid) run one at a time. */
  private readonly locks = new KeyedLock();
  private readonly stats = new Map<string, NonNullable<NodeReport['stats']>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  /** True after a sweep failed (the model unreachable), until one succeeds. */
  private modelLost = false;
  /**
   * Since when reports could be recorded: the sweep's {@link start} (a pacemaker that was down
   * heard no report meanwhile), and again when the model answered a sweep after an outage.
   * Silence before it does not count.
   */
  private listeningSince = 0;

  constructor(options: NodeRegistryOptions) {
    this.reportIntervalMs = checkPeriod('reportIntervalMs', options.reportIntervalMs);
    this.inactiveAfterMs = checkPeriod(
      'inactiveAfterMs',
      options.inactiveAfterMs ?? 2 * this.reportIntervalMs,
    );
    this.downAfterMs = checkPeriod('downAfterMs', options.downAfterMs ?? 5 * this.reportIntervalMs);
    if (this.downAfterMs <= this.inactiveAfterMs) {
      throw new NodeInputError(
        [{ field: 'downAfterMs', message: `must be greater than inactiveAfterMs (${this.inactiveAfterMs})` }],
        'node registry options',
      );
    }
    this.nodes = options.model.nodes;
    this.instances = options.model.instances;
    this.kernel = options.kernel;
    this.clock = options.clock ?? Date.now;
    this.onInstanceStates = options.onInstanceStates;
    this.onReport = options.onReport;
    this.probe = options.probe;
  }

  /**
   * Registers a node, or (with a `uuid`) re-registers it: a known node is updated and comes back
   * `ACTIVE`, an unknown UUID creates the node under it. Resolves to the node's UUID.
   * Fails with `E_NODE_INVALID` (naming the field), `E_NODE_UNREACHABLE` when the registry has a
   * `probe` and nothing answers on the node's route and API port, or `E_MODEL_CONFLICT` when
   * another node has that route and API port.
   */
  async register(input: NodeRegistration): Promise<string> {
    const registration = checkNodeInput<NodeRegistration>(nodeRegistrationSchema, input, 'node registration');
    let startedAt: Date | undefined;
    if (registration.startedAt !== undefined) {
      startedAt = new Date(registration.startedAt);
      if (Number.isNaN(startedAt.getTime())) {
        throw new NodeInputError(
          [{ field: 'startedAt', message: 'must be an ISO 8601 date and time' }],
          'node registration',
        );
      }
    }
    if (this.probe && !(await this.probe(registration.route, registration.apiPort)))
      throw new PaasmakerError(
        'E_NODE_UNREACHABLE',
        `Node ${registration.name} registered with ${registration.route}:${registration.apiPort}, but nothing accepts a connection there; give it a route this pacemaker can reach.`,
      );
    const fields = {
      name: registration.name,
      route: registration.route,
      apiPort: registration.apiPort,
      roles: { heart: false, pacemaker: false, router: false, ...registration.roles },
      runtimes: registration.runtimes,
      tags: registration.tags,
      lastHeardAt: new Date(this.clock()),
      // The model inserts undefined as NULL: leave absent fields out (score then defaults to 1).
      ...(registration.score === undefined ? {} : { score: registration.score }),
      ...(startedAt === undefined ? {} : { startedAt }),
    };
    const known = registration.uuid === undefined ? undefined : registration.uuid.toLowerCase();
    if (known === undefined) {
      const node = await this.nodes.create(fields);
      await this.fire({ nodeId: node.uuid, to: node.state });
      return node.uuid;
    }
    return this.locks.run(known, async () => {
      const existing = await this.nodes.findByUuid(known);
      if (!existing) {
        const node = await this.nodes.create({ ...fields, uuid: known });
        await this.fire({ nodeId: node.uuid, to: node.state });
        return node.uuid;
      }
      await this.nodes.update(existing.id, { ...fields, state: 'ACTIVE' });
      await this.changed(existing, 'ACTIVE');
      return existing.uuid;
    });
  }

  /**
   * Records a node's report: last heard now, its score and stats, and the state of each reported
   * instance (through the model's instances). A node that was `INACTIVE`, `DOWN` or `STOPPED` is
   * `ACTIVE` again. Instances the model does not know, that belong to another node, or that were
   * recorded `DOWN` (replaced while the node was silent) are skipped and listed in `warnings`. Fails with `E_NODE_INVALID` or `E_NODE_NOT_FOUND`.
   */
  async report(uuid: string, input: NodeReport): Promise<NodeReportResult> {
    const report = checkNodeInput<NodeReport>(nodeReportSchema, input, 'node report');
    return this.locks.run(uuid.toLowerCase(), async () => {
      const existing = await this.known(uuid);
      const node = await this.nodes.update(existing.id, {
        score: report.score,
        lastHeardAt: new Date(this.clock()),
        state: 'ACTIVE',
      });
      if (report.stats) this.stats.set(existing.uuid, report.stats);
      await this.changed(existing, 'ACTIVE');
      const updatedInstances: string[] = [];
      const changes: ReportedInstanceChange[] = [];
      const warnings: NodeReportWarning[] = [];
      for (const { instanceId, state } of report.instances) {
        if (!this.instances) {
          warnings.push({
            instanceId,
            reason: 'no-instance-repository',
            message: 'the registry has no instance repository; the state was not stored.',
          });
          continue;
        }
        const instance = await this.instances.findByUuid(instanceId);
        if (!instance) {
          warnings.push({ instanceId, reason: 'unknown-instance', message: 'no instance has this id.' });
        } else if (instance.nodeId !== existing.id) {
          warnings.push({
            instanceId,
            reason: 'other-node',
            message: 'the instance belongs to another node.',
          });
        } else if (instance.state === 'DOWN' && state !== 'DOWN') {
          warnings.push({
            instanceId,
            reason: 'retired-instance',
            message: 'the instance was recorded DOWN and replaced while its node was silent.',
          });
        } else if (instance.state !== state) {
          await this.instances.update(instance.id, { state });
          updatedInstances.push(instanceId);
          changes.push({ instanceId, from: instance.state, to: state });
        }
      }
      if (changes.length && this.onInstanceStates)
        await this.onInstanceStates(changes).catch((error: unknown) =>
          this.kernel.log?.error({ err: error, changes }, 'reacting to reported instance states failed'),
        );
      const result = { node, updatedInstances, warnings };
      this.onReport?.(result);
      return result;
    });
  }

  /** Marks a node that shut down cleanly `STOPPED` (the sweep leaves it alone); fails with `E_NODE_NOT_FOUND`. */
  async stop(uuid: string): Promise<ClusterNode> {
    return this.locks.run(uuid.toLowerCase(), async () => {
      const existing = await this.known(uuid);
      const node = await this.nodes.update(existing.id, { state: 'STOPPED' });
      await this.changed(existing, 'STOPPED');
      return node;
    });
  }

  /** Every node, optionally in one state. */
  list(filter: { state?: NodeState } = {}): Promise<ClusterNode[]> {
    return this.nodes.list(filter);
  }

  /** The node with `uuid`, or undefined. */
  get(uuid: string): Promise<ClusterNode | undefined> {
    return this.nodes.findByUuid(uuid.toLowerCase());
  }

  /** The stats of the node's last report to this registry (kept in memory, not in the model), or undefined. */
  statsOf(uuid: string): NodeReport['stats'] | undefined {
    return this.stats.get(uuid.toLowerCase());
  }

  /**
   * Marks nodes silent for `inactiveAfterMs` `INACTIVE` and for `downAfterMs` `DOWN` (as of `now`,
   * default the clock); `STOPPED` nodes are left alone. Resolves to the changes it made.
   */
  async checkNodes(now: Date | number = this.clock()): Promise<NodeStateChange[]> {
    const at = toTime(now);
    const changes: NodeStateChange[] = [];
    let nodes: ClusterNode[];
    try {
      nodes = await this.nodes.list();
    } catch (error) {
      this.modelLost = true;
      throw error;
    }
    if (this.modelLost) {
      // Reports failed while the model was down, from live nodes too: silence counts from now.
      this.modelLost = false;
      this.listeningSince = at;
      this.kernel.log?.info('model reachable again; node silence counts from now');
    }
    for (const listed of nodes) {
      if (listed.state === 'STOPPED' || listed.state === 'DOWN') continue;
      const change = await this.locks.run(listed.uuid, async () => {
        const node = await this.nodes.findByUuid(listed.uuid);
        if (!node || node.state === 'STOPPED' || node.state === 'DOWN') return undefined;
        const silence = at - Math.max((node.lastHeardAt ?? node.createdAt).getTime(), this.listeningSince);
        const to: NodeState | undefined =
          silence >= this.downAfterMs
            ? 'DOWN'
            : silence >= this.inactiveAfterMs && node.state === 'ACTIVE'
              ? 'INACTIVE'
              : undefined;
        if (!to) return undefined;
        await this.nodes.update(node.id, { state: to });
        return this.changed(node, to);
      });
      if (change) changes.push(change);
    }
    return changes;
  }

  /**
   * Runs {@link checkNodes} every `reportIntervalMs` on an unref'd timer until {@link close}. A node
   * silent since before the start gets the full window to report from then on: a pacemaker started
   * again after an outage (or for the first time on an old model) does not mark every node `DOWN`
   * at its first sweep.
   */
  start(): void {
    if (this.timer) return;
    this.listeningSince = Math.max(this.listeningSince, this.clock());
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.checkNodes()
        .catch((error: unknown) => this.kernel.log?.error({ err: error }, 'node sweep failed'))
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.reportIntervalMs);
    this.timer.unref();
  }

  /** True between {@link start} and {@link close}. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Stops the sweep timer and waits for a sweep in progress. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private async known(uuid: string): Promise<ClusterNode> {
    const node = await this.nodes.findByUuid(uuid.toLowerCase());
    if (!node) {
      throw new PaasmakerError(
        'E_NODE_NOT_FOUND',
        `no node has UUID ${JSON.stringify(uuid)}; register the node again.`,
      );
    }
    return node;
  }

  /** Fires the hook when `node` moved to `to`; resolves to the change, or undefined. */
  private async changed(node: ClusterNode, to: NodeState): Promise<NodeStateChange | undefined> {
    if (node.state === to) return undefined;
    const change: NodeStateChange = { nodeId: node.uuid, from: node.state, to };
    await this.fire(change);
    return change;
  }

  /** A failing tap is logged, never failing the node's request. */
  private async fire(change: NodeStateChange): Promise<void> {
    this.kernel.log?.info(change, 'node state changed');
    try {
      await this.kernel.hooks.nodeStateChanged.promise(change);
    } catch (error) {
      this.kernel.log?.error({ err: error, ...change }, 'a nodeStateChanged tap failed');
    }
  }
}
