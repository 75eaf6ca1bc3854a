import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../src/kernel/errors';
import { createModel, type Model } from '../../src/model';
import { type ModelBackend, modelBackends, unique } from './model-backends';

describe('createModel', () => {
  it('fails with E_MODEL_UNAVAILABLE, without the password, when PostgreSQL cannot be reached', async () => {
    const url = new URL(postgresUrl());
    url.port = '1';
    url.password = 'secret';
    const error = await createModel({ connection: url.toString() }).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_MODEL_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).not.toContain('secret');
  });

  it('creates a SQLite file (and its write-ahead log) readable by its owner only', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pm-model-mode-'));
    try {
      const filename = path.join(folder, 'model.db');
      const model = await createModel({ filename });
      await model.workspaces.create({ name: 'Mode', stub: 'mode' });
      expect((await stat(filename)).mode & 0o777).toBe(0o600);
      expect((await stat(`${filename}-wal`)).mode & 0o777).toBe(0o600);
      await model.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a connection that is not a postgres:// URL', async () => {
    const error = await createModel({ connection: 'mysql://x' }).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_MODEL_UNAVAILABLE')).toBe(true);
  });
});

describe.each(modelBackends)('several models on one $name database', ({ open }) => {
  let backend: ModelBackend;
  let models: Model[] = [];

  beforeAll(async () => {
    backend = await open();
    // Migrating from several connections at once: one migrates, the others wait for it.
    models = await Promise.all([1, 2, 3].map(() => createModel(backend.options)));
    // Waiting for another connection's migration can take a while on a loaded CI machine.
  }, 30_000);

  afterAll(async () => {
    await Promise.all(models.map((model) => model.close()));
    await backend?.cleanUp();
  });

  it('lets exactly one of many concurrent creations of one workspace name win', async () => {
    const name = unique('ws');
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        models[i % models.length]?.workspaces.create({ name, stub: unique('stub') }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(isPaasmakerError(result.reason, 'E_MODEL_CONFLICT')).toBe(true);
    }
  });

  it('sees one current version after concurrent switches from several models', async () => {
    const [a, b, c] = models as [Model, Model, Model];
    const workspace = await a.workspaces.create({ name: unique('ws'), stub: unique('stub') });
    const app = await a.applications.create({ workspaceId: workspace.id, name: 'app' });
    const versions = await Promise.all(
      [a, b, c, a, b, c].map((model) => model.versions.create({ applicationId: app.id, scmName: 'git' })),
    );
    expect(versions.map((version) => version.number).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    await Promise.all(
      versions.map((version, i) => (models[i % 3] as Model).versions.makeCurrent(version.id)),
    );
    expect((await c.versions.list({ applicationId: app.id })).filter((v) => v.isCurrent)).toHaveLength(1);
  });
});
