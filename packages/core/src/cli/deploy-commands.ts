import type { Command } from 'commander';
import type { ApiClient, TreeView } from './api-client';
import { CliContext, leaf, parseId } from './context';
import {
  chooseWorkspace,
  type DeployOptions,
  deployedVersion,
  resolveDeploySource,
  startDeploy,
} from './deploy-source';
import { EXIT } from './errors';
import { followStarted } from './follow-started';
import { patientReader } from './patient-reader';

interface DeployCommandOptions extends DeployOptions {
  workspace?: string;
  directory?: string;
  follow?: boolean;
  json?: boolean;
}

export function addDeployCommands(program: Command, context: CliContext): void {
  leaf(
    program
      .command('deploy')
      .description(
        `deploy an application: from a git URL, a folder in a git repository (its committed state), or a plain folder (uploaded); follows the job tree and prints the URLs; exits ${EXIT.jobFailed} when the deploy fails`,
      )
      .argument('<source>', 'a git URL (https://, ssh://, git://, user@host:path) or a local folder')
      .option('--workspace <id>', 'default: the only workspace, else the one with the stub "default"')
      .option('--branch <branch>', 'git: the branch to deploy')
      .option('--revision <revision>', 'git: the commit to deploy')
      .option('--directory <sub>', 'the application is in this folder of the source')
      .option('--manifest <path>', 'its manifest file, relative to the application (default manifest.yml)')
      .option('--no-current', 'register the new version without starting it or making it current')
      .option('--no-follow', 'print the job tree id and return at once'),
    [
      'paasmaker deploy .',
      'paasmaker deploy examples/apps/hello-node --workspace 3',
      'paasmaker deploy https://github.com/acme/shop.git --branch main --directory web',
      'paasmaker deploy ./site --no-current --no-follow --json',
    ],
  ).action(async (source: string, options: DeployCommandOptions) => {
    const workspaceId =
      options.workspace === undefined ? undefined : parseId(options.workspace, 'workspace id');
    const spec = await resolveDeploySource(source, { directory: options.directory });
    const client = await context.client();
    const workspace = await chooseWorkspace(client, workspaceId);
    const note = (line: string) => {
      if (!options.json) context.print(line);
    };
    const started = await startDeploy(client, workspace.id, spec, options, note);
    const where = spec.kind === 'git' ? spec.location : spec.folder;
    const tree = await followStarted(
      options.json ? silentContext(context) : context,
      client,
      started,
      { follow: options.follow, json: options.json },
      `Deploying ${where}${spec.directory ? ` (${spec.directory})` : ''} to workspace ${workspace.stub}`,
    );
    if (options.follow === false && options.json) context.json(started);
    if (tree) await reportDeployed(context, client, tree, options.json);
  });
}

/** A context that prints nothing (so `--json` prints one document). */
function silentContext(context: CliContext): CliContext {
  return new CliContext({ ...context.io, stdout: { write: () => true } });
}

/** After a deploy succeeded: `<app> is live: <urls>` (or the deploy's ids and URLs as JSON). */
export async function reportDeployed(
  context: CliContext,
  client: ApiClient,
  tree: TreeView,
  json?: boolean,
): Promise<string[]> {
  const deployed = deployedVersion(tree);
  if (!deployed) {
    if (json) context.json({ treeId: tree.treeId });
    return [];
  }
  // The deploy is done; a pacemaker that is briefly away must not turn it into a failure.
  const reader = patientReader(context, client.url, `paasmaker app instances ${deployed.applicationId}`);
  const instances = await reader.read((timeoutMs) =>
    client.listInstances(deployed.applicationId, { timeoutMs }),
  );
  if (json) {
    context.json({
      treeId: tree.treeId,
      ...deployed,
      application: instances.application,
      urls: instances.urls,
    });
    return instances.urls;
  }
  const version = await reader
    .read((timeoutMs) => client.getVersion(deployed.versionId, { timeoutMs }))
    .catch(() => undefined);
  if (version && !version.isCurrent)
    context.print(
      `${instances.application} version ${version.number} (id ${version.id}) is ${version.state}, not current: paasmaker version current ${version.id}`,
    );
  else if (instances.urls.length)
    context.print(`${instances.application} is live: ${instances.urls.join(' ')}`);
  else context.print(`${instances.application} is deployed (it answers on no URL).`);
  return instances.urls;
}
