import type { Logger } from 'pino';
import type { JsonObject } from '../../kernel/json-schema';
import type { AnyPlugin } from '../../kernel/plugin-entry';
import type { ProviderCall } from '../../kernel/providers/provider-call';
import type { TenantUsers } from '../../tenancy/tenant-users';

/**
 * Everything a heart needs to run one instance: what the pacemaker sends when it registers one
 * (the register job's parameters carry it, so it is a JSON object type, not an interface).
 */
export type InstanceRegistration = {
  /** The instance's UUID; also names its folders and log file. */
  instanceId: string;
  application: {
    name: string;
    workspace: string;
    workspaceStub: string;
    version: number;
    instanceType: string;
  };
  /** The runtime plugin (`paasmaker.runtime.node`), the version asked for and its parameters. */
  runtime: { name: string; version: string; parameters: JsonObject };
  /** Startup steps (`hooks.startup` providers) run in order in the app folder before each start. */
  startup: { plugin: string; parameters: JsonObject }[];
  /** Standalone instances get no port and are never routed; they count as up once their process runs. */
  standalone: boolean;
  /** How to tell the instance is up: an HTTP path answering below 500, or (no path) its port accepting TCP. */
  healthCheck: { path?: string; timeoutSeconds: number };
  /** Where the package is: its URL's scheme picks the fetcher, `packageType` the unpacker. */
  package: { url: string; checksum: string; packageType: string };
  /** Variables from the pacemaker (PM_METADATA, PM_SERVICES, config vars), given to the process. */
  environment: Record<string, string>;
};

/** States of an instance as its heart sees it (a subset of the pacemaker's instance states). */
export type HeartInstanceState = 'REGISTERED' | 'STARTING' | 'RUNNING' | 'STOPPED' | 'ERROR' | 'SUSPENDED';

/** One instance in a heart's catalogue. */
export interface HeartInstance {
  instanceId: string;
  state: HeartInstanceState;
  /** The port allocated to the instance; `null` for standalone instances. */
  port: number | null;
  registration: InstanceRegistration;
  /** File the instance's stdout and stderr are appended to (and the heart's notes about it). */
  logFile: string;
}

/** Options of {@link createHeart}. */
export interface HeartOptions {
  /** This node's name, reported as `nodeId` in instance state changes. */
  nodeName: string;
  /** Folder the heart keeps its catalogue, instance folders and logs in (`<dataFolder>/heart`). */
  dataFolder: string;
  /** Ports given to instances, inclusive. Default 42600–42699. */
  portRange?: { min: number; max: number };
  /** How often running instances are checked. Default 1 000 ms. */
  watchIntervalMs?: number;
  /** Delay before restarting an instance that exited, doubling per failure. Default 500 ms up to 30 s. */
  restartBackoffMs?: { initial: number; max: number };
  /** Stop running instances on `close()` (they restart on the next `start()`). Default false: leave them running. */
  stopInstancesOnClose?: boolean;
  /**
   * The users instances run as. Default: one system user per application when the heart runs
   * as root, else the heart's own user (single-tenant mode). Share one with the node's pacemaker.
   */
  tenants?: TenantUsers;
  logger?: Logger;
}

/**
 * A heart: runs application instances on this node. Create it with {@link createHeart}, add
 * `heart.plugin` to the kernel's plugins, then call `start()` once the kernel exists.
 */
export interface Heart {
  /** Add to the kernel's plugins: registers the heart's job types and captures the kernel. */
  readonly plugin: AnyPlugin;
  /** Loads the catalogue, re-adopts instances that still run, restarts those that do not, starts the watcher. */
  start(): Promise<void>;
  /** Allocates a port, fetches and unpacks the package; the instance ends `REGISTERED`. Nothing is left behind on failure. */
  register(registration: InstanceRegistration, call: ProviderCall): Promise<HeartInstance>;
  /**
   * Runs the startup steps, starts the instance through its runtime and waits until it answers
   * (`RUNNING`). An `environment` replaces the pacemaker's variables the instance was registered
   * with, for this start and every restart after it.
   */
  startInstance(
    instanceId: string,
    call: ProviderCall,
    options?: { environment?: Record<string, string> },
  ): Promise<HeartInstance>;
  /** Stops the instance through its runtime (`STOPPED`). */
  stopInstance(instanceId: string, call: ProviderCall): Promise<HeartInstance>;
  /**
   * Removes a stopped instance: its folders, log, catalogue entry and port. Refused while it
   * runs; an instance not in the catalogue is already removed (resolves, logging a warning).
   */
  deregister(instanceId: string, call: ProviderCall): Promise<void>;
  /** Every instance in the catalogue. */
  instances(): HeartInstance[];
  /** One instance, or `undefined` if the catalogue does not hold it. */
  instance(instanceId: string): HeartInstance | undefined;
  /** Calls `listener` after every state change (including crashes and restarts); returns an unsubscribe function. */
  onChange(listener: (instance: HeartInstance) => void): () => void;
  /** Stops the watcher, stops instances if `stopInstancesOnClose`, saves the catalogue. */
  close(): Promise<void>;
}
