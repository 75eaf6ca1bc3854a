import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { isPaasmakerError } from '../kernel/errors';
import { createNode, type PaasmakerNode } from '../node/create-node';
import { FIRST_ADMIN_LOGIN, formatFirstStart } from '../node/first-start';
import { DEFAULT_CLUSTER_HOSTNAME } from '../node/node-config-schema';
import { pacemakerHostname } from '../roles/pacemaker/pacemaker-route';
import { ApiClient } from './api-client';
import { type CliContext, leaf } from './context';
import { loadCredentials, saveCredentials } from './credentials';
import { reportDeployed } from './deploy-commands';
import { resolveDeploySource, startDeploy } from './deploy-source';
import { CliError, EXIT } from './errors';
import { followStarted } from './follow-started';
import { UP_PLUGINS, upNodeConfig } from './up-node-config';

interface UpOptions {
  data: string;
  apiPort: number;
  routerPort: number;
  plugin: string[];
  config?: string;
  deploy?: string;
  directory?: string;
  json?: boolean;
}

const DEFAULT_PORTS = { api: 42500, router: 42530 };

const port = (name: string) => (value: string) => {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535)
    throw new CliError(`${name} must be a port number (0–65535), not ${JSON.stringify(value)}`, EXIT.usage);
  return Number(value);
};

