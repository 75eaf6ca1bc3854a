import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable';
import { ProviderHookMap } from './provider-hook-map';
import type { AuthCredentials, AuthDecision } from './providers/auth';
import type { CommandProvider } from './providers/command-provider';
import type { HealthCheckProvider } from './providers/health-check-provider';
import type { InstanceEnvironment, InstanceEnvironmentContext } from './providers/instance-environment';
import type { JobTypeProvider } from './providers/job-type-provider';
import type { InstanceStateChange, JobStateChange, NodeStateChange } from './providers/lifecycle-events';
import type { PacemakerHttp } from './providers/pacemaker-http';
import type {
  FetcherProvider,
  PackerProvider,
  StorerProvider,
  UnpackerProvider,
} from './providers/package-pipeline-providers';
import type { PlacementProvider } from './providers/placement-provider';
import type { RuntimeProvider } from './providers/runtime-provider';
import type { ScmProvider } from './providers/scm-provider';
import type { ServiceProvider } from './providers/service-provider';

/** Every extension point of a kernel, in one place. Plugins tap these in `setup`. */
export interface KernelHooks {
  /** Runtimes by name (`paasmaker.runtime.node`); the heart looks one up per instance type. */
  readonly runtime: ProviderHookMap<RuntimeProvider>;
  /** Services by name (`paasmaker.service.mysql`); used when a manifest's service is created or removed. */
  readonly service: ProviderHookMap<ServiceProvider>;
  /** Source control by name (`paasmaker.scm.git`); used by the create-version job tree. */
  readonly scm: ProviderHookMap<ScmProvider>;
  /** Prepare steps by name (`paasmaker.prepare.shell`); run on the working copy before packing. */
  readonly prepare: ProviderHookMap<CommandProvider>;
  /** Startup steps by name (`paasmaker.startup.shell`); run on a heart before an instance starts. */
  readonly startup: ProviderHookMap<CommandProvider>;
  /** Placement policies by name (`paasmaker.placement.default`); pick nodes for new instances. */
  readonly placement: ProviderHookMap<PlacementProvider>;
  /** Health checks by name; run by the pacemaker's health manager on its schedule. */
  readonly healthCheck: ProviderHookMap<HealthCheckProvider>;
  /** Job handlers by job type; the job engine looks one up for every job it runs. */
  readonly jobType: ProviderHookMap<JobTypeProvider>;
  /** Packers by name (`default`); turn a prepared working copy into a package. */
  readonly packer: ProviderHookMap<PackerProvider>;
  /** Storers by name (`default`); keep packages where hearts can fetch them. */
  readonly storer: ProviderHookMap<StorerProvider>;
  /** Fetchers by URL scheme (`paasmaker`); bring a stored package to a heart. */
  readonly fetcher: ProviderHookMap<FetcherProvider>;
  /** Unpackers by package type (`tarball`); unpack a package into an instance folder. */
  readonly unpacker: ProviderHookMap<UnpackerProvider>;

  /**
   * Fires for every credential presented to the API. Taps run in order (`stage`/`before`);
   * the first that returns a decision wins. Return `undefined` to let the next tap try.
   */
  readonly auth: AsyncSeriesBailHook<[AuthCredentials], AuthDecision | undefined>;
  /**
   * Fires when a heart builds the environment of an instance it is about to start. Each tap
   * receives the previous tap's environment and returns the next (add, change or remove keys).
   */
  readonly instanceEnvironment: AsyncSeriesWaterfallHook<[InstanceEnvironment, InstanceEnvironmentContext]>;
  /** Fires after a job's state changed. Taps run in parallel; their results are ignored. */
  readonly jobStateChanged: AsyncParallelHook<[JobStateChange]>;
  /** Fires after an instance's state changed. Taps run in parallel; their results are ignored. */
  readonly instanceStateChanged: AsyncParallelHook<[InstanceStateChange]>;
  /** Fires after a node registered or changed state. Taps run in parallel; results are ignored. */
  readonly nodeStateChanged: AsyncParallelHook<[NodeStateChange]>;
  /**
   * Fires once on the pacemaker, after the API's routes are added and before its HTTP server
   * listens: taps add pages or static files outside the API prefix (the web console does).
   */
  readonly pacemakerHttp: AsyncSeriesHook<[PacemakerHttp]>;
}

/** The names of the hooks that hold providers, e.g. `'runtime'`. */
export type ProviderKind = {
  [K in keyof KernelHooks]: KernelHooks[K] extends ProviderHookMap<infer _P> ? K : never;
}[keyof KernelHooks];

/** The provider interface registered under a provider kind, e.g. `RuntimeProvider` for `'runtime'`. */
export type ProviderOf<K extends ProviderKind> = KernelHooks[K] extends ProviderHookMap<infer P> ? P : never;

/** Creates a fresh, frozen set of hooks for one kernel. */
export function createKernelHooks(): KernelHooks {
  return Object.freeze({
    runtime: new ProviderHookMap<RuntimeProvider>('runtime'),
    service: new ProviderHookMap<ServiceProvider>('service'),
    scm: new ProviderHookMap<ScmProvider>('scm'),
    prepare: new ProviderHookMap<CommandProvider>('prepare'),
    startup: new ProviderHookMap<CommandProvider>('startup'),
    placement: new ProviderHookMap<PlacementProvider>('placement'),
    healthCheck: new ProviderHookMap<HealthCheckProvider>('healthCheck'),
    jobType: new ProviderHookMap<JobTypeProvider>('jobType'),
    packer: new ProviderHookMap<PackerProvider>('packer'),
    storer: new ProviderHookMap<StorerProvider>('storer'),
    fetcher: new ProviderHookMap<FetcherProvider>('fetcher'),
    unpacker: new ProviderHookMap<UnpackerProvider>('unpacker'),
    auth: new AsyncSeriesBailHook<[AuthCredentials], AuthDecision | undefined>(['credentials'], 'auth'),
    instanceEnvironment: new AsyncSeriesWaterfallHook<[InstanceEnvironment, InstanceEnvironmentContext]>(
      ['environment', 'instance'],
      'instanceEnvironment',
    ),
    jobStateChanged: new AsyncParallelHook<[JobStateChange]>(['change'], 'jobStateChanged'),
    instanceStateChanged: new AsyncParallelHook<[InstanceStateChange]>(['change'], 'instanceStateChanged'),
    nodeStateChanged: new AsyncParallelHook<[NodeStateChange]>(['change'], 'nodeStateChanged'),
    pacemakerHttp: new AsyncSeriesHook<[PacemakerHttp]>(['http'], 'pacemakerHttp'),
  });
}
