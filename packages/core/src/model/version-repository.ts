import type { Knex } from 'knex';
import { toApplication } from './application-repository';
import type { HostnameClaimedError } from './hostname-claimed-error';
import { type HostnamesOfType, releaseUnnamedClaims, writeHostnames } from './hostname-claims';
import { cronRow, type InstanceType, newInstanceTypeRow, toInstanceType } from './instance-type-repository';
import {
  fromJson,
  isId,
  type JsonObject,
  type ModelDatabase,
  type Row,
  rowTimestamps,
  toJson,
  toJsonIfDefined,
} from './model-database';
import { checkOneOf, notFound } from './model-errors';
import { ModelRepository } from './model-repository';
import { VERSION_STATES, type VersionState } from './model-states';
import { modelTables } from './model-tables';
import type { RecordedVersion, VersionRecord } from './version-record';

/** One version of an application: the source at an SCM revision, numbered 1, 2, 3... per application. */
export interface ApplicationVersion {
  readonly id: number;
  readonly applicationId: number;
  /** 1 for the first version; each new one is the highest so far + 1. */
  readonly number: number;
  readonly state: VersionState;
  /** Whether the application's hostnames route to this version; at most one per application. */
  readonly isCurrent: boolean;
  readonly scmName: string;
  readonly scmParameters: JsonObject;
  readonly scmRevision: string | null;
  /** The manifest as uploaded (raw text). */
  readonly manifest: string | null;
  readonly sourcePath: string | null;
  readonly sourceChecksum: string | null;
  /** Package type of the stored package (`tarball`), which picks the unpacker on hearts. */
  readonly sourcePackageType: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new version needs; its number is assigned. */
export interface VersionInput {
  applicationId: number;
  scmName: string;
  scmParameters?: JsonObject;
  scmRevision?: string | null;
  manifest?: string | null;
  sourcePath?: string | null;
  sourceChecksum?: string | null;
  sourcePackageType?: string | null;
  state?: VersionState;
}

/** What may change on a version (the current one is chosen with `makeCurrent`). */
export type VersionChanges = Partial<Omit<VersionInput, 'applicationId'>>;

function toVersion(row: Row): ApplicationVersion {
  return {
    id: Number(row.id),
    applicationId: Number(row.application_id),
    number: Number(row.number),
    state: row.state as VersionState,
    isCurrent: Number(row.is_current) === 1,
    scmName: String(row.scm_name),
    scmParameters: fromJson<JsonObject>(row.scm_parameters),
    scmRevision: (row.scm_revision as string | null) ?? null,
    manifest: (row.manifest as string | null) ?? null,
    sourcePath: (row.source_path as string | null) ?? null,
    sourceChecksum: (row.source_checksum as string | null) ?? null,
    sourcePackageType: (row.source_package_type as string | null) ?? null,
    ...rowTimestamps(row),
  };
}

const { versions, versionServices, applications, instanceTypes } = modelTables;

/** Application versions and the services bound to them. */
export class VersionRepository extends ModelRepository<ApplicationVersion> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, versions, 'version', toVersion);
  }

  /**
   * Creates the next version of an application, numbered one above the highest it ever had
   * (deleted versions' numbers are never reused, so a version hostname always means one
   * version): the application row is locked (PostgreSQL; SQLite serialises writers) so
   * concurrent creations get consecutive numbers.
   */
  async create(input: VersionInput): Promise<ApplicationVersion> {
    if (!isId(input.applicationId)) throw notFound('application', input.applicationId);
    return this.db.transaction('create version', (trx) => this.insertNext(trx, input));
  }

  /**
   * Records a new version as a deploy reads it from its manifest, in one transaction: the
   * application (created, with `manifestPath`, when its workspace has none of that name), the
   * version (numbered as {@link create} does), its instance types with their hostnames and crons.
   * The hostnames are claimed for the application in that transaction:
   * {@link HostnameClaimedError} (`E_MODEL_CONFLICT`) when another application holds one, and
   * nothing is recorded. The same application's next versions keep its hostnames.
   */
  record(record: VersionRecord): Promise<RecordedVersion> {
    const { workspaceId, applicationName } = record;
    return this.db.transaction(`record a version of ${applicationName}`, async (trx) => {
      const now = Date.now();
      // Written first: SQLite takes the write lock before reading anything.
      await trx(applications)
        .insert({
          workspace_id: workspaceId,
          name: applicationName,
          manifest_path: record.manifestPath,
          config_vars: '{}',
          created_at: now,
          updated_at: now,
        })
        .onConflict(['workspace_id', 'name'])
        .ignore();
      const row = (await trx(applications)
        .where({ workspace_id: workspaceId, name: applicationName })
        .first()) as Row | undefined;
      if (!row) throw notFound('workspace', workspaceId);
      const application = toApplication(row);
      const version = await this.insertNext(trx, { ...record.version, applicationId: application.id });
      const types: InstanceType[] = [];
      const wanted: HostnamesOfType[] = [];
      for (const { hostnames, crons, ...input } of record.instanceTypes) {
        const [typeRow] = (await trx(instanceTypes)
          .insert({
            ...newInstanceTypeRow({ ...input, versionId: version.id }),
            created_at: now,
            updated_at: now,
          })
          .returning('*')) as Row[];
        const type = toInstanceType(typeRow as Row);
        types.push(type);
        wanted.push({ instanceTypeId: type.id, instanceTypeName: type.name, hostnames });
        for (const cron of crons)
          await trx(modelTables.crons).insert({
            ...cronRow(type.id, cron),
            created_at: now,
            updated_at: now,
          });
      }
      await writeHostnames(trx, application.id, wanted);
      return { application, version, instanceTypes: types };
    });
  }

  /** The versions of an application (or all), oldest first. */
  list(filter: { applicationId?: number; state?: VersionState } = {}): Promise<ApplicationVersion[]> {
    return this.rows.list({ application_id: filter.applicationId, state: filter.state });
  }

  /** The current version of an application, or undefined. */
  current(applicationId: number): Promise<ApplicationVersion | undefined> {
    return this.rows.findBy({ application_id: applicationId, is_current: 1 });
  }

  /** Changes the given fields. */
  async update(id: number, changes: VersionChanges): Promise<ApplicationVersion> {
    const state =
      changes.state === undefined ? undefined : checkOneOf('version state', changes.state, VERSION_STATES);
    return this.rows.update(id, { state, ...this.columns(changes) });
  }

  /** Makes `id` its application's current version, and the previous current one not current. */
  makeCurrent(id: number): Promise<ApplicationVersion> {
    if (!isId(id)) return Promise.reject(notFound('version', id));
    return this.db.transaction(`make version ${id} current`, async (trx) => {
      const applicationOf = trx(versions).select('application_id').where({ id });
      // PostgreSQL: concurrent switches of one application wait for each other. SQLite writes
      // first, so the transaction takes the write lock before it reads anything.
      if (this.db.dialect === 'postgres')
        await trx(applications).select('id').whereIn('id', applicationOf).forUpdate();
      await trx(versions)
        .whereIn('application_id', applicationOf)
        .where({ is_current: 1 })
        .whereNot({ id })
        .update({ is_current: 0, updated_at: Date.now() });
      return this.rows.update(id, { is_current: 1 }, trx);
    });
  }

  /**
   * Deletes the version with its instance types, hostnames, crons, instances and service
   * bindings; hostnames no other version of its application names are released for others.
   */
  delete(id: number): Promise<void> {
    if (!isId(id)) return Promise.reject(notFound('version', id));
    return this.db.transaction(`delete version ${id}`, async (trx) => {
      const row = (await trx(versions).select('application_id').where({ id }).first()) as Row | undefined;
      if (!row) throw notFound('version', id);
      const applicationId = Number(row.application_id);
      await this.db.lockRow(trx, applications, applicationId);
      await this.rows.delete(id, trx);
      await releaseUnnamedClaims(trx, applicationId);
    });
  }

  /** Binds a service to the version; `E_MODEL_CONFLICT` when it already is. */
  async bindService(versionId: number, serviceId: number): Promise<void> {
    await this.db.run(`bind service ${serviceId} to version ${versionId}`, async (knex) => {
      const now = Date.now();
      await knex(versionServices).insert({
        version_id: versionId,
        service_id: serviceId,
        created_at: now,
        updated_at: now,
      });
    });
  }

  /** Unbinds a service from the version (nothing happens when it was not bound). */
  async unbindService(versionId: number, serviceId: number): Promise<void> {
    await this.db.run(`unbind service ${serviceId} from version ${versionId}`, (knex) =>
      knex(versionServices).where({ version_id: versionId, service_id: serviceId }).delete(),
    );
  }

  /** Ids of the versions a service is bound to. */
  boundToService(serviceId: number): Promise<number[]> {
    return this.db.run(`list versions bound to service ${serviceId}`, async (knex) => {
      const rows = await knex(versionServices).where({ service_id: serviceId }).orderBy('version_id');
      return (rows as Row[]).map((row) => Number(row.version_id));
    });
  }

  /** Ids of the services bound to the version. */
  serviceIds(versionId: number): Promise<number[]> {
    return this.db.run(`list services of version ${versionId}`, async (knex) => {
      const rows = await knex(versionServices).where({ version_id: versionId }).orderBy('service_id');
      return (rows as Row[]).map((row) => Number(row.service_id));
    });
  }

  /** Inserts the application's next version; the application row is locked (PostgreSQL; SQLite serialises writers). */
  private async insertNext(trx: Knex.Transaction, input: VersionInput): Promise<ApplicationVersion> {
    const state = checkOneOf('version state', input.state ?? 'NEW', VERSION_STATES);
    if (!(await this.db.lockRow(trx, applications, input.applicationId)))
      throw notFound('application', input.applicationId);
    const [application] = (await trx(applications)
      .select('last_version_number')
      .where({ id: input.applicationId })) as Row[];
    const [highest] = (await trx(versions)
      .max({ number: 'number' })
      .where({ application_id: input.applicationId })) as Row[];
    const number = Math.max(Number(application?.last_version_number ?? 0), Number(highest?.number ?? 0)) + 1;
    await trx(applications).where({ id: input.applicationId }).update({ last_version_number: number });
    return this.rows.insert(
      {
        application_id: input.applicationId,
        number,
        state,
        is_current: 0,
        ...this.columns(input),
        scm_parameters: toJson(input.scmParameters ?? {}),
      },
      trx,
    );
  }

  private columns(input: VersionChanges): Row {
    return {
      scm_name: input.scmName,
      scm_parameters: toJsonIfDefined(input.scmParameters),
      scm_revision: input.scmRevision,
      manifest: input.manifest,
      source_path: input.sourcePath,
      source_checksum: input.sourceChecksum,
      source_package_type: input.sourcePackageType,
    };
  }
}
