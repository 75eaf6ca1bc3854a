import type { Knex } from 'knex';
import type { HostnameClaimedError } from './hostname-claimed-error';
import { applicationOfInstanceType, releaseUnnamedClaims, writeHostnames } from './hostname-claims';
import {
  fromJson,
  isId,
  type JsonObject,
  type ModelDatabase,
  ModelTable,
  type Row,
  rowTimestamps,
  toFlagIfDefined,
  toJsonIfDefined,
} from './model-database';
import { notFound } from './model-errors';
import { ModelRepository } from './model-repository';
import { modelTables } from './model-tables';

/** One kind of process of a version (web, worker...), with its runtime, placement and routing. */
export interface InstanceType {
  readonly id: number;
  readonly versionId: number;
  readonly name: string;
  readonly runtimeName: string;
  readonly runtimeVersion: string;
  readonly runtimeParameters: JsonObject;
  /** How many instances to run. */
  readonly quantity: number;
  /** Startup steps (plugin + parameters) run on the heart before the instance starts, in order. */
  readonly startup: InstanceTypeStartupStep[];
  /** How the heart decides a started instance is up: TCP connect, or an HTTP GET of `path`. */
  readonly healthCheck: InstanceTypeHealthCheck;
  readonly placementProvider: string;
  readonly placementParameters: JsonObject;
  /** Only one version's instances of this type run at a time. */
  readonly exclusive: boolean;
  /** Has no TCP port (not routed). */
  readonly standalone: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One startup step of an instance type: a `startup` provider and its parameters. */
export interface InstanceTypeStartupStep {
  plugin: string;
  parameters: JsonObject;
}

/** An instance type's health check; no `path` means a TCP connect to the instance's port. */
export interface InstanceTypeHealthCheck {
  path?: string;
  timeoutSeconds: number;
}

/** The health check used when none is given: TCP, 20 seconds (the original's start timeout). */
export const DEFAULT_HEALTH_CHECK: InstanceTypeHealthCheck = { timeoutSeconds: 20 };

/** What a new instance type needs. */
export interface InstanceTypeInput {
  versionId: number;
  name: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeParameters?: JsonObject;
  quantity?: number;
  startup?: InstanceTypeStartupStep[];
  healthCheck?: InstanceTypeHealthCheck;
  placementProvider?: string;
  placementParameters?: JsonObject;
  exclusive?: boolean;
  standalone?: boolean;
}

/** What a new cron of an instance type needs. */
export interface InstanceTypeCronInput {
  runspec: string;
  uri: string;
  username?: string | null;
  password?: string | null;
}

/** A cron of an instance type: `uri` is requested on schedule `runspec` (crontab syntax). */
export interface InstanceTypeCron {
  readonly id: number;
  readonly instanceTypeId: number;
  readonly runspec: string;
  readonly uri: string;
  /** HTTP basic credentials sent with the request, if any. */
  readonly username: string | null;
  readonly password: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An instance type row as a record. */
export function toInstanceType(row: Row): InstanceType {
  return {
    id: Number(row.id),
    versionId: Number(row.version_id),
    name: String(row.name),
    runtimeName: String(row.runtime_name),
    runtimeVersion: String(row.runtime_version),
    runtimeParameters: fromJson<JsonObject>(row.runtime_parameters),
    quantity: Number(row.quantity),
    startup: fromJson<InstanceTypeStartupStep[]>(row.startup),
    healthCheck: { ...DEFAULT_HEALTH_CHECK, ...fromJson<Partial<InstanceTypeHealthCheck>>(row.health_check) },
    placementProvider: String(row.placement_provider),
    placementParameters: fromJson<JsonObject>(row.placement_parameters),
    exclusive: Number(row.exclusive) === 1,
    standalone: Number(row.standalone) === 1,
    ...rowTimestamps(row),
  };
}

function toCron(row: Row): InstanceTypeCron {
  return {
    id: Number(row.id),
    instanceTypeId: Number(row.instance_type_id),
    runspec: String(row.runspec),
    uri: String(row.uri),
    username: (row.username as string | null) ?? null,
    password: (row.password as string | null) ?? null,
    ...rowTimestamps(row),
  };
}

/** The placement provider used when none is named. */
export const DEFAULT_PLACEMENT_PROVIDER = 'paasmaker.placement.default';

/** Instance types of versions, with their hostnames and crons. */
export class InstanceTypeRepository extends ModelRepository<InstanceType> {
  private readonly cronRows: ModelTable<InstanceTypeCron>;

  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.instanceTypes, 'instance type', toInstanceType);
    this.cronRows = new ModelTable(this.db, modelTables.crons, 'cron', toCron);
  }

  /** Creates an instance type; `E_MODEL_CONFLICT` when its version has one of that name. */
  create(input: InstanceTypeInput): Promise<InstanceType> {
    return this.rows.insert(newInstanceTypeRow(input));
  }

  /** The instance types of a version (or all). */
  list(filter: { versionId?: number } = {}): Promise<InstanceType[]> {
    return this.rows.list({ version_id: filter.versionId });
  }

