import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import routerLua from '../../../../../../lua/router/paasmaker_router.lua';
import { PaasmakerError } from '../../../kernel/errors';
import { acceptsConnections } from '../../../net/port-probe';
import { nginxRouterConfig } from './nginx-router-config';
import { NginxSupervisor } from './nginx-supervisor';

/** Options of {@link startNginxRouter}. */
export interface NginxRouterOptions {
  /** A folder of its own (created): configuration, pid, logs, temp files. */
  folder: string;
  /**
   * Where the routing table is published ({@link publishRoutingTable}); `db` (the database number)
   * default 0, `prefix` default `pm:router:`.
   */
  redis: { host: string; port: number; db?: number; prefix?: string };
  /** Address and port to listen on; default `127.0.0.1` and a port you choose (required). */
  host?: string;
  port: number;
  /** The nginx executable; default `nginx`. Needs the Lua module (Debian: `libnginx-mod-http-lua`). */
  nginxBinary?: string;
  /** Where `ndk_http_module.so` and `ngx_http_lua_module.so` are; default Debian's. */
  modulesDirectory?: string;
  /** Seconds between checks for a new table; default 0.2. */
  refreshSeconds?: number;
  /** Seconds an instance that refused a connection is tried last; default 2. */
  deadSeconds?: number;
  /** Names its workers where they report the table serial they hold; default `<hostname>:<port>`. */
  name?: string;
  /** Default 1; use the number of cores in production. */
  workerProcesses?: number;
  /** Where an unexpected exit of nginx and its restart are logged. */
  logger?: Logger;
}

/** A running nginx router. */
export interface NginxRouter {
  readonly url: string;
  /** The nginx master's pid while it runs. */
  readonly pid: number | undefined;
  /** How many times nginx was started again after its master exited unexpectedly. */
  readonly restarts: number;
  /** Stops nginx (graceful: requests in flight finish) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts nginx as the router: writes its configuration and the Lua module into `folder`, checks
 * the configuration (`nginx -t`), starts it and waits until it accepts connections.
 * `E_ROUTER_START` with nginx's own message when it cannot. From then on a master that exits
 * unexpectedly is started again ({@link NginxSupervisor}); its workers load the table from Redis.
 */
export async function startNginxRouter(options: NginxRouterOptions): Promise<NginxRouter> {
  const folder = path.resolve(options.folder);
  const host = options.host ?? '127.0.0.1';
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'paasmaker_router.lua'), routerLua);
  const configFile = path.join(folder, 'nginx.conf');
  await writeFile(
    configFile,
    nginxRouterConfig({
      folder,
      host,
      port: options.port,
      redis: {
        host: options.redis.host,
        port: options.redis.port,
        db: options.redis.db ?? 0,
        prefix: options.redis.prefix ?? 'pm:router:',
      },
      name: options.name ?? `${hostname()}:${options.port}`,
      refreshSeconds: options.refreshSeconds ?? 0.2,
      deadSeconds: options.deadSeconds ?? 2,
      workerProcesses: options.workerProcesses ?? 1,
      modulesDirectory: options.modulesDirectory ?? '/usr/lib/nginx/modules',
    }),
  );
  const nginx = options.nginxBinary ?? 'nginx';
  const args = ['-p', `${folder}/`, '-c', configFile, '-e', path.join(folder, 'error.log')];
  await run(nginx, ['-t', '-q', ...args]);
  const nginxProcess = new NginxSupervisor({ command: nginx, args, logger: options.logger });
  nginxProcess.start();
  const started = Date.now();
  while (!(await acceptsConnections(options.port, host))) {
    if (nginxProcess.exited || Date.now() - started > 10_000) {
      await nginxProcess.close(0);
      const log = await readFile(path.join(folder, 'error.log'), 'utf8').catch(() => '');
      throw new PaasmakerError(
        'E_ROUTER_START',
        `nginx did not start listening on ${host}:${options.port}: ${lastLine(log)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  nginxProcess.watch();
  return {
    url: `http://${host}:${options.port}`,
    get pid() {
      return nginxProcess.pid;
    },
    get restarts() {
      return nginxProcess.restarts;
    },
    close: () => nginxProcess.close(),
  };
}

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await Promise.race([once(child, 'exit'), once(child, 'error').then(([e]) => [e])])) as [
    unknown,
  ];
  if (code !== 0)
    throw new PaasmakerError(
      'E_ROUTER_START',
      `nginx refused the router's configuration: ${code instanceof Error ? code.message : lastLine(stderr)}`,
    );
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? 'no message';
}
