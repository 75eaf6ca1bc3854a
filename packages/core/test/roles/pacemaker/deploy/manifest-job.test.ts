import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../../src/kernel/errors';
import { createModel, type Model } from '../../../../src/model/create-model';
import { acmeHooks, manifestJobRun, webManifest } from './manifest-job-runner';

const manifest = (hostname: string, application = 'shop') => webManifest(application, [hostname]);

describe('the manifest job', () => {
  let folder: string;
  let model: Model;
  const hooks = acmeHooks();

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-manifest-job-'));
    model = await createModel({ filename: path.join(folder, 'model.sqlite') });
  });
  afterAll(async () => {
    await model?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const run = async (text: string, stub = 'acme') => {
    const workspace =
      (await model.workspaces.findByStub(stub)) ?? (await model.workspaces.create({ name: stub, stub }));
    return (
      await manifestJobRun({ model, hooks, workFolder: path.join(folder, 'work') }, workspace.id, text)
    )();
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
