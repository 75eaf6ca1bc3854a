import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject } from '../../../kernel/json-schema';
import type { KernelHooks } from '../../../kernel/kernel-hooks';
import {
  defineJobType,
  type JobRun,
  type JobTypeProvider,
} from '../../../kernel/providers/job-type-provider';
import { fieldName } from '../../../manifest/manifest-error';
import { parameterProblems } from '../../../manifest/manifest-plugin-check';
import type { Manifest } from '../../../manifest/manifest-types';
import { parseManifest } from '../../../manifest/parse-manifest';
import type { Model } from '../../../model/create-model';
import { runAsTenant } from '../../../tenancy/tenant-context';
import { tenantBaseEnvironment } from '../../../tenancy/tenant-environment';
import { giveToTenant, takeFromTenant } from '../../../tenancy/tenant-folders';
import type { TenantUsers } from '../../../tenancy/tenant-users';
import { refusePlatformHostnames } from './hostname-claims';
import { recordManifest } from './record-manifest';
import type { VersionTrees } from './version-trees';

/** What the prepare job types work with. */
export interface PrepareJobsOptions {
  model: Model;
  hooks: KernelHooks;
  trees: VersionTrees;
  /** Folder working copies and packages are made in (one subfolder per deploy). */
  workFolder: string;
  /** The users prepare commands run as. */
  tenants: TenantUsers;
  /** The cluster's hostname: `pacemaker.<it>` is the pacemaker's, which no manifest may claim. */
  clusterHostname: string;
}

const call = (job: JobRun) => ({ log: job.log, signal: job.signal });

function provider<K extends 'scm' | 'prepare' | 'packer' | 'storer'>(
  hooks: KernelHooks,
  kind: K,
  name: string,
): NonNullable<ReturnType<KernelHooks[K]['find']>> {
  const found = hooks[kind].find(name) as ReturnType<KernelHooks[K]['find']>;
  if (!found)
    throw new PaasmakerError(
      'E_PROVIDER_UNKNOWN',
      `No ${kind} plugin ${name} is loaded; loaded: ${hooks[kind].names().join(', ') || 'none'}.`,
    );
  return found as NonNullable<ReturnType<KernelHooks[K]['find']>>;
}

/** A working folder of the deploy: `<workFolder>/<deployId>`; ids are UUIDs, checked by the schemas. */
function workingDirectory(options: PrepareJobsOptions, deployId: string): string {
  return path.join(options.workFolder, deployId);
}

const deployIdSchema = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;

/**
 * A deploy step that works in the deploy's working folder: when it fails (or is aborted) the
 * folder and its checkout go, so a failed deploy leaves nothing under the work folder. The
 * folder may belong to the tenant then (a prepare command failed); the node removes it anyway.
 */
function removingWorkOnFailure<P extends { deployId: string }>(
  options: PrepareJobsOptions,
  step: JobTypeProvider<P>,
): JobTypeProvider<P> {
  return {
    ...step,
    async run(job) {
      try {
        return await step.run(job);
      } catch (error) {
        const directory = workingDirectory(options, job.parameters.deployId);
        for (const folder of [directory, `${directory}.checkout`])
          await rm(folder, { recursive: true, force: true }).catch((removal: unknown) =>
            job.log.warn({ err: removal, folder }, 'Could not remove the working folder of a failed deploy.'),
          );
        throw error;
      }
    },
  };
}

/** SCM export: writes the source into the deploy's working folder (only `directory` of it, if given) and records the revision. */
export function scmJob(options: PrepareJobsOptions): JobTypeProvider {
  return removingWorkOnFailure(
    options,
    defineJobType({
      parametersSchema: {
        type: 'object',
        required: ['deployId', 'scm', 'parameters'],
        properties: {
          deployId: deployIdSchema,
          scm: { type: 'string' },
          parameters: { type: 'object' },
          directory: { type: 'string', minLength: 1 },
        },
      },
      async run(job) {
        const { deployId, scm, parameters, directory } = job.parameters;
        const source = provider(options.hooks, 'scm', scm);
        // Checked here, as the manifest checks other providers' parameters, so that an SCM's
        // parameters are what its schema (and so its parameter type) says.
        const problems = parameterProblems(source.parametersSchema, parameters);
        if (problems.length)
          throw new PaasmakerError(
            'E_DEPLOY_INVALID',
            `The ${scm} parameters are invalid: ${problems.map((p) => `${fieldName(p.path)} ${p.message}`).join('; ')}.`,
          );
        const target = workingDirectory(options, deployId);
        const checkout = directory ? `${target}.checkout` : target;
        for (const folder of [target, checkout]) await rm(folder, { recursive: true, force: true });
        await mkdir(checkout, { recursive: true });
        job.log.info(`Checking out ${String(parameters.location ?? '')} with ${scm}`);
        const result = await source.checkout({ parameters, workingDirectory: checkout }, call(job));
        if (directory) await keepSubfolder(checkout, directory, target);
        return {
          context: {
            scmRevision: result.revision ?? null,
            scmParameters: {
              ...parameters,
              ...(result.outputParameters ?? {}),
              ...(directory ? { directory } : {}),
            },
          },
          summary: result.revision ? `Checked out revision ${result.revision}.` : 'Source exported.',
        };
      },
    }),
  );
}

/** Makes `directory` of a checkout the working folder (a monorepo's app); refuses paths leaving the checkout. */
async function keepSubfolder(checkout: string, directory: string, target: string): Promise<void> {
  const source = path.resolve(checkout, directory);
  try {
    if (!source.startsWith(checkout + path.sep) || !(await stat(source)).isDirectory())
      throw new PaasmakerError('E_DEPLOY_INVALID', `The source has no folder ${directory}.`);
    await rename(source, target);
  } finally {
    await rm(checkout, { recursive: true, force: true });
  }
}

