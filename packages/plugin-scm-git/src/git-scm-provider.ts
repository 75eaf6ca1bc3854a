import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineScm,
  type InferFromSchema,
  type JsonObject,
  KeyedLock,
  PaasmakerError,
  type ProviderCall,
  type ScmCheckoutResult,
  type ScmProvider,
} from '@paasmaker/core';
import { type GitCommandOptions, runGit } from './git-command';
import { checkGitLocation, checkGitRefName } from './git-input-safety';
import { GitMirrorCache } from './git-mirror-cache';
import { type gitScmOptionsSchema, gitScmParametersSchema } from './git-scm-schemas';

/** The `paasmaker.scm.git` plugin's options, after defaults (the plugin fills in `cacheDirectory`). */
export type GitScmOptions = Omit<InferFromSchema<typeof gitScmOptionsSchema>, 'cacheDirectory'> & {
  cacheDirectory: string;
};

/** The parameters of one checkout. */
export type GitScmParameters = InferFromSchema<typeof gitScmParametersSchema>;

type Git = Omit<GitCommandOptions, 'action'>;

/**
 * The `paasmaker.scm.git` SCM: brings the location's persistent mirror up to date (clone once,
 * then fetch), resolves the branch or revision to a commit and writes that commit's files into
 * the working directory (no `.git` folder). Checkouts of one location run one at a time.
 */