/** The cluster tokens of `paasmaker up`, made once and kept in `<data>/tokens.json` (0600 in a 0700 folder). */
export async function upTokens(dataFolder: string): Promise<{ superToken: string; nodeToken: string }> {
  const file = path.join(dataFolder, 'tokens.json');
  await mkdir(dataFolder, { recursive: true, mode: 0o700 });
  await chmod(dataFolder, 0o700);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { superToken?: unknown; nodeToken?: unknown };
    if (typeof stored.superToken === 'string' && typeof stored.nodeToken === 'string')
      return { superToken: stored.superToken, nodeToken: stored.nodeToken };
    throw new CliError(`${file} is not a tokens file: remove it to make new tokens`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if ((error as { code?: string }).code !== 'ENOENT')
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const tokens = { superToken: randomBytes(32).toString('hex'), nodeToken: randomBytes(32).toString('hex') };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return tokens;
}

/** Starts the embedded node of `paasmaker up`; start-up problems become one-line errors. */
async function startEmbedded(
  context: CliContext,
  options: UpOptions,
  given: { apiPort: boolean; routerPort: boolean },
): Promise<PaasmakerNode> {
  const dataFolder = path.resolve(options.data);
  const tokens = await upTokens(dataFolder);
  try {
    const config = await upNodeConfig({
      dataFolder,
      tokens,
      ...(given.apiPort ? { apiPort: options.apiPort } : {}),
      ...(given.routerPort ? { routerPort: options.routerPort } : {}),
      defaultPorts: DEFAULT_PORTS,
      plugins: options.plugin,
      ...(options.config === undefined ? {} : { config: options.config }),
      resolveFrom: process.cwd(),
      info: (line) => context.print(line),
    });
    return await createNode(config);
  } catch (error) {
    if (
      isPaasmakerError(error) &&
      error.code === 'E_PLUGIN_NOT_FOUND' &&
      UP_PLUGINS.some((plugin) => error.message.includes(`"${plugin}"`))
    )
      throw new CliError(
        `${error.message.split(';')[0]}: run npm install ${UP_PLUGINS.join(' ')} in this folder`,
      );
    if (isPaasmakerError(error)) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
}

/** A CLI login for the node's administrator: the stored one if it still works, else a new API key. */
async function ensureCredentials(context: CliContext, node: PaasmakerNode): Promise<ApiClient> {
  const pacemaker = node.pacemaker;
  if (!pacemaker) throw new CliError('the embedded node runs no pacemaker');
  const { env } = context.io;
  const stored = await loadCredentials(env).catch(() => null);
  if (stored?.url === pacemaker.url) {
    const client = new ApiClient({ url: stored.url, auth: { bearer: stored.apiKey } });
    if (
      await client.me().then(
        () => true,
        () => false,
      )
    )
      return client;
  }
  const admin = (await pacemaker.model.users.list()).find((user) => user.login === FIRST_ADMIN_LOGIN);
  if (!admin) {
    context.io.stderr.write(
      `warning: no ${FIRST_ADMIN_LOGIN} user: CLI credentials not stored (paasmaker login --url ${pacemaker.url})\n`,
    );
    return new ApiClient({
      url: pacemaker.url,
      auth: { bearer: node.config.roles.pacemaker?.superToken ?? '' },
    });
  }
  const { key, apiKey } = await pacemaker.model.users.issueApiKey(admin.id, `paasmaker up on ${hostname()}`);
  const file = await saveCredentials(env, {
    url: pacemaker.url,
    apiKey: key,
    userId: admin.id,
    apiKeyId: apiKey.id,
  });
  context.print(`CLI credentials for ${pacemaker.url} stored in ${file}.`);
  return new ApiClient({ url: pacemaker.url, auth: { bearer: key } });
}

export function addUpCommand(program: Command, context: CliContext): void {
  leaf(
    program
      .command('up')
      .description(
        'run a whole one-machine PaaS in this process (pacemaker, heart and router) until Ctrl-C; optionally deploy an app to it',
      )
      .option('--data <folder>', 'where the database, packages, instances and tokens live', './.paasmaker')
      .option('--api-port <port>', 'port of the pacemaker API', port('--api-port'), DEFAULT_PORTS.api)
      .option(
        '--router-port <port>',
        'port of the router (the apps answer there)',
        port('--router-port'),
        DEFAULT_PORTS.router,
      )
      .option(
        '--plugin <package>',
        'also load this plugin package (repeatable; resolved from the current folder)',
        (value: string, previous: string[]) => [...previous, value],
        [],
      )
      .option(
        '--config <file>',
        "a node config YAML whose roles, isolation and plugins are merged over up's (docs/cli.md)",
      )
      .option('--deploy <path-or-url>', 'deploy this folder or git URL once started (like paasmaker deploy)')
      .option('--directory <sub>', 'with --deploy: the application is in this folder of the source'),
    [
      'paasmaker up',
      'paasmaker up --deploy examples/apps/hello-node',
      'paasmaker up --data /var/lib/paasmaker --api-port 8500 --router-port 8080',
      'paasmaker up --deploy https://github.com/acme/shop.git --directory web',
      'paasmaker up --deploy examples/apps/hello-php   # with apache2 and libapache2-mod-php installed',
      'paasmaker up --plugin @acme/paasmaker-runtime-ruby --config up.yml',
    ],
  ).action(async (options: UpOptions, command: Command) => {
    if (options.directory !== undefined && options.deploy === undefined)
      throw new CliError('--directory needs --deploy', EXIT.usage);
    // Check the source before starting anything.
    const source =
      options.deploy === undefined
        ? undefined
        : await resolveDeploySource(options.deploy, { directory: options.directory });
    const node = await startEmbedded(context, options, {
      apiPort: command.getOptionValueSource('apiPort') === 'cli',
      routerPort: command.getOptionValueSource('routerPort') === 'cli',
    });
    try {
      const pacemaker = node.pacemaker;
      if (!pacemaker) throw new CliError('the embedded node runs no pacemaker');
      const workspace =
        (await pacemaker.model.workspaces.findByStub('default')) ??
        (await pacemaker.model.workspaces.create({ name: 'Default', stub: 'default' }));
      context.print(`Paasmaker is up: pacemaker ${pacemaker.url} (API ${pacemaker.url}/api/v1)`);
      if (pacemaker.kernel.plugins.some((plugin) => plugin.name === 'paasmaker.console'))
        context.print(
          `Console: ${pacemaker.url}/ (log in as a user of this PaaS, such as its first administrator)`,
        );
      const routerUrl = node.router?.url ?? node.nginxRouter?.url;
      if (routerUrl) {
        const { port } = new URL(routerUrl);
        const cluster = node.config.roles.pacemaker?.clusterHostname ?? DEFAULT_CLUSTER_HOSTNAME;
        context.print(`Router: ${routerUrl} (apps answer on *.${cluster}:${port})`);
        context.print(`Pacemaker through the router: http://${pacemakerHostname(cluster)}:${port}/`);
      }
      if (node.firstStart) context.print(formatFirstStart(node.firstStart));
      const client = await ensureCredentials(context, node);
      if (source) {
        const started = await startDeploy(client, workspace.id, source, {}, (line) => context.print(line));
        const where = source.kind === 'git' ? source.location : source.folder;
        const tree = await followStarted(context, client, started, {}, `Deploying ${where}`);
        if (tree) await reportDeployed(context, client, tree);
      } else context.print('Deploy with: paasmaker deploy <folder or git URL>');
      context.print('Ctrl-C stops it.');
      const signal = await context.stopSignal();
      context.print(`${signal} received, stopping`);
    } finally {
      await node.close();
    }
  });
}
