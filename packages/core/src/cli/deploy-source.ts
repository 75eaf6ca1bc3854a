import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPaasmakerError } from '../kernel/errors';
import { packFolder } from '../packages/pack-folder';
import type { ApiClient, DeployRequest, TreeView, WorkspaceView } from './api-client';
import { CliError, EXIT } from './errors';

export const GIT_SCM = 'paasmaker.scm.git';
export const UPLOAD_SCM = 'paasmaker.scm.upload';

/** Where a deploy's source comes from: a git location (URL or repository folder), or a plain folder to upload. */
export type DeploySourceSpec =
  | { kind: 'git'; location: string; directory?: string }
  | { kind: 'folder'; folder: string; directory?: string };

/** http(s)://, ssh://, git://, file:// URLs and scp-like `user@host:path`. */
export function isRemoteLocation(source: string): boolean {
  return /^(https?|ssh|git|file):\/\//i.test(source) || /^[^@\s/:]+@[^:\s/]+:/.test(source);
}

/** The top of the git work tree `folder` is in, or undefined (not in git, or git is not installed). */
function gitTopLevel(folder: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', folder, 'rev-parse', '--show-toplevel'], { timeout: 10_000 }, (error, stdout) => {
      const top = stdout?.toString().trim();
      resolve(error || !top ? undefined : top);
    });
  });
}

/**
 * Decides how to deploy `source`: a URL as is; a folder in a git work tree as that repository
 * (its root, with the folder's path inside it as `directory` unless one is given); any other
 * folder as an upload.
 */
export async function resolveDeploySource(
  source: string,
  options: { directory?: string; cwd?: string } = {},
): Promise<DeploySourceSpec> {
  const { directory } = options;
  if (isRemoteLocation(source)) return { kind: 'git', location: source, ...(directory ? { directory } : {}) };
  const folder = path.resolve(options.cwd ?? process.cwd(), source);
  const stats = await stat(folder).catch(() => undefined);
  if (!stats?.isDirectory())
    throw new CliError(
      `${source} is neither a folder nor a git URL (http(s)://, ssh://, git://, user@host:path)`,
      EXIT.usage,
    );
  const top = await gitTopLevel(folder);
  if (top) {
    const root = await realpath(top);
    const inside = path
      .relative(root, await realpath(folder))
      .split(path.sep)
      .join('/');
    const sub = directory ?? (inside && !inside.startsWith('..') ? inside : undefined);
    return { kind: 'git', location: root, ...(sub ? { directory: sub } : {}) };
  }
  const hasGit = await stat(path.join(folder, '.git')).catch(() => undefined);
  if (hasGit) return { kind: 'git', location: folder, ...(directory ? { directory } : {}) };
  return { kind: 'folder', folder, ...(directory ? { directory } : {}) };
}

/** `--workspace`, else the only workspace, else the one with stub `default`. */
export async function chooseWorkspace(client: ApiClient, id?: number): Promise<WorkspaceView> {
  if (id !== undefined) return client.getWorkspace(id);
  const workspaces = await client.listWorkspaces();
  if (workspaces.length === 1 && workspaces[0]) return workspaces[0];
  const fallback = workspaces.find((w) => w.stub === 'default');
  if (fallback) return fallback;
  if (!workspaces.length)
    throw new CliError(
      'there is no workspace to deploy to: create one (paasmaker workspace create Default default)',
    );
  throw new CliError(
    `give --workspace <id>: there are several workspaces and none has the stub "default" (${workspaces
      .map((w) => `${w.id} ${w.stub}`)
      .join(', ')})`,
  );
}

export interface DeployOptions {
  branch?: string;
  revision?: string;
  manifest?: string;
  /** false with `--no-current`. */
  current?: boolean;
}

/** Starts the deploy (packing and uploading a plain folder first); resolves with its tree id. */
export async function startDeploy(
  client: ApiClient,
  workspaceId: number,
  source: DeploySourceSpec,
  options: DeployOptions,
  note: (line: string) => void = () => undefined,
): Promise<{ treeId: string }> {
  const common: Omit<DeployRequest, 'scm' | 'parameters'> = {
    ...(options.manifest ? { manifestPath: options.manifest } : {}),
    ...(source.directory ? { directory: source.directory } : {}),
    ...(options.current === false ? { makeCurrent: false } : {}),
  };
  if (source.kind === 'git')
    return client.deploy(workspaceId, {
      scm: GIT_SCM,
      parameters: {
        location: source.location,
        ...(options.branch ? { branch: options.branch } : {}),
        ...(options.revision ? { revision: options.revision } : {}),
      },
      ...common,
    });
  if (options.branch || options.revision)
    throw new CliError(
      `${source.folder} is not in a git repository: --branch and --revision need one`,
      EXIT.usage,
    );
  const temporary = await mkdtemp(path.join(tmpdir(), 'paasmaker-upload-'));
  try {
    const file = path.join(temporary, 'source.tar.gz');
    try {
      await packFolder(source.folder, file);
    } catch (error) {
      if (isPaasmakerError(error)) throw new CliError(`${error.code}: ${error.message}`);
      throw error;
    }
    const uploaded = await client.upload(workspaceId, await readFile(file));
    note(`Uploaded ${source.folder} (${uploaded.bytes} bytes).`);
    return client.deploy(workspaceId, {
      scm: UPLOAD_SCM,
      parameters: { location: uploaded.location },
      ...common,
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** The application and version a finished deploy tree made (its root job's result). */
export function deployedVersion(tree: TreeView): { applicationId: number; versionId: number } | undefined {
  const result = tree.jobs[0]?.result as { applicationId?: unknown; versionId?: unknown } | undefined;
  const applicationId = Number(result?.applicationId ?? tree.context?.applicationId);
  const versionId = Number(result?.versionId ?? tree.context?.versionId);
  if (!Number.isInteger(applicationId) || applicationId <= 0) return undefined;
  return { applicationId, versionId };
}
