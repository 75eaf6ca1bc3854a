import { setTimeout as sleep } from 'node:timers/promises';
import { PaasmakerError } from '../../../kernel/errors';
import {
  defineJobType,
  type JobRun,
  type JobTypeProvider,
} from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';
import type { VersionState } from '../../../model/model-states';
import { INSTANCE_STATES, VERSION_STATES } from '../../../model/model-states';
import { versionHostname } from './cluster-hostnames';
import { hostnameParts, loadInstanceContext, routeTargetOf, routingHostnamesOf } from './instance-context';
import { applyInstanceRouting, type RoutingConfirmation, type RoutingTableWriter } from './routing-writer';
import type { VersionTrees } from './version-trees';

/** What the coordinate job types work with. */
export interface CoordinateJobsOptions {
  model: Model;
  routing: RoutingTableWriter;
  /** Waited for after a switch, before the previous version is stopped; none: nothing to wait for. */
  confirmRouting?: RoutingConfirmation;
  clusterHostname: string;
  trees: VersionTrees;
}

const uuidSchema = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } as const;
const versionParameters = {
  type: 'object',
  required: ['versionId'],
  properties: { versionId: { type: 'integer' } },
} as const;
const instanceParameters = {
  type: 'object',
  required: ['instanceId'],
  properties: { instanceId: uuidSchema },
} as const;

/** Sets a version's state once everything below it succeeded. */
export function versionStateJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['versionId', 'state'],
      properties: { versionId: { type: 'integer' }, state: { enum: [...VERSION_STATES] } },
    },
    async run(job) {
      const { versionId, state } = job.parameters;
      const version = await options.model.versions.update(versionId, { state });
      return { result: { versionId: version.id, state }, summary: `Version ${version.number} is ${state}.` };
    },
  });
}

/** Records the port and REGISTERED state the heart's register job reported for an instance. */
export function instanceRegisteredJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: instanceParameters,
    async run(job) {
      const instance = await findInstance(options.model, job.parameters.instanceId);
      const reported = Object.values(job.childResults)[0] as { port?: number | null } | undefined;
      await options.model.instances.update(instance.id, {
        port: reported?.port ?? null,
        state: 'REGISTERED',
      });
      return { summary: `Instance registered${reported?.port ? ` on port ${reported.port}` : ''}.` };
    },
  });
}

/** Records an instance's new state (after its heart job below succeeded). */
export function instanceStateJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['instanceId', 'state'],
      properties: { instanceId: uuidSchema, state: { enum: [...INSTANCE_STATES] } },
    },
    async run(job) {
      const instance = await findInstance(options.model, job.parameters.instanceId);
      const { state } = job.parameters;
      await options.model.instances.update(instance.id, { state });
      return { summary: `Instance is ${state}.` };
    },
  });
}

/** Adds an instance to the routing table (on the hostnames its version's currency allows), or removes it. */
export function routingJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['instanceId', 'add'],
      properties: { instanceId: uuidSchema, add: { type: 'boolean' } },
    },
    async run(job) {
      const context = await loadInstanceContext(options.model, job.parameters.instanceId);
      const target = routeTargetOf(context);
      if (!target) return { summary: 'Standalone instance (or no port): no routing required.' };
      const hostnames = await routingHostnamesOf(options.model, context, options.clusterHostname);
      applyInstanceRouting(options.routing, target, hostnames, job.parameters.add);
      job.log.info(
        `${job.parameters.add ? 'Routed' : 'Unrouted'} ${target.host}:${target.port} on ${hostnames.yes.join(', ')}`,
      );
      return {
        summary: job.parameters.add
          ? `Routed on ${hostnames.yes.length} hostname(s).`
          : 'Removed from routing.',
      };
    },
  });
}

/**
 * Makes a version current: its running instances are routed on the application's hostnames,
 * then the previous current version's instances are taken off them (make before break); once
 * every router confirms it serves that table, a stop of the previous version is grafted into the
 * tree. When they do not confirm in time the switch is undone (the previous version is current
 * again, and still running) and the job fails with `E_ROUTER_UNCONFIRMED`.
 */
export function makeCurrentJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: versionParameters,
    async run(job) {
      const { model } = options;
      const version = await model.versions.get(job.parameters.versionId);
      if (version.state !== 'RUNNING')
        throw new PaasmakerError(
          'E_INSTANCE_STATE',
          `Version ${version.number} is ${version.state}, not RUNNING.`,
        );
      const previous = await model.versions.current(version.applicationId);
      await model.versions.makeCurrent(version.id);
      await routeRunningInstances(options, version.id, job);
      const before = previous && previous.id !== version.id ? previous : undefined;
      if (before) await routeRunningInstances(options, before.id, job);
      await confirmSwitch(options, job, version, before);
      if (before) {
        if (before.state === 'RUNNING')
          await job.graft(job.treeId, [
            await options.trees.stop(before.id, `Stop version ${before.number}`, 'shared'),
          ]);
      }
      if (await hasExclusiveWork(model, version.id, before?.id))
        await job.graft(job.treeId, [
          await options.trees.exclusiveSwitch(await model.versions.get(version.id), before),
        ]);
      return { summary: `Version ${version.number} is current.` };
    },
  });
}