export function createGitScmProvider(options: GitScmOptions): ScmProvider {
  const cache = new GitMirrorCache({ cacheDirectory: options.cacheDirectory });
  const lock = new KeyedLock();
  let toolVersion: Promise<string> | undefined;

  return defineScm({
    parametersSchema: gitScmParametersSchema,
    async checkout(request, call: ProviderCall): Promise<ScmCheckoutResult> {
      // Deploys check the parameters against the schema; a direct caller may not have.
      const parameters = readParameters(request.parameters);
      const location = checkGitLocation(parameters.location).location;
      const branch =
        parameters.branch === undefined ? undefined : checkGitRefName(parameters.branch, 'branch');
      const revision =
        parameters.revision === undefined ? undefined : checkGitRefName(parameters.revision, 'revision');

      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error(`timed out after ${options.timeoutSeconds} s (timeoutSeconds)`)),
        options.timeoutSeconds * 1000,
      );
      const signal = AbortSignal.any([call.signal, controller.signal]);
      const git: Git = { gitBinary: options.gitBinary, signal, log: call.log };
      try {
        toolVersion ??= readToolVersion(git).catch((error: unknown) => {
          toolVersion = undefined;
          throw error;
        });
        const version = await toolVersion;
        return await lock.run(cache.mirrorDirectory(location), async () => {
          const mirror = await cache.update(location, git);
          const target = await resolveTarget(
            mirror.directory,
            mirror.update,
            { location, branch, revision },
            git,
          );
          await writeTree(mirror.directory, target.sha, request.workingDirectory, git);
          call.log.info({ location, revision: target.sha, branch: target.branch }, 'checked out');
          const outputParameters: Record<string, string> = { location, toolVersion: version };
          if (target.branch !== undefined) outputParameters.branch = target.branch;
          return { revision: target.sha, outputParameters };
        });
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/** Re-checks the parameters' types: callers validate against the schema, but a wrong type here must not reach git. */
function readParameters(parameters: JsonObject): GitScmParameters {
  const { location, branch, revision } = parameters;
  const bad = (name: string) =>
    new PaasmakerError('E_SCM_UNSAFE_INPUT', `paasmaker.scm.git: the parameter "${name}" must be a string.`);
  if (typeof location !== 'string') throw bad('location');
  if (branch !== undefined && typeof branch !== 'string') throw bad('branch');
  if (revision !== undefined && typeof revision !== 'string') throw bad('revision');
  return { location, branch, revision };
}

async function readToolVersion(git: Git): Promise<string> {
  const { stdout } = await runGit(['--version'], { ...git, action: 'version' });
  return stdout.trim().replace(/^git version\s+/, '');
}

interface Target {
  sha: string;
  branch?: string;
}

async function resolveTarget(
  mirror: string,
  update: 'cloned' | 'fetched',
  wanted: { location: string; branch?: string; revision?: string },
  git: Git,
): Promise<Target> {
  const gitDir = `--git-dir=${mirror}`;
  if (wanted.branch !== undefined) {
    const branchSha = await revParse(mirror, `refs/heads/${wanted.branch}`, git);
    if (branchSha === undefined) {
      const branches = await listBranches(mirror, git);
      throw new PaasmakerError(
        'E_SCM_FAILED',
        `paasmaker.scm.git: branch "${wanted.branch}" not found in ${wanted.location}` +
          ` (branches: ${branches.length > 0 ? branches.join(', ') : 'none'}).`,
      );
    }
    if (wanted.revision === undefined) return { sha: branchSha, branch: wanted.branch };
  }
  if (wanted.revision !== undefined) {
    const sha = await revParse(mirror, wanted.revision, git);
    if (sha === undefined) {
      throw new PaasmakerError(
        'E_SCM_FAILED',
        `paasmaker.scm.git: revision "${wanted.revision}" not found in ${wanted.location}.`,
      );
    }
    return { sha, branch: wanted.branch };
  }
  // A mirror's HEAD is the remote's default branch at clone time; after a fetch, ask again in
  // case the remote changed it.
  if (update === 'fetched') await followRemoteHead(mirror, git);
  const head = await runGit([gitDir, 'symbolic-ref', '--quiet', '--short', 'HEAD'], {
    ...git,
    action: 'symbolic-ref',
  }).then(
    (output) => output.stdout.trim() || undefined,
    () => undefined,
  );
  const sha = await revParse(mirror, 'HEAD', git);
  if (sha === undefined) {
    throw new PaasmakerError(
      'E_SCM_FAILED',
      `paasmaker.scm.git: ${wanted.location} has no commit on its default branch${head ? ` (${head})` : ''}.`,
    );
  }
  return { sha, branch: head };
}

/** The full commit id `rev` names, or `undefined` when it names no commit. */
async function revParse(mirror: string, rev: string, git: Git): Promise<string | undefined> {
  try {
    const { stdout } = await runGit(
      [`--git-dir=${mirror}`, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
      { ...git, action: 'rev-parse' },
    );
    return stdout.trim();
  } catch (error) {
    if (git.signal.aborted) throw error;
    return undefined;
  }
}

async function listBranches(mirror: string, git: Git): Promise<string[]> {
  const { stdout } = await runGit(
    [`--git-dir=${mirror}`, 'for-each-ref', '--count=20', '--format=%(refname:short)', 'refs/heads/'],
    { ...git, action: 'for-each-ref' },
  );
  return stdout.split('\n').filter((line) => line !== '');
}

async function followRemoteHead(mirror: string, git: Git): Promise<void> {
  const { stdout } = await runGit([`--git-dir=${mirror}`, 'ls-remote', '--symref', 'origin', 'HEAD'], {
    ...git,
    action: 'ls-remote',
  });
  const match = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(stdout);
  if (!match?.[1]) return;
  await runGit([`--git-dir=${mirror}`, 'symbolic-ref', 'HEAD', match[1]], { ...git, action: 'symbolic-ref' });
}

/**
 * Writes commit `sha`'s files into `workingDirectory` through a throw-away index, so the mirror
 * stays bare and no `.git` lands in the working copy.
 */
async function writeTree(mirror: string, sha: string, workingDirectory: string, git: Git): Promise<void> {
  await mkdir(workingDirectory, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'paasmaker-scm-git-'));
  try {
    await runGit(
      [`--git-dir=${mirror}`, `--work-tree=${workingDirectory}`, 'read-tree', '--reset', '-u', sha],
      {
        ...git,
        action: 'read-tree',
        env: { GIT_INDEX_FILE: join(scratch, 'index') },
      },
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
