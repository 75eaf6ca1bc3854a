import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { NodeState } from '../kernel/providers/lifecycle-events';
import {
  fromDate,
  fromJson,
  type JsonObject,
  type ModelDatabase,
  type Row,
  rowTimestamps,
  toDateOrNull,
  toFlagIfDefined,
  toJsonIfDefined,
} from './model-database';
import { checkOneOf } from './model-errors';
import { ModelRepository } from './model-repository';
import { NODE_STATES } from './model-states';
import { modelTables } from './model-tables';

/** The roles a node runs. */
export interface NodeRoles {
  heart: boolean;
  pacemaker: boolean;
  router: boolean;
}

/** A node of the cluster, as it last reported itself. */
export interface ClusterNode {
  readonly id: number;
  readonly uuid: string;
  readonly name: string;
  /** Host name or address other nodes reach it on. */
  readonly route: string;
  readonly apiPort: number;
  readonly roles: NodeRoles;
  readonly state: NodeState;
  /** Runtime name → versions it has, e.g. `{ "paasmaker.runtime.node": ["20", "22"] }`. */
  readonly runtimes: Record<string, string[]>;
  readonly tags: JsonObject;
  /** Load score: lower is better, above 1 overloaded. */
  readonly score: number;
  readonly lastHeardAt: Date | null;
  readonly startedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a new node needs; its UUID is made unless given. */
export interface NodeInput {
  uuid?: string;
  name: string;
  route: string;
  apiPort: number;
  roles?: Partial<NodeRoles>;
  state?: NodeState;
  runtimes?: Record<string, string[]>;
  tags?: JsonObject;
  score?: number;
  lastHeardAt?: Date | null;
  startedAt?: Date | null;
}

function toNode(row: Row): ClusterNode {
  return {
    id: Number(row.id),
    uuid: String(row.uuid),
    name: String(row.name),
    route: String(row.route),
    apiPort: Number(row.api_port),
    roles: {
      heart: Number(row.heart) === 1,
      pacemaker: Number(row.pacemaker) === 1,
      router: Number(row.router) === 1,
    },
    state: row.state as NodeState,
    runtimes: fromJson<Record<string, string[]>>(row.runtimes),
    tags: fromJson<JsonObject>(row.tags),
    score: Number(row.score),
    lastHeardAt: toDateOrNull(row.last_heard_at),
    startedAt: toDateOrNull(row.started_at),
    ...rowTimestamps(row),
  };
}

function columns(input: Partial<Omit<NodeInput, 'uuid'>>): Row {
  return {
    name: input.name,
    route: input.route,
    api_port: input.apiPort,
    heart: toFlagIfDefined(input.roles?.heart),
    pacemaker: toFlagIfDefined(input.roles?.pacemaker),
    router: toFlagIfDefined(input.roles?.router),
    state: input.state === undefined ? undefined : checkOneOf('node state', input.state, NODE_STATES),
    runtimes: toJsonIfDefined(input.runtimes),
    tags: toJsonIfDefined(input.tags),
    score: input.score,
    last_heard_at: input.lastHeardAt === undefined ? undefined : fromDate(input.lastHeardAt),
    started_at: input.startedAt === undefined ? undefined : fromDate(input.startedAt),
  };
}

/** Nodes, unique by UUID and by route + API port. Deleting one deletes its instances. */
export class NodeRepository extends ModelRepository<ClusterNode> {
  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    super(source, modelTables.nodes, 'node', toNode);
  }

  /** Registers a node; `E_MODEL_CONFLICT` when one with that route and port (or UUID) exists. */
  async create(input: NodeInput): Promise<ClusterNode> {
    return this.rows.insert({
      uuid: input.uuid ?? randomUUID(),
      ...columns({
        state: 'ACTIVE',
        runtimes: {},
        tags: {},
        score: 1,
        ...input,
        roles: { heart: false, pacemaker: false, router: false, ...input.roles },
      }),
    });
  }

  /** The node with `uuid`, or undefined. */
  findByUuid(uuid: string): Promise<ClusterNode | undefined> {
    return this.rows.findBy({ uuid });
  }

  /** Nodes, optionally in one state. */
  list(filter: { state?: NodeState } = {}): Promise<ClusterNode[]> {
    return this.rows.list({ state: filter.state });
  }

  /** Changes the given fields (a report: state, runtimes, score, lastHeardAt...). */
  async update(id: number, changes: Partial<Omit<NodeInput, 'uuid'>>): Promise<ClusterNode> {
    return this.rows.update(id, columns(changes));
  }

  /** Deletes the node and its instances. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }
}
