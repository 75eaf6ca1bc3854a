import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  HostnameClaimedError,
  type Model,
  type ModelOptions,
  migrateModel,
  modelMigrationConfig,
  modelTables,
  type VersionRecord,
} from '../../src/model';
import { type ModelBackend, modelBackends, unique } from './model-backends';

/** A version of `applicationName` in `workspaceId` whose `web` type names `hostnames`. */
function versionOf(workspaceId: number, applicationName: string, hostnames: string[]): VersionRecord {
  return {
    workspaceId,
    applicationName,
    manifestPath: 'manifest.yml',
    version: { scmName: 'git' },
    instanceTypes: [
      {
        name: 'web',
        runtimeName: 'r',
        runtimeVersion: '1',
        hostnames,
        crons: [{ runspec: '@daily', uri: '/cron' }],
      },
    ],
  };
}

async function refusal(promise: Promise<unknown>): Promise<HostnameClaimedError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HostnameClaimedError);
  expect(error).toMatchObject({ code: 'E_MODEL_CONFLICT' });
  return error as HostnameClaimedError;
}

/** A knex of its own on the backend's database, without the model's migrations run. */
function bareKnex(options: ModelOptions): Knex {
  if ('connection' in options) return knexFactory({ client: 'pg', connection: options.connection });
  if ('filename' in options)
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: options.filename },
      useNullAsDefault: true,
    });
  throw new Error('the test backends give a connection or a filename');
}

