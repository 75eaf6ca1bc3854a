import {
  defineRuntime,
  type JsonSchemaObject,
  type ProviderCall,
  type RuntimeProvider,
  runningProcessRecord,
  startProcessGroup,
  stopRecordedProcessGroup,
} from '@paasmaker/core';
import { resolveNodeLaunch } from './launch-command';
import { advertisedVersions, nodeVersionOf } from './node-binary';

/** Name the Node runtime is registered under. */
export const NODE_RUNTIME = 'paasmaker.runtime.node';

/** Runtime parameters of an instance type using {@link NODE_RUNTIME}. */
export const nodeRuntimeParametersSchema = {
  type: 'object',
  properties: {
    command: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  },
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/** How {@link createNodeRuntime} runs apps. */
export interface NodeRuntimeOptions {
  /** The `node` executable apps run with. */
  nodeBinary: string;
  /** How long an instance has to exit after SIGTERM before its process group gets SIGKILL. */
  stopGraceMs: number;
}

/**
 * The Node runtime: each instance runs as its own detached process group (so it survives a
 * heart restart) with output appended to the instance log; its pid record lives in the
 * instance's `stateDirectory`, so `status` and `stop` work from a fresh heart process too.
 */
export function createNodeRuntime(options: NodeRuntimeOptions): RuntimeProvider {
  return defineRuntime({
    parametersSchema: nodeRuntimeParametersSchema,

    async versions(call: ProviderCall) {
      try {
        return advertisedVersions(await nodeVersionOf(options.nodeBinary));
      } catch (error) {
        call.log.warn(
          { err: error, nodeBinary: options.nodeBinary },
          'cannot tell the Node version; offering none',
        );
        return [];
      }
    },

    async start(instance, call) {
      const existing = await runningProcessRecord(instance.stateDirectory);
      if (existing !== undefined) {
        call.log.info(
          { instanceId: instance.instanceId, pid: existing.pid },
          'Node instance already running',
        );
        return;
      }
      const launch = await resolveNodeLaunch({
        directory: instance.directory,
        command: instance.parameters.command,
        environment: instance.environment,
        nodeBinary: options.nodeBinary,
      });
      const record = await startProcessGroup({
        command: launch.argv,
        cwd: instance.directory,
        env: launch.env,
        logFile: instance.logFile,
        stateDirectory: instance.stateDirectory,
      });
      call.log.info(
        { instanceId: instance.instanceId, pid: record.pid, port: instance.port, command: launch.argv },
        'Node instance started',
      );
    },

    async stop(instance, call) {
      const stopped = await stopRecordedProcessGroup(instance.stateDirectory, {
        graceMs: options.stopGraceMs,
      });
      if (stopped)
        call.log.info({ instanceId: instance.instanceId, pid: stopped.pid }, 'Node instance stopped');
    },

    async status(instance) {
      return (await runningProcessRecord(instance.stateDirectory)) !== undefined ? 'running' : 'stopped';
    },
  });
}
