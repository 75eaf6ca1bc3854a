import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../../src/roles/pacemaker';
import { type ModelBackend, modelBackends } from '../../model/model-backends';
import { type ApiFixture, startApiFixture } from './pacemaker-api-fixture';

const postgres = modelBackends.find((backend) => backend.name === 'postgres');

describe('pacemaker API on PostgreSQL (smoke)', () => {
  let backend: ModelBackend;
  let fx: ApiFixture;

  beforeAll(async () => {
    if (!postgres) throw new Error('no PostgreSQL backend');
    backend = await postgres.open();
    fx = await startApiFixture(backend.options);
  });
  afterAll(async () => {
    await fx?.close();
    await backend?.cleanUp();
  });

  it('creates, lists with filtering, conflicts and deletes', async () => {
    const created = await fx.request('POST', `${API_PREFIX}/workspaces`, {
      as: 'super',
      body: { name: 'Équipe 🚀', stub: 'equipe' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data.name).toBe('Équipe 🚀');
    const again = await fx.request('POST', `${API_PREFIX}/workspaces`, {
      as: 'super',
      body: { name: 'Other', stub: 'equipe' },
    });
    expect(again.status).toBe(409);
    const listed = await fx.request('GET', `${API_PREFIX}/workspaces`, { as: 'rightWorkspace' });
    expect(listed.body.data.map((w: { id: number }) => w.id)).toEqual([fx.workspaceA.id]);
    const bad = await fx.request('GET', `${API_PREFIX}/workspaces/99999999999999999999`, { as: 'super' });
    expect(bad.status).toBe(400);
    const deleted = await fx.request('DELETE', `${API_PREFIX}/workspaces/${created.body.data.id}`, {
      as: 'super',
    });
    expect(deleted.status).toBe(204);
  });
});
