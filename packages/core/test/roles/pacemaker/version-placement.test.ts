import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../../src/roles/pacemaker';
import { type ApiFixture, startApiFixture } from './pacemaker-api-fixture';
import { nodeRegistration } from './route-samples';

describe('placing instances on hearts the job engine runs jobs on', () => {
  let fx: ApiFixture;

  beforeAll(async () => {
    fx = await startApiFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('answers 409 E_PLACEMENT_NO_NODE for a heart without a job engine, then places on it once it has one', async () => {
    // Registered with the pacemaker (ACTIVE, offering the runtime), but its job engine never started.
    const registration = nodeRegistration();
    const node = await fx.model.nodes.findByUuid(await fx.nodes.register(registration));
    const application = await fx.model.applications.create({
      workspaceId: fx.workspaceA.id,
      name: `placed-${randomUUID().slice(0, 8)}`,
    });
    const version = await fx.model.versions.create({
      applicationId: application.id,
      scmName: 'paasmaker.scm.git',
      state: 'PREPARED',
      sourcePath: `http://pacemaker.test/api/v1/packages/${fx.packageName}`,
      sourceChecksum: 'ab'.repeat(32),
    });
    const type = await fx.model.instanceTypes.create({
      versionId: version.id,
      name: 'web',
      runtimeName: 'paasmaker.runtime.node',
      runtimeVersion: '20',
    });
    const register = () =>
      fx.request('POST', `${API_PREFIX}/versions/${version.id}/register`, { as: 'rightWorkspace', body: {} });

    const refused = await register();
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe('E_PLACEMENT_NO_NODE');
    expect(refused.body.error.message).toContain(registration.name);
    expect(await fx.model.instances.list({ instanceTypeId: type.id })).toEqual([]);

    await fx.jobs.store.registerNode(registration.name, {}); // what the heart's job engine does on start
    const placed = await register();
    expect(placed.status, placed.text).toBe(202);
    const instances = await fx.model.instances.list({ instanceTypeId: type.id });
    expect(instances.map((instance) => instance.nodeId)).toEqual([node?.id]);
  });
});