  /** Changes the given fields. */
  update(id: number, changes: Partial<Omit<InstanceTypeInput, 'versionId'>>): Promise<InstanceType> {
    return this.rows.update(id, instanceTypeColumns(changes));
  }

  /** Deletes the instance type with its hostnames (their claims too, unless another type of its application names them), crons and instances. */
  delete(id: number): Promise<void> {
    if (!isId(id)) return Promise.reject(notFound('instance type', id));
    return this.db.transaction(`delete instance type ${id}`, async (trx) => {
      const applicationId = await applicationOfInstanceType(trx, id);
      if (applicationId === undefined) throw notFound('instance type', id);
      await this.db.lockRow(trx, modelTables.applications, applicationId);
      await this.rows.delete(id, trx);
      await releaseUnnamedClaims(trx, applicationId);
    });
  }

  /**
   * Replaces the hostnames of an instance type (lower-cased), claiming them for its application:
   * {@link HostnameClaimedError} (`E_MODEL_CONFLICT`) when another application holds one, and
   * nothing changes. Names no type of the application holds any more are released.
   */
  setHostnames(instanceTypeId: number, hostnames: readonly string[]): Promise<void> {
    if (!isId(instanceTypeId)) return Promise.reject(notFound('instance type', instanceTypeId));
    return this.db.transaction(`set hostnames of instance type ${instanceTypeId}`, async (trx) => {
      const applicationId = await applicationOfInstanceType(trx, instanceTypeId);
      if (applicationId === undefined) throw notFound('instance type', instanceTypeId);
      await this.db.lockRow(trx, modelTables.applications, applicationId);
      const type = await this.rows.get(instanceTypeId, trx);
      await writeHostnames(trx, applicationId, [{ instanceTypeId, instanceTypeName: type.name, hostnames }]);
    });
  }

  /** The hostnames of an instance type, sorted. */
  hostnames(instanceTypeId: number): Promise<string[]> {
    return this.db.run(`list hostnames of instance type ${instanceTypeId}`, async (knex) => {
      const rows = await knex(modelTables.hostnames)
        .where({ instance_type_id: instanceTypeId })
        .orderBy('hostname');
      return (rows as Row[]).map((row) => String(row.hostname));
    });
  }

  /** Adds a cron to an instance type. */
  addCron(instanceTypeId: number, cron: InstanceTypeCronInput): Promise<InstanceTypeCron> {
    return this.cronRows.insert(cronRow(instanceTypeId, cron));
  }

  /** One cron, by id. */
  cron(id: number): Promise<InstanceTypeCron> {
    return this.cronRows.get(id);
  }

  /** Every cron of the current versions' instance types: what the pacemaker's cron scheduler runs. */
  currentCrons(): Promise<InstanceTypeCron[]> {
    return this.db.run('list crons of current versions', async (knex) => {
      const rows = await knex(modelTables.crons)
        .select(`${modelTables.crons}.*`)
        .join(
          modelTables.instanceTypes,
          `${modelTables.instanceTypes}.id`,
          `${modelTables.crons}.instance_type_id`,
        )
        .join(modelTables.versions, `${modelTables.versions}.id`, `${modelTables.instanceTypes}.version_id`)
        .where(`${modelTables.versions}.is_current`, 1)
        .orderBy(`${modelTables.crons}.id`);
      return (rows as Row[]).map(toCron);
    });
  }

  /** The crons of an instance type. */
  crons(instanceTypeId: number): Promise<InstanceTypeCron[]> {
    return this.cronRows.list({ instance_type_id: instanceTypeId });
  }

  /** Deletes a cron. */
  deleteCron(id: number): Promise<void> {
    return this.cronRows.delete(id);
  }
}

/** The columns of an instance type's given fields (undefined ones left out by the table). */
function instanceTypeColumns(input: Partial<Omit<InstanceTypeInput, 'versionId'>>): Row {
  return {
    name: input.name,
    runtime_name: input.runtimeName,
    runtime_version: input.runtimeVersion,
    runtime_parameters: toJsonIfDefined(input.runtimeParameters),
    quantity: input.quantity,
    startup: toJsonIfDefined(input.startup),
    health_check: toJsonIfDefined(input.healthCheck),
    placement_provider: input.placementProvider,
    placement_parameters: toJsonIfDefined(input.placementParameters),
    exclusive: toFlagIfDefined(input.exclusive),
    standalone: toFlagIfDefined(input.standalone),
  };
}

/** The row of a new instance type, defaults filled in. */
export function newInstanceTypeRow(input: InstanceTypeInput): Row {
  return {
    version_id: input.versionId,
    ...instanceTypeColumns({
      runtimeParameters: {},
      quantity: 1,
      startup: [],
      healthCheck: DEFAULT_HEALTH_CHECK,
      placementProvider: DEFAULT_PLACEMENT_PROVIDER,
      placementParameters: {},
      exclusive: false,
      standalone: false,
      ...input,
    }),
  };
}

/** The row of a new cron of an instance type. */
export function cronRow(instanceTypeId: number, cron: InstanceTypeCronInput): Row {
  return {
    instance_type_id: instanceTypeId,
    runspec: cron.runspec,
    uri: cron.uri,
    username: cron.username ?? null,
    password: cron.password ?? null,
  };
}
