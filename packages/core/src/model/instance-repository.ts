import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { InstanceState } from '../kernel/providers/lifecycle-events';
import { type ModelDatabase, type Row, rowTimestamps } from './model-database';
import { checkOneOf } from './model-errors';
import { ModelRepository } from './model-repository';
import { INSTANCE_STATES } from './model-states';
import { modelTables } from './model-tables';

/** One running (or once running) process of an instance type on a node. */
export interface Instance {
  readonly id: number;
  readonly uuid: string;
  readonly instanceTypeId: number;
  readonly nodeId: number;
  /** TCP port on the node; null until allocated, and for standalone instance types. */
  readonly port: number | null;
  readonly state: InstanceState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new instance needs; its UUID is made unless given. */
export interface InstanceInput {
  uuid?: string;
  instanceTypeId: number;
  nodeId: number;
  port?: number | null;
  state?: InstanceState;
}

function toInstance(row: Row): Instance {
  return {
    id: Number(row.id),
    uuid: String(row.uuid),
    instanceTypeId: Number(row.instance_type_id),
    nodeId: Number(row.node_id),
    port: row.port === null || row.port === undefined ? null : Number(row.port),
    state: row.state as InstanceState,
    ...rowTimestamps(row),
  };
}

/** Instances, unique by UUID. */
export class InstanceRepository extends ModelRepository<Instance> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.instances, 'instance', toInstance);
  }

  /** Creates an instance, `ALLOCATED` unless told otherwise. */
  async create(input: InstanceInput): Promise<Instance> {
    return this.rows.insert({
      uuid: input.uuid ?? randomUUID(),
      instance_type_id: input.instanceTypeId,
      node_id: input.nodeId,
      port: input.port ?? null,
      state: checkOneOf('instance state', input.state ?? 'ALLOCATED', INSTANCE_STATES),
    });
  }

  /** The instance with `uuid`, or undefined. */
  findByUuid(uuid: string): Promise<Instance | undefined> {
    return this.rows.findBy({ uuid });
  }

  /** Instances of an instance type, on a node, in a state (any combination). */
  list(
    filter: { instanceTypeId?: number; nodeId?: number; state?: InstanceState } = {},
  ): Promise<Instance[]> {
    return this.rows.list({
      instance_type_id: filter.instanceTypeId,
      node_id: filter.nodeId,
      state: filter.state,
    });
  }

  /** Changes the port or state. */
  async update(id: number, changes: { port?: number | null; state?: InstanceState }): Promise<Instance> {
    return this.rows.update(id, {
      port: changes.port,
      state:
        changes.state === undefined
          ? undefined
          : checkOneOf('instance state', changes.state, INSTANCE_STATES),
    });
  }

  /** Deletes the instance. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }
}
