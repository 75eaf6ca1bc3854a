import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  currentTenant,
  defineRuntime,
  type JsonSchemaObject,
  type ProviderCall,
  type RuntimeProvider,
  runningProcessRecord,
  startProcessGroup,
  stopRecordedProcessGroup,
} from '@paasmaker/core';
import { apacheConfig } from './apache-config';
import { phpVersions } from './php-install';

/** Name the PHP runtime is registered under (the original's). */
export const PHP_RUNTIME = 'paasmaker.runtime.php';

/** Runtime parameters of an instance type using {@link PHP_RUNTIME}. */
export const phpRuntimeParametersSchema = {
  type: 'object',
  properties: {
    /** The folder served, relative to the application's root (`web`, `public`); default the root. */
    document_root: { type: 'string', maxLength: 255 },
  },
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/** How {@link createPhpRuntime} runs apps. */
export interface PhpRuntimeOptions {
  apacheBinary: string;
  modulesDirectory: string;
  phpModule: string;
  /** The `php` command line, asked for the exact PHP version. */
  phpBinary: string;
  /** The user and group Apache's workers run as when the heart runs as root. */
  workerUser: { user: string; group: string };
  /** How long Apache has to exit after SIGTERM before its process group gets SIGKILL. */
  stopGraceMs: number;
}

/**
 * The PHP runtime: each instance is an Apache (prefork, mod_php) of its own, listening on the
 * instance's port and serving its document root, run as a detached process group (so it
 * survives a heart restart) with its error and access logs in the instance log. The instance's
 * environment reaches PHP through `getenv()` and `$_SERVER`.
 */
export function createPhpRuntime(options: PhpRuntimeOptions): RuntimeProvider {
  return defineRuntime({
    parametersSchema: phpRuntimeParametersSchema,

    async versions(call: ProviderCall) {
      const versions = await phpVersions(options.phpModule, options.phpBinary);
      if (versions.length === 0)
        call.log.warn({ phpModule: options.phpModule }, 'cannot tell the PHP version; offering none');
      return versions;
    },

    async start(instance, call) {
      const existing = await runningProcessRecord(instance.stateDirectory);
      if (existing !== undefined) {
        call.log.info({ instanceId: instance.instanceId, pid: existing.pid }, 'PHP instance already running');
        return;
      }
      // Apache runs as the application's user when there is one: it writes its pid file and
      // runtime files in `run`, and reads (never changes) its configuration.
      const tenant = currentTenant();
      const runFolder = path.join(instance.stateDirectory, 'run');
      await mkdir(runFolder, { recursive: true, mode: 0o700 });
      if (tenant) await chown(runFolder, tenant.uid, tenant.gid);
      const configFile = path.join(instance.stateDirectory, 'httpd.conf');
      const config = apacheConfig({
        directory: instance.directory,
        documentRoot: instance.parameters.document_root ?? '',
        port: instance.port ?? 0,
        stateDirectory: instance.stateDirectory,
        modulesDirectory: options.modulesDirectory,
        phpModule: options.phpModule,
        environmentNames: Object.keys(instance.environment),
        ...(process.getuid?.() === 0 && !tenant ? { workerUser: options.workerUser } : {}),
      });
      await writeFile(configFile, config, { mode: tenant ? 0o644 : 0o600 });
      await chmod(configFile, tenant ? 0o644 : 0o600);
      const record = await startProcessGroup({
        command: [options.apacheBinary, '-f', configFile, '-D', 'FOREGROUND'],
        cwd: instance.directory,
        env: { ...instance.environment },
        logFile: instance.logFile,
        stateDirectory: instance.stateDirectory,
      });
      call.log.info(
        { instanceId: instance.instanceId, pid: record.pid, port: instance.port },
        'PHP instance started',
      );
    },

    async stop(instance, call) {
      const stopped = await stopRecordedProcessGroup(instance.stateDirectory, {
        graceMs: options.stopGraceMs,
      });
      if (stopped)
        call.log.info({ instanceId: instance.instanceId, pid: stopped.pid }, 'PHP instance stopped');
    },

    async status(instance) {
      return (await runningProcessRecord(instance.stateDirectory)) !== undefined ? 'running' : 'stopped';
    },
  });
}
