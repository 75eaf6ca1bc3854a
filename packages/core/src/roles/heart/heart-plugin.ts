import { PaasmakerError } from '../../kernel/errors';
import { definePlugin, KERNEL_API_VERSION } from '../../kernel/plugin-definition';
import type { AnyPlugin } from '../../kernel/plugin-entry';
import type { PluginKernel } from '../../kernel/plugin-kernel';
import { defineJobType } from '../../kernel/providers/job-type-provider';
import type { ProviderCall } from '../../kernel/providers/provider-call';
import type { Heart } from './heart-types';
import { instanceRegistrationSchema } from './registration-schema';

/** Name of the plugin every heart adds to its kernel. */
export const HEART_PLUGIN = 'paasmaker.heart';

/** The job types a heart runs on its node. */
export const HEART_JOB_TYPES = {
  register: 'paasmaker.job.heart.register',
  startup: 'paasmaker.job.heart.startup',
  shutdown: 'paasmaker.job.heart.shutdown',
  deregister: 'paasmaker.job.heart.deregister',
} as const;

const byInstanceId = {
  type: 'object',
  properties: { instanceId: { type: 'string', minLength: 1 } },
  required: ['instanceId'],
  additionalProperties: false,
} as const;

const registerParameters = {
  type: 'object',
  properties: { registration: instanceRegistrationSchema },
  required: ['registration'],
  additionalProperties: false,
} as const;

/**
 * A start carries the pacemaker's environment for the instance as it is now (config vars set
 * since the instance was registered reach it); without one, the registered environment is used.
 */
const startupParameters = {
  type: 'object',
  properties: {
    instanceId: { type: 'string', minLength: 1 },
    environment: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['instanceId'],
  additionalProperties: false,
} as const;

/** The parameters schema of each heart job type. */
const HEART_JOB_SCHEMAS = {
  [HEART_JOB_TYPES.register]: registerParameters,
  [HEART_JOB_TYPES.startup]: startupParameters,
  [HEART_JOB_TYPES.shutdown]: byInstanceId,
  [HEART_JOB_TYPES.deregister]: byInstanceId,
} as const;

/** Name of {@link remoteHeartJobsPlugin}. */
export const REMOTE_HEART_JOBS_PLUGIN = 'paasmaker.heart.remote-jobs';

/**
 * For a pacemaker whose hearts run on other nodes: declares the heart job types (their
 * parameter schemas), so that trees holding them can be created and checked here. The jobs
 * themselves run on the heart nodes they are assigned to, never on this one.
 */
export const remoteHeartJobsPlugin: AnyPlugin = definePlugin({
  name: REMOTE_HEART_JOBS_PLUGIN,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    for (const [type, parametersSchema] of Object.entries(HEART_JOB_SCHEMAS))
      kernel.hooks.jobType.for(type).tap(REMOTE_HEART_JOBS_PLUGIN, () => ({
        parametersSchema,
        run: async (job) => {
          throw new PaasmakerError(
            'E_JOB_TYPE_UNKNOWN',
            `${type} runs on heart nodes; node ${job.nodeId} runs no heart (the job was assigned to it).`,
          );
        },
      }));
  },
}) as AnyPlugin;

/**
 * The plugin of one heart: hands the kernel to the heart, registers the heart's job types, and
 * closes the heart when the kernel closes.
 */
export function heartPlugin(heart: Heart, attach: (kernel: PluginKernel) => void): AnyPlugin {
  return definePlugin({
    name: HEART_PLUGIN,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      attach(kernel);
      const jobType = (type: string) => kernel.hooks.jobType.for(type);
      jobType(HEART_JOB_TYPES.register).tap(HEART_PLUGIN, () =>
        defineJobType({
          parametersSchema: registerParameters,
          async run(job) {
            const instance = await heart.register(job.parameters.registration, callOf(job));
            return {
              result: { port: instance.port },
              summary: `Registered instance ${instance.instanceId}.`,
            };
          },
        }),
      );
      jobType(HEART_JOB_TYPES.startup).tap(HEART_PLUGIN, () =>
        defineJobType({
          parametersSchema: startupParameters,
          async run(job) {
            const { instanceId, environment } = job.parameters;
            const instance = await heart.startInstance(
              instanceId,
              callOf(job),
              environment ? { environment } : {},
            );
            return {
              result: { state: instance.state },
              summary: `Instance ${instance.instanceId} is ${instance.state}.`,
            };
          },
        }),
      );
      jobType(HEART_JOB_TYPES.shutdown).tap(HEART_PLUGIN, () =>
        defineJobType({
          parametersSchema: byInstanceId,
          async run(job) {
            const instance = await heart.stopInstance(job.parameters.instanceId, callOf(job));
            return {
              result: { state: instance.state },
              summary: `Instance ${instance.instanceId} is ${instance.state}.`,
            };
          },
        }),
      );
      jobType(HEART_JOB_TYPES.deregister).tap(HEART_PLUGIN, () =>
        defineJobType({
          parametersSchema: byInstanceId,
          async run(job) {
            const { instanceId } = job.parameters;
            await heart.deregister(instanceId, callOf(job));
            return { result: { state: 'DEREGISTERED' }, summary: `Instance ${instanceId} deregistered.` };
          },
        }),
      );
      kernel.onClose(() => heart.close());
    },
  }) as AnyPlugin;
}

function callOf(job: ProviderCall): ProviderCall {
  return { log: job.log, signal: job.signal };
}
