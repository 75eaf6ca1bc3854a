import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JsonObject, RuntimeInstance } from '@paasmaker/core';
import { freePort, type PortRange } from './free-port';
import { temporaryFolder } from './temporary-folder';

/** What {@link testInstance} makes an instance of. */
export interface TestInstanceOptions<P = JsonObject> {
  /** The runtime version, one of the runtime's `versions()`. */
  version: string;
  /** The instance type's runtime parameters. */
  parameters: P;
  /** The application: files (relative path → text) written into the instance's `directory`. */
  files?: Readonly<Record<string, string>>;
  /** Variables added to the environment (after `PATH`, `HOME`, `PORT` and `PM_PORT`). */
  environment?: Readonly<Record<string, string>>;
  /** The port: `false` for a standalone instance; default {@link freePort} from `ports`. */
  port?: number | false;
  /** Where {@link freePort} picks the port from. */
  ports?: PortRange;
}

/**
 * An instance as a heart hands it to a runtime, in a folder of its own removed when the test
 * finishes: `directory` (`app/`, holding `files`, readable by others as a web server's workers
 * need), `stateDirectory` (`state/`, mode 0700, existing), `logFile` (`instance.log`, not yet
 * made), a fresh `instanceId`, and an environment of `PATH` and `HOME` from the test's own, plus
 * `PORT` and `PM_PORT` when it has a port.
 */
export async function testInstance<P = JsonObject>(
  options: TestInstanceOptions<P>,
): Promise<RuntimeInstance<P>> {
  const folder = await temporaryFolder('paasmaker-instance-');
  const directory = join(folder, 'app');
  const stateDirectory = join(folder, 'state');
  await mkdir(directory, { mode: 0o755 });
  await chmod(directory, 0o755);
  await mkdir(stateDirectory, { mode: 0o700 });
  for (const [name, text] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(directory, name)), { recursive: true, mode: 0o755 });
    await writeFile(join(directory, name), text);
  }
  const port = options.port === false ? undefined : (options.port ?? (await freePort(options.ports)));
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? folder,
    ...(port === undefined ? {} : { PORT: String(port), PM_PORT: String(port) }),
    ...options.environment,
  };
  return {
    instanceId: crypto.randomUUID(),
    directory,
    stateDirectory,
    ...(port === undefined ? {} : { port }),
    version: options.version,
    parameters: options.parameters,
    environment,
    logFile: join(folder, 'instance.log'),
  };
}
