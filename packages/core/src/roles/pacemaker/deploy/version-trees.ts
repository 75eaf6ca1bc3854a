import type { Logger } from 'pino';
import { PaasmakerError } from '../../../kernel/errors';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import type { JobSpec } from '../../../kernel/providers/job-type-provider';
import type { PlacementCandidate } from '../../../kernel/providers/placement-provider';
import type { Model } from '../../../model/create-model';
import type { Instance } from '../../../model/instance-repository';
import type { InstanceType } from '../../../model/instance-type-repository';
import type { ClusterNode } from '../../../model/node-repository';
import type { ApplicationVersion } from '../../../model/version-repository';
import type { InstanceRegistration } from '../../heart/heart-types';
import { DEPLOY_JOBS } from './deploy-job-names';
import { loadInstanceContext } from './instance-context';
import { pacemakerEnvironment } from './pacemaker-environment';

/** Instance states that count towards an instance type's quantity. */
export const ALLOCATED_STATES = new Set([
  'ALLOCATED',
  'REGISTERED',
  'STARTING',
  'RUNNING',
  'STOPPED',
  'SUSPENDED',
]);
const RUNNING_STATES = new Set(['STARTING', 'RUNNING']);
const STARTABLE_STATES = new Set(['ALLOCATED', 'REGISTERED', 'STOPPED', 'SUSPENDED', 'ERROR']);
const DEREGISTERABLE_STATES = new Set(['ALLOCATED', 'REGISTERED', 'STOPPED', 'SUSPENDED', 'ERROR', 'DOWN']);

/** What {@link VersionTrees} builds trees from. */
export interface VersionTreesOptions {
  model: Model;
  hooks: Pick<KernelHooks, 'placement'>;
  /** How long a stopped instance keeps serving the requests it has, after it leaves the routing table. */
  drainMs: number;
  /**
   * The names of the nodes the job engine can run jobs on (`JobEngine.knownNodes`): placement
   * chooses only among the active hearts it names, since a heart's jobs are assigned to its name.
   */
  jobNodes: () => Promise<ReadonlySet<string>>;
  log: Logger;
}

/**
 * Builds the job tree of each version action (the original's job trees per user action, see
 * docs/deploy.md). Building may allocate instances (placement); nothing runs until the tree does.
 */
export class VersionTrees {
  constructor(private readonly options: VersionTreesOptions) {}

