import { randomUUID } from 'node:crypto';
import type { JobEngine } from '../../../jobs/job-engine';
import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject } from '../../../kernel/json-schema';
import type { JobSpec } from '../../../kernel/providers/job-type-provider';
import { DEFAULT_MANIFEST_FILE } from '../../../manifest/parse-manifest';
import type { Model } from '../../../model/create-model';
import type { VersionState } from '../../../model/model-states';
import type { ApplicationVersion } from '../../../model/version-repository';
import { refuseDelete } from './coordinate-job-types';
import { DEPLOY_JOBS } from './deploy-job-names';
import { scalingTree } from './instance-type-scaling';
import type { VersionTrees } from './version-trees';

/** Where a new version's source comes from. */
export interface DeploySource {
  /** SCM plugin, e.g. `paasmaker.scm.git` or `paasmaker.scm.upload`. */
  scm: string;
  /** The SCM's parameters, at least `location`. */
  parameters: JsonObject;
  /** Path of the manifest inside the source (or `directory`); default `manifest.yml`. */
  manifestPath?: string;
  /** Deploy only this folder of the source (an app inside a monorepo). */
  directory?: string;
}

/** A version action that was started: follow it with the job engine (or `paasmaker job follow`). */
export interface StartedAction {
  treeId: string;
}

/** An instance type's new quantity, and the tree bringing its instances there (null when none was needed). */
export interface ScaledInstanceType {
  quantity: number;
  treeId: string | null;
}

const ACTIONS: Record<string, readonly VersionState[]> = {
  register: ['PREPARED', 'READY'],
  start: ['PREPARED', 'READY', 'RUNNING'],
  stop: ['RUNNING'],
  makeCurrent: ['PREPARED', 'READY', 'RUNNING'],
  deregister: ['PREPARED', 'READY'],
};

/**
 * The user actions on versions (deploy, register, start, stop, make current, rollback,
 * deregister, delete): each checks the version's state, then starts its job tree, tagged with
 * the workspace, application and version, and answers with the tree's id at once.
 */
export class VersionActions {
  constructor(
    private readonly options: { model: Model; jobs: JobEngine; trees: VersionTrees; pacemakerNode: string },
  ) {}

