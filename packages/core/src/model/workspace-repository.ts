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

/** A workspace: the unit of ownership of applications and services. */
export interface Workspace {
  readonly id: number;
  readonly name: string;
  /** Short name used in hostnames (`<app>.<stub>.<cluster domain>`). */
  readonly stub: string;
  readonly tags: JsonObject;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new workspace needs. */
export interface WorkspaceInput {
  name: string;
  stub: string;
  tags?: JsonObject;
}

function toWorkspace(row: Row): Workspace {
  return {
    id: Number(row.id),
    name: String(row.name),
    stub: String(row.stub),
    tags: fromJson<JsonObject>(row.tags),
    ...rowTimestamps(row),
  };
}

/** Workspaces. Deleting one deletes its services and role allocations; it must have no applications left. */
export class WorkspaceRepository extends ModelRepository<Workspace> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.workspaces, 'workspace', toWorkspace);
  }

  /** Creates a workspace; `E_MODEL_CONFLICT` when the name or stub is taken. */
  create(input: WorkspaceInput): Promise<Workspace> {
    return this.rows.insert({ name: input.name, stub: input.stub, tags: toJson(input.tags ?? {}) });
  }

  /** The workspace with stub `stub`, or undefined. */
  findByStub(stub: string): Promise<Workspace | undefined> {
    return this.rows.findBy({ stub });
  }

  /** Every workspace, in creation order. */
  list(): Promise<Workspace[]> {
    return this.rows.list();
  }

  /** Changes the given fields. */
  update(id: number, changes: Partial<WorkspaceInput>): Promise<Workspace> {
    return this.rows.update(id, {
      name: changes.name,
      stub: changes.stub,
      tags: toJsonIfDefined(changes.tags),
    });
  }

  /** Deletes the workspace; `E_MODEL_CONFLICT` while it has applications. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }
}
