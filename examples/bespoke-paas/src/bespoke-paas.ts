// A whole one-machine PaaS in one function: pacemaker, heart and router in this process, on
// SQLite in `dataFolder`, with the Node runtime and git SCM plugins passed in as objects.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createNode, type PaasmakerNode, parseNodeConfig } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';

export interface BespokePaasOptions {
  /** Where the database, packages, instances and logs live. */
  dataFolder: string;
  /** Ports of the HTTP API and of the router (0 picks free ones), and of instances. */
  apiPort?: number;
  routerPort?: number;
  instancePorts?: { min: number; max: number };
}

export async function startBespokePaas(options: BespokePaasOptions): Promise<PaasmakerNode> {
  const token = () => randomBytes(24).toString('hex');
  // The same settings a `paasmaker.yml` would hold; secrets are made fresh for each start.
  const config = parseNodeConfig(
    JSON.stringify({
      name: 'bespoke',
      dataFolder: options.dataFolder,
      logLevel: 'warn',
      roles: {
        pacemaker: { superToken: token(), nodeToken: token(), api: { port: options.apiPort ?? 0 } },
        heart: {
          stopInstancesOnClose: true,
          ...(options.instancePorts ? { ports: options.instancePorts } : {}),
        },
        router: { port: options.routerPort ?? 0 },
      },
    }),
  );
  // Plugins as objects: the runtime that runs apps, and the SCM that fetches their source.
  return createNode(config, {
    plugins: [
      nodeRuntime,
      { plugin: gitScm, options: { cacheDirectory: path.join(options.dataFolder, 'git-cache') } },
    ],
  });
}

/** Deploys an app from a git repository (optionally one folder of it) and waits until it is live. */
export async function deployFromGit(node: PaasmakerNode, location: string, directory?: string) {
  const pacemaker = node.pacemaker;
  if (!pacemaker) throw new Error('the node runs no pacemaker');
  const { model, actions, jobs } = pacemaker;
  const workspace =
    (await model.workspaces.findByStub('default')) ??
    (await model.workspaces.create({ name: 'Default', stub: 'default' }));
  const source = { scm: 'paasmaker.scm.git', parameters: { location }, ...(directory ? { directory } : {}) };
  const tree = await jobs.waitForTree((await actions.deploy(workspace.id, source)).treeId);
  const root = tree.jobs[0];
  // The job that failed, else the aborted root; its summary says which ("Failed: …", "Aborted …").
  const culprit = tree.jobs.find((job) => job.state === 'FAILED') ?? root;
  if (root?.state !== 'SUCCESS')
    throw new Error(`Deploy did not succeed: ${culprit?.title}: ${culprit?.summary}`);
  return tree;
}