  /** Creates a new version from source; with `makeCurrent` (default) it is started and made current too. */
  async deploy(
    workspaceId: number,
    source: DeploySource,
    options: { makeCurrent?: boolean } = {},
  ): Promise<StartedAction> {
    await this.options.model.workspaces.get(workspaceId);
    if (typeof source.parameters.location !== 'string' || !source.parameters.location)
      throw new PaasmakerError(
        'E_DEPLOY_INVALID',
        'A deploy needs a source location (a git URL, a path or an upload).',
      );
    const deployId = randomUUID();
    const manifestPath = source.manifestPath ?? DEFAULT_MANIFEST_FILE;
    const spec: JobSpec = {
      type: DEPLOY_JOBS.deploy,
      title: `Deploy ${source.parameters.location}`,
      parameters: { location: source.parameters.location },
      children: [
        {
          type: DEPLOY_JOBS.pack,
          title: 'Package source code',
          parameters: { deployId, makeCurrent: options.makeCurrent ?? true },
          children: [
            {
              type: DEPLOY_JOBS.prepare,
              title: 'Prepare source code',
              parameters: { deployId },
              children: [
                {
                  type: DEPLOY_JOBS.manifest,
                  title: `Read ${manifestPath}`,
                  parameters: { deployId, workspaceId, manifestPath, scm: source.scm },
                  children: [
                    {
                      type: DEPLOY_JOBS.scm,
                      title: `Export source with ${source.scm}`,
                      parameters: {
                        deployId,
                        scm: source.scm,
                        parameters: source.parameters,
                        ...(source.directory ? { directory: source.directory } : {}),
                      },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    return this.begin(spec, { workspace: String(workspaceId) });
  }

  register(versionId: number): Promise<StartedAction> {
    return this.act(versionId, 'register', () => this.options.trees.register(versionId));
  }

  start(versionId: number): Promise<StartedAction> {
    return this.act(versionId, 'start', () => this.options.trees.start(versionId));
  }

  stop(versionId: number): Promise<StartedAction> {
    return this.act(versionId, 'stop', () => this.options.trees.stop(versionId));
  }

  makeCurrent(versionId: number): Promise<StartedAction> {
    return this.act(versionId, 'makeCurrent', () => this.options.trees.makeCurrent(versionId));
  }

  deregister(versionId: number): Promise<StartedAction> {
    return this.act(versionId, 'deregister', () => this.options.trees.deregister(versionId));
  }

  async delete(versionId: number): Promise<StartedAction> {
    refuseDelete(await this.options.model.versions.get(versionId));
    return this.act(versionId, 'delete', () => this.options.trees.delete(versionId));
  }

  /**
   * Deletes an application and everything it has: instances stopped and removed from their
   * hearts, hostnames, packages, then its rows. Running and current versions too.
   */
  async deleteApplication(applicationId: number): Promise<StartedAction> {
    const application = await this.options.model.applications.get(applicationId);
    return this.begin(await this.options.trees.deleteApplication(applicationId), {
      workspace: String(application.workspaceId),
      application: String(application.id),
    });
  }

  /**
   * Sets an instance type's quantity (an integer of at least 1, else `E_MODEL_INVALID`). A running
   * version starts or retires instances to match at once; one not running only retires surplus
   * instances, and places what it lacks when it next starts.
   */
  async scale(versionId: number, instanceTypeId: number, quantity: number): Promise<ScaledInstanceType> {
    const { model, trees } = this.options;
    if (!Number.isSafeInteger(quantity) || quantity < 1)
      throw new PaasmakerError(
        'E_MODEL_INVALID',
        `A quantity is a whole number of at least 1, not ${quantity}.`,
      );
    const version = await model.versions.get(versionId);
    const instanceType = await model.instanceTypes.get(instanceTypeId);
    if (instanceType.versionId !== version.id)
      throw new PaasmakerError(
        'E_MODEL_NOT_FOUND',
        `Version ${version.number} has no instance type ${instanceTypeId}.`,
      );
    const scaled = await model.instanceTypes.update(instanceType.id, { quantity });
    const spec = await scalingTree(model, trees, version, scaled);
    if (!spec) return { quantity: scaled.quantity, treeId: null };
    const tags = { ...(await this.tags(version)), instanceType: String(instanceType.id) };
    return { quantity: scaled.quantity, treeId: (await this.begin(spec, tags)).treeId };
  }

  /** Makes the newest version older than the current one current again (its package is kept: no rebuild). */
  async rollback(applicationId: number): Promise<StartedAction> {
    const versions = await this.options.model.versions.list({ applicationId });
    const current = versions.find((version) => version.isCurrent);
    if (!current)
      throw new PaasmakerError(
        'E_INSTANCE_STATE',
        'The application has no current version to roll back from.',
      );
    const target = versions
      .filter((version) => version.number < current.number && version.state !== 'NEW')
      .sort((a, b) => b.number - a.number)[0];
    if (!target)
      throw new PaasmakerError(
        'E_INSTANCE_STATE',
        `No version before ${current.number} can be made current.`,
      );
    return this.makeCurrent(target.id);
  }

  private async act(
    versionId: number,
    action: string,
    build: () => Promise<JobSpec>,
  ): Promise<StartedAction> {
    const version = await this.options.model.versions.get(versionId);
    const allowed = ACTIONS[action];
    if (allowed && !allowed.includes(version.state))
      throw new PaasmakerError(
        'E_INSTANCE_STATE',
        `Cannot ${actionWords(action)} version ${version.number}: it is ${version.state} (allowed: ${allowed.join(', ')}).`,
      );
    return this.begin(await build(), await this.tags(version));
  }

  private async tags(version: ApplicationVersion): Promise<Record<string, string>> {
    const application = await this.options.model.applications.get(version.applicationId);
    return {
      workspace: String(application.workspaceId),
      application: String(application.id),
      version: String(version.id),
    };
  }

  private async begin(spec: JobSpec, tags: Record<string, string>): Promise<StartedAction> {
    const treeId = await this.options.jobs.createTree(withNode(spec, this.options.pacemakerNode), { tags });
    return { treeId };
  }
}

/** Jobs without a node run on the pacemaker. */
function withNode(spec: JobSpec, node: string): JobSpec {
  return { ...spec, node: spec.node ?? node, children: spec.children?.map((child) => withNode(child, node)) };
}

function actionWords(action: string): string {
  return action === 'makeCurrent' ? 'make current' : action;
}