/** Manifest reader: reads and checks the manifest, then records the application, version, instance types and services. */
export function manifestJob(options: PrepareJobsOptions): JobTypeProvider {
  return removingWorkOnFailure(
    options,
    defineJobType({
      parametersSchema: {
        type: 'object',
        required: ['deployId', 'workspaceId', 'manifestPath', 'scm'],
        properties: {
          deployId: deployIdSchema,
          workspaceId: { type: 'integer' },
          manifestPath: { type: 'string', minLength: 1 },
          scm: { type: 'string' },
        },
      },
      async run(job) {
        const { deployId, workspaceId, manifestPath, scm } = job.parameters;
        const directory = workingDirectory(options, deployId);
        const file = path.resolve(directory, manifestPath);
        if (!file.startsWith(directory + path.sep))
          throw new PaasmakerError(
            'E_MANIFEST_UNREADABLE',
            `The manifest path ${manifestPath} is outside the source.`,
          );
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          throw new PaasmakerError(
            'E_MANIFEST_UNREADABLE',
            `The source has no manifest at ${manifestPath}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        const manifest: Manifest = parseManifest(text, {
          file: manifestPath,
          kernel: { hooks: options.hooks },
        });
        refusePlatformHostnames(manifest, manifestPath, options.clusterHostname);
        const recorded = await recordManifest(options.model, options.hooks, {
          workspaceId,
          manifest,
          manifestText: text,
          manifestPath,
          scmName: scm,
          scmParameters: (job.context.scmParameters ?? {}) as JsonObject,
          scmRevision: (job.context.scmRevision as string | null) ?? null,
          call: call(job),
        });
        job.log.info(`Application ${manifest.application.name}, version ${recorded.versionNumber}`);
        return {
          context: { applicationId: recorded.applicationId, versionId: recorded.versionId },
          summary: `Version ${recorded.versionNumber} of ${manifest.application.name} recorded.`,
        };
      },
    }),
  );
}

/**
 * Preparer: runs the manifest's prepare commands in the working folder, in order, as the
 * application's own user with an allow-listed environment; the folder is the node's again
 * (and nobody else's to change) before it is packed.
 */
export function prepareJob(options: PrepareJobsOptions): JobTypeProvider {
  return removingWorkOnFailure(
    options,
    defineJobType({
      parametersSchema: { type: 'object', required: ['deployId'], properties: { deployId: deployIdSchema } },
      async run(job) {
        const versionId = Number(job.context.versionId);
        const version = await options.model.versions.get(versionId);
        const application = await options.model.applications.get(version.applicationId);
        const manifest = parseManifest(version.manifest ?? '');
        const directory = workingDirectory(options, job.parameters.deployId);
        const workspace = await options.model.workspaces.get(application.workspaceId);
        const key = { workspaceStub: workspace.stub, application: application.name };
        const tenant = await options.tenants.forApplication(key);
        const environment = {
          ...tenantBaseEnvironment({
            home: tenant?.home ?? options.tenants.sharedHome(key),
            passEnvironment: options.tenants.passEnvironment,
          }),
          ...application.configVars,
        };
        if (tenant) await giveToTenant(directory, tenant);
        try {
          await runAsTenant(tenant, async () => {
            for (const command of manifest.application.prepare.commands) {
              job.log.info(`Prepare step ${command.name || command.plugin}`);
              await provider(options.hooks, 'prepare', command.plugin).run(
                { directory, environment, parameters: command.parameters },
                call(job),
              );
            }
          });
        } finally {
          if (tenant) await takeFromTenant(directory);
        }
        return { summary: `${manifest.application.prepare.commands.length} prepare step(s) done.` };
      },
    }),
  );
}

/** Packer: packs and stores the prepared source; the version becomes PREPARED and may go on to be made current. */
export function packJob(options: PrepareJobsOptions): JobTypeProvider {
  return defineJobType({
    parametersSchema: {
      type: 'object',
      required: ['deployId', 'makeCurrent'],
      properties: { deployId: deployIdSchema, makeCurrent: { type: 'boolean' } },
    },
    async run(job) {
      const { deployId } = job.parameters;
      const versionId = Number(job.context.versionId);
      const directory = workingDirectory(options, deployId);
      try {
        const packed = await provider(options.hooks, 'packer', 'default').pack(
          { directory, destinationPrefix: `${directory}.package` },
          call(job),
        );
        const stored = await provider(options.hooks, 'storer', 'default').store(packed, call(job));
        await options.model.versions.update(versionId, {
          sourcePath: stored.url,
          sourceChecksum: packed.checksum,
          sourcePackageType: packed.packageType,
          state: 'PREPARED',
        });
        job.log.info(`Package stored: ${stored.url}`);
      } finally {
        await rm(directory, { recursive: true, force: true });
        await rm(`${directory}.package.tar.gz`, { force: true });
      }
      if (job.parameters.makeCurrent)
        await job.graft(job.treeId, [await options.trees.makeCurrent(versionId)]);
      return { result: { versionId }, summary: 'Source packed and stored.' };
    },
  });
}

/** The deploy's root: done once the version is prepared (and, if asked, current). */
export function deployJob(): JobTypeProvider {
  return defineJobType({
    parametersSchema: { type: 'object', properties: { location: { type: 'string' } } },
    async run(job) {
      return {
        result: {
          applicationId: Number(job.context.applicationId),
          versionId: Number(job.context.versionId),
        },
        summary: 'Deployed.',
      };
    },
  });
}
