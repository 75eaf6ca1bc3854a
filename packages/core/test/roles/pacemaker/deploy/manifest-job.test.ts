import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../../src/kernel/errors';
import { createKernelHooks } from '../../../../src/kernel/kernel-hooks';
import type { JobRun } from '../../../../src/kernel/providers/job-type-provider';
import type { RuntimeProvider } from '../../../../src/kernel/providers/runtime-provider';
import { createModel, type Model } from '../../../../src/model/create-model';
import {
  manifestJob,
  type PrepareJobsOptions,
} from '../../../../src/roles/pacemaker/deploy/prepare-job-types';

const DEPLOY_ID = '1f0e0d0c-0b0a-4908-8706-050403020100';
const unused = () => Promise.reject(new Error('not used by the manifest job'));
const runtime: RuntimeProvider = { versions: async () => ['1'], start: unused, stop: unused, status: unused };

/** Stands for what the manifest job never touches (version trees, tenant users). */
const untouched = new Proxy(
  {},
  {
    get(_target, key) {
      throw new Error(`the manifest job used ${String(key)}`);
    },
  },
) as never;

const manifest = (hostname: string, application = 'shop') => `manifest:
  format: 1
application:
  name: ${application}
instances:
  - name: web
    runtime:
      plugin: acme.runtime
      version: "1"
    hostnames:
      - "${hostname}"
`;

describe('the manifest job', () => {
  let folder: string;
  let model: Model;
  const hooks = createKernelHooks();
  hooks.runtime.for('acme.runtime').tap('test', () => runtime);

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-manifest-job-'));
    model = await createModel({ filename: path.join(folder, 'model.sqlite') });
  });
  afterAll(async () => {
    await model?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const run = async (text: string, stub = 'acme') => {
    const workFolder = path.join(folder, 'work');
    await mkdir(path.join(workFolder, DEPLOY_ID), { recursive: true });
    await writeFile(path.join(workFolder, DEPLOY_ID, 'manifest.yml'), text);
    const options: PrepareJobsOptions = {
      hooks,
      workFolder,
      model,
      trees: untouched,
      tenants: untouched,
      clusterHostname: 'cluster.test',
    };
    const workspace =
      (await model.workspaces.findByStub(stub)) ?? (await model.workspaces.create({ name: stub, stub }));
    const job: JobRun = {
      jobId: 'j1',
      treeId: 'j1',
      nodeId: 'local',
      parameters: {
        deployId: DEPLOY_ID,
        workspaceId: workspace.id,
        manifestPath: 'manifest.yml',
        scm: 'acme.scm',
      },
      context: {},
      childResults: {},
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
      graft: async () => [],
    };
    return manifestJob(options).run(job);
  };

  it("refuses a manifest that claims the pacemaker's hostname, before recording anything", async () => {
    const refused = await run(manifest('pacemaker.cluster.test')).catch((error: unknown) => error);
    expect(isPaasmakerError(refused, 'E_MANIFEST_INVALID')).toBe(true);
    expect((refused as Error).message).toBe(
      "manifest.yml: instances web: hostnames: pacemaker.cluster.test is the pacemaker's own hostname; no application can be routed on it.",
    );
    expect(await model.applications.list({})).toEqual([]);
  });

  it('refuses every other name under the cluster hostname: the platform generates those for all applications', async () => {
    for (const hostname of ['web.blog.other.cluster.test', '*.acme.cluster.test', 'cluster.test']) {
      const refused = await run(manifest(hostname)).catch((error: unknown) => error);
      expect(isPaasmakerError(refused, 'E_MANIFEST_INVALID')).toBe(true);
      expect((refused as Error).message).toBe(
        `manifest.yml: instances web: hostnames: ${hostname} is under the cluster hostname cluster.test, whose names the platform generates for every application; claim a hostname of your own domain.`,
      );
    }
    expect(await model.applications.list({})).toEqual([]);
  });

  it('records hostnames of its own domain, and keeps them for the next version of the same application', async () => {
    expect((await run(manifest('shop.example.com')))?.summary).toBe('Version 1 of shop recorded.');
    expect((await run(manifest('shop.example.com')))?.summary).toBe('Version 2 of shop recorded.');
    const types = await model.instanceTypes.list();
    for (const type of types)
      expect(await model.instanceTypes.hostnames(type.id)).toEqual(['shop.example.com']);
  });

  it('refuses a hostname another application holds, in any workspace, without naming it', async () => {
    for (const [application, stub] of [
      ['blog', 'acme'],
      ['shop', 'rival'],
    ] as const) {
      const refused = await run(manifest('shop.example.com', application), stub).catch(
        (error: unknown) => error,
      );
      expect(isPaasmakerError(refused, 'E_MANIFEST_INVALID')).toBe(true);
      expect((refused as Error).message).toBe(
        'manifest.yml: instances web: hostnames: shop.example.com is already claimed by another application.',
      );
    }
    expect((await model.applications.list({})).map((application) => application.name)).toEqual(['shop']);
  });
});