describe.each(modelBackends)('hostname claims on $name', ({ open }) => {
  let backend: ModelBackend;
  let model: Model;
  /** A second model on the same database: its own connections. */
  let second: Model;

  beforeAll(async () => {
    backend = await open();
    model = await createModel(backend.options);
    second = await createModel(backend.options);
  });
  afterAll(async () => {
    await second?.close();
    await model?.close();
    await backend?.cleanUp();
  });

  const workspace = () => model.workspaces.create({ name: unique('ws'), stub: unique('stub') });
  const hostname = () => `${unique('h')}.example.com`;

  async function rowsOf(workspaceId: number) {
    const applications = await model.applications.list({ workspaceId });
    const versions = (await model.versions.list()).filter((version) =>
      applications.some((application) => application.id === version.applicationId),
    );
    return { applications, versions };
  }

  it('lets one of two applications racing for a new hostname record it; the other records nothing', async () => {
    for (let round = 0; round < 5; round += 1) {
      const name = hostname();
      const tenants = await Promise.all([workspace(), workspace()]);
      const outcomes = await Promise.allSettled(
        tenants.map((tenant, index) =>
          (index === 0 ? model : second).versions.record(versionOf(tenant.id, 'shop', [`www.${name}`, name])),
        ),
      );
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = outcomes.findIndex((outcome) => outcome.status === 'rejected');
      const error = await refusal(Promise.reject((outcomes[lost] as PromiseRejectedResult).reason));
      expect(error).toMatchObject({ hostname: name, instanceTypeName: 'web' });
      expect(error.message).toBe(
        `instance type web: the hostname ${name} is already claimed by another application.`,
      );
      expect(await rowsOf(tenants[lost]?.id ?? 0)).toEqual({ applications: [], versions: [] });
      const won = await rowsOf(tenants[1 - lost]?.id ?? 0);
      expect(won.versions.map((version) => version.number)).toEqual([1]);
    }
  }, 120_000);

  it("keeps an application's hostnames for its next versions, also recorded at once", async () => {
    const tenant = await workspace();
    const name = hostname();
    const recorded = await Promise.all(
      [model, second, model].map((on) => on.versions.record(versionOf(tenant.id, 'blog', [name]))),
    );
    expect(recorded.map((one) => one.version.number).sort()).toEqual([1, 2, 3]);
    expect(new Set(recorded.map((one) => one.application.id)).size).toBe(1);
    for (const { instanceTypes } of recorded) {
      const [type] = instanceTypes;
      expect(await model.instanceTypes.hostnames(type?.id ?? 0)).toEqual([name]);
      expect(await model.instanceTypes.crons(type?.id ?? 0)).toMatchObject([
        { runspec: '@daily', uri: '/cron' },
      ]);
    }
    const rival = await workspace();
    await refusal(model.versions.record(versionOf(rival.id, 'blog', [name])));
    await refusal(model.versions.record(versionOf(tenant.id, 'other', [name])));
  });

  it('frees a hostname once no version or instance type of its application names it', async () => {
    const owner = await workspace();
    const rival = await workspace();
    const [kept, dropped, typeOnly] = [hostname(), hostname(), hostname()];
    const first = await model.versions.record(versionOf(owner.id, 'shop', [kept, dropped]));
    const next = await model.versions.record(versionOf(owner.id, 'shop', [kept, typeOnly]));
    await refusal(model.versions.record(versionOf(rival.id, 'shop', [dropped])));
    await model.versions.delete(first.version.id);
    await refusal(model.versions.record(versionOf(rival.id, 'shop', [kept])));
    await model.versions.record(versionOf(rival.id, 'shop', [dropped]));

    const [type] = next.instanceTypes;
    await refusal(model.instanceTypes.setHostnames(type?.id ?? 0, [kept, dropped]));
    expect(await model.instanceTypes.hostnames(type?.id ?? 0)).toEqual([kept, typeOnly].sort());
    await model.instanceTypes.setHostnames(type?.id ?? 0, [kept]);
    await model.versions.record(versionOf(rival.id, 'shop', [typeOnly]));

    await model.instanceTypes.delete(type?.id ?? 0);
    await model.versions.record(versionOf(rival.id, 'shop', [kept]));
  });

  it('frees every hostname of a deleted application', async () => {
    const owner = await workspace();
    const name = hostname();
    const { application } = await model.versions.record(versionOf(owner.id, 'shop', [name]));
    await model.versions.record(versionOf(owner.id, 'shop', [name]));
    const rival = await workspace();
    await refusal(second.versions.record(versionOf(rival.id, 'shop', [name])));
    await model.applications.delete(application.id);
    expect(await model.knex(modelTables.hostnameClaims).where({ hostname: name })).toEqual([]);
    const taken = await second.versions.record(versionOf(rival.id, 'shop', [name]));
    expect(await model.instanceTypes.hostnames(taken.instanceTypes[0]?.id ?? 0)).toEqual([name]);
  });

  it('claims the hostnames of a database recorded before claims, the first holder keeping a shared one', async () => {
    const fresh = await open();
    const knex = bareKnex(fresh.options);
    try {
      await knex.migrate.up(modelMigrationConfig);
      await knex.migrate.up(modelMigrationConfig);
      expect(await knex.schema.hasTable(modelTables.hostnameClaims)).toBe(false);
      const now = Date.now();
      const insert = async (table: string, row: Record<string, unknown>) => {
        const [inserted] = await knex(table)
          .insert({ ...row, created_at: now, updated_at: now })
          .returning('id');
        return Number((inserted as { id: number }).id);
      };
      const workspaceId = await insert(modelTables.workspaces, { name: 'w', stub: 'w', tags: '{}' });
      const typeOf = async (applicationId: number, number: number) => {
        const versionId = await insert(modelTables.versions, {
          application_id: applicationId,
          number,
          scm_name: 'git',
          scm_parameters: '{}',
        });
        return insert(modelTables.instanceTypes, {
          version_id: versionId,
          name: 'web',
          runtime_name: 'r',
          runtime_version: '1',
          runtime_parameters: '{}',
          startup: '[]',
          placement_provider: 'p',
          placement_parameters: '{}',
        });
      };
      const app = async (name: string) =>
        insert(modelTables.applications, { workspace_id: workspaceId, name, manifest_path: 'manifest.yml' });
      const [first, later] = [await app('first'), await app('later')];
      const hostnameRow = async (instanceTypeId: number, hostname: string) =>
        insert(modelTables.hostnames, { instance_type_id: instanceTypeId, hostname });
      const firstType = await typeOf(first, 1);
      await hostnameRow(firstType, 'shared.example.com');
      await hostnameRow(firstType, 'a.example.com');
      await hostnameRow(await typeOf(later, 1), 'shared.example.com');
      await hostnameRow(await typeOf(later, 2), 'b.example.com');
      await hostnameRow(await typeOf(later, 3), 'b.example.com');

      await migrateModel(knex);
      const claims = await knex(modelTables.hostnameClaims)
        .select('hostname', 'application_id')
        .orderBy('hostname');
      expect(claims.map((row) => [row.hostname, Number(row.application_id)])).toEqual([
        ['a.example.com', first],
        ['b.example.com', later],
        ['shared.example.com', first],
      ]);

      const migrated = await createModel({ knex });
      await refusal(migrated.versions.record(versionOf(workspaceId, 'later', ['shared.example.com'])));
      expect(await migrated.versions.list({ applicationId: later })).toHaveLength(3);
      await migrated.versions.record(versionOf(workspaceId, 'later', ['b.example.com']));
      await migrated.versions.record(
        versionOf(workspaceId, 'first', ['shared.example.com', 'a.example.com']),
      );
      await migrated.applications.delete(first);
      await migrated.versions.record(versionOf(workspaceId, 'later', ['shared.example.com']));
      await migrated.close();
    } finally {
      await knex.destroy();
      await fresh.cleanUp();
    }
  });
});
