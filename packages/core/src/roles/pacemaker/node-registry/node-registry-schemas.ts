import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PaasmakerError } from '../../../kernel/errors';
import type { JsonObject, JsonSchemaObject } from '../../../kernel/json-schema';
import type { InstanceState } from '../../../kernel/providers/lifecycle-events';
import { INSTANCE_STATES } from '../../../model/model-states';
import type { NodeRoles } from '../../../model/node-repository';

/** What a node sends to register (first start) or re-register (a known `uuid`). */
export interface NodeRegistration {
  /** The UUID the pacemaker gave it earlier; absent on a node's very first registration. */
  uuid?: string;
  name: string;
  /** Host name or address other nodes reach it on. */
  route: string;
  apiPort: number;
  roles: Partial<NodeRoles>;
  /** Runtime name → versions, e.g. `{ "paasmaker.runtime.node": ["20", "22"] }`. */
  runtimes: Record<string, string[]>;
  tags: JsonObject;
  /** Load score (lower is better); default: kept, or 1 for a new node. */
  score?: number;
  /** When the node's process started, ISO 8601. */
  startedAt?: string;
}

/** One instance's state as the node sees it. */
export interface NodeInstanceReport {
  /** The instance's UUID. */
  instanceId: string;
  state: InstanceState;
}

/** What a node sends every report interval. */
export interface NodeReport {
  score: number;
  instances: NodeInstanceReport[];
  /** Stats of its stats plugins (`load`, `mem_total`, `platform`...). */
  stats?: Record<string, string | number | boolean | null>;
}

const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const satisfies JsonSchemaObject;

const score = { type: 'number', minimum: 0, maximum: 1e6 } as const satisfies JsonSchemaObject;

/** JSON Schema of {@link NodeRegistration} (also usable as an HTTP body schema). */
export const nodeRegistrationSchema = {
  $id: 'paasmaker.node.registration',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'route', 'apiPort', 'roles', 'runtimes', 'tags'],
  properties: {
    uuid,
    name: { type: 'string', minLength: 1, maxLength: 255 },
    route: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\s/]+$' },
    apiPort: { type: 'integer', minimum: 1, maximum: 65535 },
    roles: {
      type: 'object',
      additionalProperties: false,
      properties: { heart: { type: 'boolean' }, pacemaker: { type: 'boolean' }, router: { type: 'boolean' } },
    },
    runtimes: {
      type: 'object',
      maxProperties: 200,
      additionalProperties: {
        type: 'array',
        maxItems: 200,
        items: { type: 'string', minLength: 1, maxLength: 100 },
      },
    },
    tags: { type: 'object', maxProperties: 200 },
    score,
    startedAt: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const satisfies JsonSchemaObject;

/** JSON Schema of {@link NodeReport} (also usable as an HTTP body schema). */
export const nodeReportSchema = {
  $id: 'paasmaker.node.report',
  type: 'object',
  additionalProperties: false,
  required: ['score', 'instances'],
  properties: {
    score,
    instances: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['instanceId', 'state'],
        properties: {
          instanceId: { type: 'string', minLength: 1, maxLength: 100 },
          state: { type: 'string', enum: INSTANCE_STATES },
        },
      },
    },
    stats: {
      type: 'object',
      maxProperties: 200,
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
  },
} as const satisfies JsonSchemaObject;

/** `E_NODE_INVALID`, naming the first bad field (dotted path: `apiPort`, `instances.0.state`). */
export class NodeInputError extends PaasmakerError {
  /** The first bad field, as a dotted path. */
  readonly field: string;
  /** Every problem found, each with its field. */
  readonly problems: readonly { field: string; message: string }[];

  constructor(problems: readonly { field: string; message: string }[], what: string) {
    const first = problems[0] ?? { field: '', message: 'is invalid' };
    super(
      'E_NODE_INVALID',
      `${what}: ${problems.map((p) => `${p.field || '(body)'} ${p.message}`).join('; ')}.`,
    );
    this.field = first.field;
    this.problems = problems;
  }
}

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, logger: false });
const validators = new Map<object, ValidateFunction>();

function problemOf(error: ErrorObject): { field: string; message: string } {
  const path = error.instancePath.split('/').slice(1).join('.');
  const join = (key: unknown) => (path ? `${path}.${String(key)}` : String(key));
  if (error.keyword === 'required')
    return { field: join(error.params.missingProperty), message: 'is required' };
  if (error.keyword === 'additionalProperties') {
    return { field: join(error.params.additionalProperty), message: 'is not allowed' };
  }
  const allowed =
    error.keyword === 'enum'
      ? ` (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
      : '';
  return { field: path, message: `${error.message ?? 'is invalid'}${allowed}` };
}

/** Checks `input` against `schema`; throws {@link NodeInputError} (`E_NODE_INVALID`) naming the field. */
export function checkNodeInput<T>(schema: JsonSchemaObject, input: unknown, what: string): T {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema as object);
    validators.set(schema, validate);
  }
  if (!validate(input)) throw new NodeInputError((validate.errors ?? []).map(problemOf), what);
  return input as T;
}
