import { fileURLToPath } from 'node:url';
import {
  definePlugin,
  defineRuntime,
  PaasmakerError,
  runningProcessRecord,
  startProcessGroup,
  stopRecordedProcessGroup,
} from '@paasmaker/core';
import { resolveDocumentRoot } from './document-root';

const NAME = 'acme.runtime.static';
const SERVER = fileURLToPath(new URL('./static-server.mjs', import.meta.url));

/**
 * Serves an instance's folder (or a `documentRoot` inside it) as static files: each instance is a
 * Node process group of its own running `static-server.mjs`, so it outlives a heart restart.
 */
export default definePlugin({
  name: NAME,
  version: '2.0.0',
  apiVersion: 1,
  options: {
    type: 'object',
    properties: {
      indexFile: { type: 'string', minLength: 1, pattern: '^[^/\\\\]+$', default: 'index.html' },
      cacheSeconds: { type: 'integer', minimum: 0, default: 0 },
      stopGraceMs: { type: 'integer', minimum: 0, default: 5000 },
    },
    additionalProperties: false,
  },
  setup(kernel, options) {
    const runtime = defineRuntime({
      parametersSchema: {
        type: 'object',
        properties: { documentRoot: { type: 'string' } },
        additionalProperties: false,
      },
      async versions() {
        return ['1'];
      },
      async start(instance, call) {
        if (await runningProcessRecord(instance.stateDirectory)) return; // already running
        if (instance.port === undefined)
          throw new PaasmakerError(
            'E_INSTANCE_START',
            `${NAME}: instance ${instance.instanceId} has no port; a site needs one.`,
          );
        const root = await resolveDocumentRoot(instance.directory, instance.parameters.documentRoot);
        const settings = [root, String(instance.port), options.indexFile, String(options.cacheSeconds)];
        const record = await startProcessGroup({
          command: [process.execPath, SERVER, ...settings],
          cwd: root,
          env: instance.environment,
          logFile: instance.logFile,
          stateDirectory: instance.stateDirectory,
        });
        call.log.info({ instanceId: instance.instanceId, pid: record.pid, root }, 'static instance started');
      },
      async stop(instance) {
        await stopRecordedProcessGroup(instance.stateDirectory, { graceMs: options.stopGraceMs });
      },
      async status(instance) {
        return (await runningProcessRecord(instance.stateDirectory)) ? 'running' : 'stopped';
      },
    });
    kernel.hooks.runtime.for(NAME).tap(NAME, () => runtime);
  },
});
