import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFileKey, sqliteFileLocks } from '../../../../src/database/sqlite-file-lock';
import { isPaasmakerError } from '../../../../src/kernel/errors';
import { createModel, type Model } from '../../../../src/model/create-model';
import { type ModelBackend, modelBackends, unique } from '../../../model/model-backends';
import { acmeHooks, manifestJobRun, webManifest } from './manifest-job-runner';

describe.each(modelBackends)('two tenants deploying one new hostname at once, on $name', ({ open }) => {
  let backend: ModelBackend;
  let model: Model;
  let folder: string;
  const hooks = acmeHooks();

  beforeAll(async () => {
    backend = await open();
    model = await createModel(backend.options);
    folder = await mkdtemp(path.join(tmpdir(), 'pm-hostname-race-'));
  });
  afterAll(async () => {
    await model?.close();
    await backend?.cleanUp();
    await rm(folder, { recursive: true, force: true });
  });

  /** Names of the applications whose instance types name `hostname`. */
  async function holders(hostname: string): Promise<string[]> {
    const names: string[] = [];
    for (const application of await model.applications.list())
      for (const version of await model.versions.list({ applicationId: application.id }))
        for (const type of await model.instanceTypes.list({ versionId: version.id }))
          if ((await model.instanceTypes.hostnames(type.id)).includes(hostname)) names.push(application.name);
    return [...new Set(names)];
  }

  /**
   * Starts the runs together. On SQLite they first queue behind a hold of the file's lock (as
   * behind a busy job store on the same file), so their statements take turns instead of one
   * deploy running through before the other has read its manifest.
   */
  async function together<T>(runs: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
    const file = 'filename' in backend.options ? sqliteFileKey(backend.options.filename) : undefined;
    if (file === undefined) return Promise.allSettled(runs.map((run) => run()));
    let release = () => {};
    const held = sqliteFileLocks.run(file, () => new Promise<void>((resolve) => (release = resolve)));
    const outcomes = Promise.allSettled(runs.map((run) => run()));
    await sleep(patient(300));
    release();
    await held;
    return outcomes;
  }

  it('records exactly one of them; the other is refused and leaves no rows', async () => {
    const setting = { model, hooks, workFolder: path.join(folder, 'work') };
    for (let round = 0; round < 4; round += 1) {
      const hostname = `${unique('shop')}.example.com`;
      const tenants = await Promise.all(
        ['a', 'b'].map((side) => model.workspaces.create({ name: unique(side), stub: unique(side) })),
      );
      const deploys = await Promise.all(
        tenants.map((workspace) =>
          manifestJobRun(
            setting,
            workspace.id,
            webManifest(`shop-${workspace.stub}`, [hostname, `www.${hostname}`]),
          ),
        ),
      );
      const outcomes = await together(deploys);
      const refused = outcomes.flatMap((outcome, index) =>
        outcome.status === 'rejected' ? [{ reason: outcome.reason as unknown, index }] : [],
      );
      expect(refused).toHaveLength(1);
      const [{ reason, index }] = refused as [{ reason: unknown; index: number }];
      expect(isPaasmakerError(reason, 'E_MANIFEST_INVALID')).toBe(true);
      expect((reason as Error).message).toBe(
        `manifest.yml: instances web: hostnames: ${hostname} is already claimed by another application.`,
      );
      const loser = tenants[index];
      const winner = tenants[1 - index];
      expect(await model.applications.list({ workspaceId: loser?.id })).toEqual([]);
      expect(await holders(hostname)).toEqual([`shop-${winner?.stub}`]);
      expect(await holders(`www.${hostname}`)).toEqual([`shop-${winner?.stub}`]);
    }
  }, 120_000);
});