/** Waits for the routers to serve the switch; undoes it (in the model and the table) when they do not. */
async function confirmSwitch(
  options: CoordinateJobsOptions,
  job: JobRun,
  version: { id: number; number: number },
  before: { id: number; number: number } | undefined,
): Promise<void> {
  if (!options.confirmRouting) return;
  try {
    await options.confirmRouting(job.signal);
    job.log.info('Every router confirmed the new routing table.');
  } catch (error) {
    if (before) {
      await options.model.versions.makeCurrent(before.id);
      await routeRunningInstances(options, before.id, job);
      await routeRunningInstances(options, version.id, job);
    }
    if (job.signal.aborted) throw error;
    throw new PaasmakerError(
      'E_ROUTER_UNCONFIRMED',
      `Version ${version.number} was not made current: ${(error as Error).message}${before ? `; version ${before.number} stays current and keeps serving` : ''}.`,
      { cause: error },
    );
  }
}

/** Whether making a version current must stop or start exclusive instances. */
async function hasExclusiveWork(
  model: Model,
  versionId: number,
  previousId: number | undefined,
): Promise<boolean> {
  if ((await model.instanceTypes.list({ versionId })).some((type) => type.exclusive)) return true;
  if (previousId === undefined) return false;
  for (const type of await model.instanceTypes.list({ versionId: previousId }))
    if (type.exclusive && (await model.instances.list({ instanceTypeId: type.id, state: 'RUNNING' })).length)
      return true;
  return false;
}

/** Groups jobs under one title; does nothing itself (the original's `paasmaker.job.container`). */
export function containerJob(): JobTypeProvider {
  return { parametersSchema: { type: 'object' }, run: async () => ({ summary: 'Done.' }) };
}

/**
 * Runs once the previous version's exclusive instances stopped: grafts the start of the now
 * current version's exclusive instances beside it (break before make).
 */
export function exclusiveSwitchJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: versionParameters,
    async run(job) {
      const version = await options.model.versions.get(job.parameters.versionId);
      const starts = await options.trees.startChains(version, 'exclusive');
      if (starts.length && job.parentId) await job.graft(job.parentId, starts);
      return { summary: `${starts.length} exclusive instance(s) to start.` };
    },
  });
}

async function routeRunningInstances(
  options: CoordinateJobsOptions,
  versionId: number,
  job: JobRun,
): Promise<void> {
  for (const type of await options.model.instanceTypes.list({ versionId }))
    for (const instance of await options.model.instances.list({
      instanceTypeId: type.id,
      state: 'RUNNING',
    })) {
      const context = await loadInstanceContext(options.model, instance.uuid);
      const target = routeTargetOf(context);
      if (!target) continue;
      const hostnames = await routingHostnamesOf(options.model, context, options.clusterHostname);
      applyInstanceRouting(options.routing, target, hostnames, true);
      job.log.info(
        `Version ${context.version.number} instance ${instance.uuid.slice(0, 8)} on ${hostnames.yes.join(', ')}`,
      );
    }
}

/** Waits before an unrouted instance is stopped, so requests it is serving can finish. */
export function drainJob(): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['ms'],
      properties: { ms: { type: 'integer', minimum: 0, maximum: 600_000 } },
    },
    async run(job) {
      await sleep(job.parameters.ms, undefined, { signal: job.signal });
      return { summary: `Waited ${job.parameters.ms} ms for requests in flight.` };
    },
  });
}

/** Deletes a version that is neither current nor running, once its instances are deregistered. */
export function deleteVersionJob(options: CoordinateJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: versionParameters,
    async run(job) {
      const version = await options.model.versions.get(job.parameters.versionId);
      refuseDelete(version);
      const application = await options.model.applications.get(version.applicationId);
      const workspace = await options.model.workspaces.get(application.workspaceId);
      for (const instanceType of await options.model.instanceTypes.list({ versionId: version.id }))
        options.routing.removeHostname(
          versionHostname(
            hostnameParts({ version, instanceType, application, workspace }, options.clusterHostname),
          ),
        );
      await options.model.versions.delete(version.id);
      return { summary: `Version ${version.number} deleted.` };
    },
  });
}

/** Throws E_INSTANCE_STATE when a version may not be deleted: the current one, or one running. */
export function refuseDelete(version: { number: number; isCurrent: boolean; state: VersionState }): void {
  if (version.isCurrent)
    throw new PaasmakerError(
      'E_INSTANCE_STATE',
      `Version ${version.number} is the current version and cannot be deleted; make another version current first.`,
    );
  if (version.state === 'RUNNING')
    throw new PaasmakerError(
      'E_INSTANCE_STATE',
      `Version ${version.number} is running; stop it before deleting it.`,
    );
}

async function findInstance(model: Model, instanceId: string) {
  const instance = await model.instances.findByUuid(instanceId);
  if (!instance)
    throw new PaasmakerError('E_INSTANCE_NOT_FOUND', `Instance ${instanceId} is not in the model.`);
  return instance;
}
