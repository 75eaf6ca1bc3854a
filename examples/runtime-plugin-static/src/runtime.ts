import type { Server } from 'node:http';
import { defineRuntime, type Logger, type RuntimeProvider } from '@paasmaker/core';
import { resolveDocumentRoot } from './document-root';
import { closeServer, listenStatic, type StaticServerOptions } from './static-server';

export const RUNTIME_NAME = 'acme.runtime.static';

export interface StaticRuntime {
  provider: RuntimeProvider;
  /** Stops every server still running; used as the plugin's teardown. */
  stopAll(log: Logger): Promise<void>;
}

/** Builds the runtime provider; it keeps one HTTP server per running instance. */
export function createStaticRuntime(options: StaticServerOptions): StaticRuntime {
  const servers = new Map<string, Server>();

  async function stopOne(instanceId: string, log: Logger): Promise<void> {
    const server = servers.get(instanceId);
    if (!server) return;
    servers.delete(instanceId);
    await closeServer(server);
    log.info({ instanceId }, 'static instance stopped');
  }

  // defineRuntime types instance.parameters from the schema: { documentRoot?: string }.
  const provider = defineRuntime({
    parametersSchema: {
      type: 'object',
      properties: { documentRoot: { type: 'string' } },
      additionalProperties: false,
    },
    async versions() {
      return ['1'];
    },
    async start(instance, call) {
      if (servers.has(instance.instanceId)) {
        call.log.info({ instanceId: instance.instanceId }, 'static instance already running');
        return;
      }
      if (instance.port === undefined) {
        throw new Error(
          `${RUNTIME_NAME}: instance ${instance.instanceId} has no port; static sites need one`,
        );
      }
      const root = await resolveDocumentRoot(instance.directory, instance.parameters.documentRoot);
      const server = await listenStatic(root, instance.port, options, call.log);
      servers.set(instance.instanceId, server);
      call.log.info(
        { instanceId: instance.instanceId, port: instance.port, root },
        'static instance started',
      );
    },
    async stop(instance, call) {
      await stopOne(instance.instanceId, call.log);
    },
    async status(instance) {
      return servers.has(instance.instanceId) ? 'running' : 'stopped';
    },
  });

  return {
    provider,
    async stopAll(log) {
      await Promise.all([...servers.keys()].map((instanceId) => stopOne(instanceId, log)));
    },
  };
}