  /** Register: every missing instance placed and registered on its heart; the version ends READY. */
  async register(versionId: number): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    const instances = await this.allocate(version);
    const children: JobSpec[] = [];
    for (const { instance } of instances)
      if (instance.state === 'ALLOCATED') children.push(await this.registerChain(instance));
    return this.versionState(version, 'READY', `Register instances of version ${version.number}`, children);
  }

  /**
   * Start: every instance not running registered (when needed), started and routed; the version
   * ends RUNNING. Exclusive instance types start only while the version is current (making a
   * version current starts them, after stopping the previous version's).
   */
  async start(versionId: number, types: TypeFilter = 'startable'): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    return this.versionState(
      version,
      'RUNNING',
      `Start version ${version.number}`,
      await this.startChains(version, types),
    );
  }

  /** The start chain of every startable instance of the chosen types. */
  async startChains(version: ApplicationVersion, types: TypeFilter): Promise<JobSpec[]> {
    const children: JobSpec[] = [];
    for (const { instance, instanceType } of await this.allocate(version, selectTypes(types, version))) {
      if (!STARTABLE_STATES.has(instance.state)) continue;
      const startup: JobSpec = {
        type: DEPLOY_JOBS.instanceState,
        title: `Record instance ${short(instance.uuid)} running`,
        parameters: { instanceId: instance.uuid, state: 'RUNNING' },
        children: [
          {
            type: DEPLOY_JOBS.heartStartup,
            title: `Start instance ${short(instance.uuid)} of ${instanceType.name}`,
            node: await this.nodeName(instance),
            // The environment as it is now: config vars set since registering reach the instance.
            parameters: {
              instanceId: instance.uuid,
              environment: await pacemakerEnvironment(
                this.options.model,
                await loadInstanceContext(this.options.model, instance.uuid),
              ),
            },
            children: instance.state === 'ALLOCATED' ? [await this.registerChain(instance)] : [],
          },
        ],
      };
      children.push(instanceType.standalone ? startup : this.routing(instance, true, [startup]));
    }
    return children;
  }

  /**
   * Break before make for exclusive instance types: the previous version's exclusive instances
   * are stopped, then (grafted by the `exclusiveswitch` job) the new version's are started.
   */
  async exclusiveSwitch(
    version: ApplicationVersion,
    previous: ApplicationVersion | undefined,
  ): Promise<JobSpec> {
    const stops = previous ? await this.stopChains(previous, 'exclusive') : [];
    return {
      type: DEPLOY_JOBS.container,
      title: `Start exclusive instances of version ${version.number}`,
      children: [
        {
          type: DEPLOY_JOBS.exclusiveSwitch,
          title: previous
            ? `Stop exclusive instances of version ${previous.number} first`
            : 'No exclusive instances to stop first',
          parameters: { versionId: version.id },
          children: stops,
        },
      ],
    };
  }

  /** Stop: each running instance taken out of routing, drained, then stopped; the version ends READY. */
  async stop(versionId: number, title?: string, types: TypeFilter = 'all'): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    return this.versionState(
      version,
      'READY',
      title ?? `Stop version ${version.number}`,
      await this.stopChains(version, types),
    );
  }

  private async stopChains(version: ApplicationVersion, types: TypeFilter): Promise<JobSpec[]> {
    const children: JobSpec[] = [];
    for (const { instance, instanceType } of await this.instancesOf(version)) {
      if (!RUNNING_STATES.has(instance.state) || !selectTypes(types, version)(instanceType)) continue;
      children.push(await this.stopChain(instance));
    }
    return children;
  }

  /** One running instance taken out of routing, drained, stopped and recorded STOPPED. */
  private async stopChain(instance: Instance): Promise<JobSpec> {
    return {
      type: DEPLOY_JOBS.instanceState,
      title: `Record instance ${short(instance.uuid)} stopped`,
      parameters: { instanceId: instance.uuid, state: 'STOPPED' },
      children: [
        {
          type: DEPLOY_JOBS.heartShutdown,
          title: `Stop instance ${short(instance.uuid)}`,
          node: await this.nodeName(instance),
          parameters: { instanceId: instance.uuid },
          children: [
            {
              type: DEPLOY_JOBS.drain,
              title: 'Let requests in flight finish',
              parameters: { ms: this.options.drainMs },
              children: [this.routing(instance, false)],
            },
          ],
        },
      ],
    };
  }

  /**
   * Make current: the version is started (if it is not running), routed on the application's
   * hostnames, and then the previous current version is taken off them, drained and stopped.
   */
  async makeCurrent(versionId: number): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    return {
      type: DEPLOY_JOBS.versionState,
      title: `Make version ${version.number} current`,
      parameters: { versionId, state: 'RUNNING' },
      children: [
        {
          type: DEPLOY_JOBS.makeCurrent,
          title: `Route the application's hostnames to version ${version.number}`,
          parameters: { versionId },
          children: [await this.start(versionId)],
        },
      ],
    };
  }

  /** Deregister: each instance's files removed from its heart; the version ends PREPARED. */
  async deregister(versionId: number): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    return this.versionState(
      version,
      'PREPARED',
      `Deregister instances of version ${version.number}`,
      await this.deregisterChains(version),
    );
  }

  /** Delete: instances deregistered, then the version removed (refused for the current or a running version). */
  async delete(versionId: number): Promise<JobSpec> {
    const version = await this.options.model.versions.get(versionId);
    return {
      type: DEPLOY_JOBS.deleteVersion,
      title: `Delete version ${version.number}`,
      parameters: { versionId },
      children: await this.deregisterChains(version),
    };
  }

  private async deregisterChains(version: ApplicationVersion): Promise<JobSpec[]> {
    const children: JobSpec[] = [];
    for (const { instance } of await this.instancesOf(version))
      if (DEREGISTERABLE_STATES.has(instance.state)) children.push(await this.deregisterChain(instance, []));
    return children;
  }

  /**
   * Delete an application: every instance of every version stopped (running ones first leave
   * the routing table) and removed from its heart; then the `deleteapplication` job removes its
   * hostnames, packages and rows. Running and current versions too: deleting an app ends it.
   */
  async deleteApplication(applicationId: number): Promise<JobSpec> {
    const application = await this.options.model.applications.get(applicationId);
    const children: JobSpec[] = [];
    for (const version of await this.options.model.versions.list({ applicationId }))
      for (const { instance } of await this.instancesOf(version)) {
        if (RUNNING_STATES.has(instance.state) || DEREGISTERABLE_STATES.has(instance.state))
          children.push(await this.retireChain(instance));
      }
    return {
      type: DEPLOY_JOBS.deleteApplication,
      title: `Delete application ${application.name}`,
      parameters: { applicationId },
      children,
    };
  }

  /** One instance taken out of service for good: stopped first when running, then deregistered. */
  async retireChain(instance: Instance): Promise<JobSpec> {
    return this.deregisterChain(
      instance,
      RUNNING_STATES.has(instance.state) ? [await this.stopChain(instance)] : [],
    );
  }

  /** One instance removed from its heart (after `before`) and recorded DEREGISTERED. */
  private async deregisterChain(instance: Instance, before: JobSpec[]): Promise<JobSpec> {
    const onHeart: JobSpec[] =
      instance.state === 'ALLOCATED'
        ? []
        : [
            {
              type: DEPLOY_JOBS.heartDeregister,
              title: `Remove instance ${short(instance.uuid)}`,
              node: await this.nodeName(instance),
              parameters: { instanceId: instance.uuid },
              children: before,
            },
          ];
    return {
      type: DEPLOY_JOBS.instanceState,
      title: `Record instance ${short(instance.uuid)} deregistered`,
      parameters: { instanceId: instance.uuid, state: 'DEREGISTERED' },
      children: onHeart,
    };
  }

  private versionState(
    version: ApplicationVersion,
    state: string,
    title: string,
    children: JobSpec[],
  ): JobSpec {
    return { type: DEPLOY_JOBS.versionState, title, parameters: { versionId: version.id, state }, children };
  }

  private routing(instance: Instance, add: boolean, children: JobSpec[] = []): JobSpec {
    return {
      type: DEPLOY_JOBS.routing,
      title: `${add ? 'Route' : 'Unroute'} instance ${short(instance.uuid)}`,
      parameters: { instanceId: instance.uuid, add },
      children,
    };
  }

  private async registerChain(instance: Instance): Promise<JobSpec> {
    return {
      type: DEPLOY_JOBS.instanceRegistered,
      title: `Record instance ${short(instance.uuid)} registered`,
      parameters: { instanceId: instance.uuid },
      children: [
        {
          type: DEPLOY_JOBS.heartRegister,
          title: `Register instance ${short(instance.uuid)}`,
          node: await this.nodeName(instance),
          parameters: { registration: await this.registration(instance) },
        },
      ],
    };
  }

  private async registration(instance: Instance): Promise<InstanceRegistration> {
    const { model } = this.options;
    const context = await loadInstanceContext(model, instance.uuid);
    const { version, instanceType, application, workspace } = context;
    if (!version.sourcePath || !version.sourceChecksum)
      throw new PaasmakerError(
        'E_INSTANCE_STATE',
        `Version ${version.number} of ${application.name} has no package yet; it must be PREPARED first.`,
      );
    return {
      instanceId: instance.uuid,
      application: {
        name: application.name,
        workspace: workspace.name,
        workspaceStub: workspace.stub,
        version: version.number,
        instanceType: instanceType.name,
      },
      runtime: {
        name: instanceType.runtimeName,
        version: instanceType.runtimeVersion,
        parameters: instanceType.runtimeParameters,
      },
      startup: instanceType.startup,
      standalone: instanceType.standalone,
      healthCheck: instanceType.healthCheck,
      package: {
        url: version.sourcePath,
        checksum: version.sourceChecksum,
        packageType: version.sourcePackageType ?? 'tarball',
      },
      environment: await pacemakerEnvironment(model, context),
    };
  }

  private async nodeName(instance: Instance): Promise<string> {
    return (await this.options.model.nodes.get(instance.nodeId)).name;
  }

  private async instancesOf(
    version: ApplicationVersion,
  ): Promise<{ instance: Instance; instanceType: InstanceType }[]> {
    const found: { instance: Instance; instanceType: InstanceType }[] = [];
    for (const instanceType of await this.options.model.instanceTypes.list({ versionId: version.id }))
      for (const instance of await this.options.model.instances.list({ instanceTypeId: instanceType.id }))
        found.push({ instance, instanceType });
    return found;
  }

  /**
   * The active hearts whose jobs the job engine can run: a heart registered with the pacemaker
   * whose job engine is not (yet) known would get jobs nobody runs. `E_PLACEMENT_NO_NODE` when
   * there are hearts but none of them is known; none at all is left to the placement provider.
   */
  private async placeableHearts(instanceType: InstanceType): Promise<ClusterNode[]> {
    const hearts = (await this.options.model.nodes.list({ state: 'ACTIVE' })).filter(
      (node) => node.roles.heart,
    );
    const runnable = await this.options.jobNodes();
    const placeable = hearts.filter((node) => runnable.has(node.name));
    if (hearts.length > 0 && placeable.length === 0)
      throw new PaasmakerError(
        'E_PLACEMENT_NO_NODE',
        `No heart can take instances of ${instanceType.name}: the job engine runs no jobs on ${hearts
          .map((node) => node.name)
          .join(', ')} (its job engine has not started, or uses another job store).`,
      );
    return placeable;
  }

  /** Places the instances each type lacks (up to its quantity) and returns the allocated ones. */
  private async allocate(
    version: ApplicationVersion,
    include: (type: InstanceType) => boolean = () => true,
  ): Promise<{ instance: Instance; instanceType: InstanceType }[]> {
    const { model, hooks } = this.options;
    const allocated: { instance: Instance; instanceType: InstanceType }[] = [];
    for (const instanceType of (await model.instanceTypes.list({ versionId: version.id })).filter(include)) {
      const existing = (await model.instances.list({ instanceTypeId: instanceType.id })).filter((instance) =>
        ALLOCATED_STATES.has(instance.state),
      );
      for (const instance of existing) allocated.push({ instance, instanceType });
      const missing = instanceType.quantity - existing.length;
      if (missing <= 0) continue;
      const placement = hooks.placement.find(instanceType.placementProvider);
      if (!placement)
        throw new PaasmakerError(
          'E_PROVIDER_UNKNOWN',
          `No placement provider ${instanceType.placementProvider} (instance type ${instanceType.name}).`,
        );
      const nodes = await this.placeableHearts(instanceType);
      const candidates: PlacementCandidate[] = nodes
        .sort((a, b) => a.score - b.score)
        .map((node) => ({
          nodeId: node.uuid,
          name: node.name,
          score: node.score,
          runtimes: node.runtimes,
          tags: node.tags,
        }));
      const chosen = await placement.choose(
        {
          candidates,
          quantity: missing,
          runtime: { name: instanceType.runtimeName, version: instanceType.runtimeVersion },
          parameters: instanceType.placementParameters,
        },
        { log: this.options.log, signal: AbortSignal.timeout(30_000) },
      );
      for (const candidate of chosen) {
        const node = nodes.find((n) => n.uuid === candidate.nodeId);
        if (!node)
          throw new PaasmakerError(
            'E_RUNTIME_UNAVAILABLE',
            `Placement chose unknown node ${candidate.nodeId}.`,
          );
        const instance = await model.instances.create({ instanceTypeId: instanceType.id, nodeId: node.id });
        allocated.push({ instance, instanceType });
      }
    }
    return allocated;
  }
}

/**
 * Which instance types an action covers: `all`; `startable` (all but exclusive ones of a version
 * that is not current); `exclusive`; `shared` (all but exclusive).
 */
export type TypeFilter = 'all' | 'startable' | 'exclusive' | 'shared';

function selectTypes(filter: TypeFilter, version: ApplicationVersion): (type: InstanceType) => boolean {
  switch (filter) {
    case 'all':
      return () => true;
    case 'startable':
      return (type) => !type.exclusive || version.isCurrent;
    case 'exclusive':
      return (type) => type.exclusive;
    case 'shared':
      return (type) => !type.exclusive;
  }
}

function short(uuid: string): string {
  return uuid.slice(0, 8);
}
