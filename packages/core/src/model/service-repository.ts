import type { Knex } from 'knex';
import {
  fromJson,
  type JsonObject,
  type ModelDatabase,
  type Row,
  rowTimestamps,
  toJson,
  toJsonIfDefined,
} from './model-database';
import { ModelRepository } from './model-repository';
import { modelTables } from './model-tables';

/** A service (database, queue...) of a workspace, made by a service provider plugin. */
export interface Service {
  readonly id: number;
  readonly workspaceId: number;
  readonly name: string;
  /** The provider plugin's name. */
  readonly provider: string;
  readonly parameters: JsonObject;
  readonly credentials: JsonObject;
  /** Provider-defined state, `NEW` until the provider says otherwise. */
  readonly state: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new service needs. */
export interface ServiceInput {
  workspaceId: number;
  name: string;
  provider: string;
  parameters?: JsonObject;
  credentials?: JsonObject;
  state?: string;
}

function toService(row: Row): Service {
  return {
    id: Number(row.id),
    workspaceId: Number(row.workspace_id),
    name: String(row.name),
    provider: String(row.provider),
    parameters: fromJson<JsonObject>(row.parameters),
    credentials: fromJson<JsonObject>(row.credentials),
    state: String(row.state),
    ...rowTimestamps(row),
  };
}

/** Services, unique by name within their workspace; one bound to a version cannot be deleted. */
export class ServiceRepository extends ModelRepository<Service> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.services, 'service', toService);
  }

  /** Creates a service; `E_MODEL_CONFLICT` when its workspace has one of that name. */
  create(input: ServiceInput): Promise<Service> {
    return this.rows.insert({
      workspace_id: input.workspaceId,
      name: input.name,
      provider: input.provider,
      parameters: toJson(input.parameters ?? {}),
      credentials: toJson(input.credentials ?? {}),
      state: input.state ?? 'NEW',
    });
  }

  /** The services of a workspace (or all). */
  list(filter: { workspaceId?: number } = {}): Promise<Service[]> {
    return this.rows.list({ workspace_id: filter.workspaceId });
  }

  /** Changes the given fields. */
  update(id: number, changes: Partial<Omit<ServiceInput, 'workspaceId'>>): Promise<Service> {
    return this.rows.update(id, {
      name: changes.name,
      provider: changes.provider,
      parameters: toJsonIfDefined(changes.parameters),
      credentials: toJsonIfDefined(changes.credentials),
      state: changes.state,
    });
  }

  /** Deletes the service; `E_MODEL_CONFLICT` while a version is bound to it. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }
}
