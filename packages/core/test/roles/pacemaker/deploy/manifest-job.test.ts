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

const manifest = (hostname: string) => `manifest:
  format: 1
application:
  name: shop
instances:
  - name: web
    runtime:
      plugin: acme.runtime
      version: "1"
    hostnames:
      - ${hostname}
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

  const run = async (text: string) => {
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
      (await model.workspaces.findByStub('acme')) ??
      (await model.workspaces.create({ name: 'Acme', stub: 'acme' }));
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

  it('records a manifest with other hostnames under the cluster hostname', async () => {
    const outcome = await run(manifest('pacemaker.shop.cluster.test'));
    expect(outcome?.summary).toBe('Version 1 of shop recorded.');
    const [type] = await model.instanceTypes.list();
    expect(await model.instanceTypes.hostnames(type?.id ?? 0)).toEqual(['pacemaker.shop.cluster.test']);
  });
});
