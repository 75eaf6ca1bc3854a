import type { Knex } from 'knex';
import {
  fromJson,
  type ModelDatabase,
  type Row,
  rowTimestamps,
  toJson,
  toJsonIfDefined,
} from './model-database';
import { ModelRepository } from './model-repository';
import { modelTables } from './model-tables';

/** An application of a workspace; its versions hold what is deployed. */
export interface Application {
  readonly id: number;
  readonly workspaceId: number;
  readonly name: string;
  /** Where the manifest is inside the source, e.g. `manifest.yml`. */
  readonly manifestPath: string;
  /** Environment variables given to every instance of the application (`paasmaker config set`). */
  readonly configVars: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new application needs. */
export interface ApplicationInput {
  workspaceId: number;
  name: string;
  manifestPath?: string;
  configVars?: Record<string, string>;
}

/** An application row as a record. */
export function toApplication(row: Row): Application {
  return {
    id: Number(row.id),
    workspaceId: Number(row.workspace_id),
    name: String(row.name),
    manifestPath: String(row.manifest_path),
    configVars: fromJson<Record<string, string>>(row.config_vars ?? '{}'),
    ...rowTimestamps(row),
  };
}

/** Applications, unique by name within their workspace. Deleting one deletes its versions and all below. */
export class ApplicationRepository extends ModelRepository<Application> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.applications, 'application', toApplication);
  }

  /** Creates an application; `E_MODEL_CONFLICT` when its workspace has one of that name. */
  create(input: ApplicationInput): Promise<Application> {
    return this.rows.insert({
      workspace_id: input.workspaceId,
      name: input.name,
      manifest_path: input.manifestPath ?? 'manifest.yml',
      config_vars: toJson(input.configVars ?? {}),
    });
  }

  /** The applications of a workspace (or all). */
  list(filter: { workspaceId?: number } = {}): Promise<Application[]> {
    return this.rows.list({ workspace_id: filter.workspaceId });
  }

  /** Changes the given fields. */
  update(id: number, changes: Partial<Omit<ApplicationInput, 'workspaceId'>>): Promise<Application> {
    return this.rows.update(id, {
      name: changes.name,
      manifest_path: changes.manifestPath,
      config_vars: toJsonIfDefined(changes.configVars),
    });
  }

  /** Deletes the application with its versions, instance types, hostnames, crons and instances. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }
}
