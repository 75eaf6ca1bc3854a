import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelTables } from '../../../src/model';
import { API_PREFIX } from '../../../src/roles/pacemaker';
import type { Route } from '../../../src/roles/router';
import { type ApiFixture, startApiFixture } from './pacemaker-api-fixture';

let fx: ApiFixture;
beforeAll(async () => {
  fx = await startApiFixture();
});
afterAll(async () => {
  await fx?.close();
});

const route = (instanceId: string): Route => ({
  instanceId,
  host: '127.0.0.1',
  port: 1,
  versionTypeKey: '1',
  nodeId: 'node',
});

/**
 * An application whose one version is current, with a `web` type naming `hostnames`. `shared`
 * writes the rows past the model's claims, as a database that had two applications sharing a
 * hostname before claims existed still holds them.
 */
async function currentApp(workspaceId: number, name: string, hostnames: string[], shared = false) {
  const application = await fx.model.applications.create({ workspaceId, name });
  const version = await fx.model.versions.create({
    applicationId: application.id,
    scmName: 'test',
    state: 'PREPARED',
  });
  await fx.model.versions.makeCurrent(version.id);
  const type = await fx.model.instanceTypes.create({
    versionId: version.id,
    name: 'web',
    runtimeName: 'paasmaker.runtime.node',
    runtimeVersion: '20',
  });
  if (!shared) await fx.model.instanceTypes.setHostnames(type.id, hostnames);
  else
    for (const hostname of hostnames)
      await fx.model
        .knex(modelTables.hostnames)
        .insert({ instance_type_id: type.id, hostname, created_at: Date.now(), updated_at: Date.now() });
  return application;
}

describe('deleting an application', () => {
  it("removes its hostnames from the routing table, but not a manifest hostname another app's current version names", async () => {
    const workspace = await fx.scratchWorkspace();
    const doomed = await currentApp(workspace.id, 'doomed', [
      'shared.example.test',
      'only-doomed.example.test',
    ]);
    await currentApp(workspace.id, 'kept', ['shared.example.test'], true);
    const generated = [
      `1.web.doomed.${workspace.stub}.paasmaker.test`,
      `web.doomed.${workspace.stub}.paasmaker.test`,
    ];
    for (const hostname of [...generated, 'only-doomed.example.test', 'shared.example.test'])
      fx.routing.add(hostname, route('00000000-0000-4000-8000-00000000000a'));
    fx.routing.add('shared.example.test', route('00000000-0000-4000-8000-00000000000b'));

    const deleted = await fx.request('DELETE', `${API_PREFIX}/applications/${doomed.id}`, {
      as: 'rightWorkspace',
    });
    expect(deleted.status, deleted.text).toBe(202);
    const tree = await fx.jobs.waitForTree(deleted.body.data.treeId);
    expect(tree.jobs[0]?.state, tree.jobs[0]?.summary ?? '').toBe('SUCCESS');

    const left = fx.routing.hostnames();
    for (const hostname of [...generated, 'only-doomed.example.test']) expect(left).not.toContain(hostname);
    expect(left).toContain('shared.example.test');
    expect(await fx.model.applications.list({ workspaceId: workspace.id })).toEqual([
      expect.objectContaining({ name: 'kept' }),
    ]);
  });
});
