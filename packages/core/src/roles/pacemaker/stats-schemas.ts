import type { JsonSchemaObject } from '../../kernel/json-schema';
import { ROUTER_STAT_FIELDS } from '../router/router-stat-counters';
import { ROUTER_STATS_RETENTION_MINUTES } from '../router/router-stats-store';

// The schemas of the router stats routes: the query they take, and (for the OpenAPI document and
// the clients generated from it) the `data` they answer with, a `RouterStatsSeries`.

/** `?minutes=`: how many minutes back, the current one included (default 60, at most a day). */
export const statsQuery: JsonSchemaObject = {
  type: 'object',
  properties: {
    minutes: { type: 'integer', minimum: 1, maximum: ROUTER_STATS_RETENTION_MINUTES, default: 60 },
  },
  additionalProperties: false,
};

const COUNTER_DESCRIPTIONS: Record<(typeof ROUTER_STAT_FIELDS)[number], string> = {
  requests: 'Requests answered (a websocket upgrade counts once)',
  bytes: 'Response bytes sent to clients',
  time: 'Milliseconds from request to end of response, summed over the timed requests',
  timeCount: 'Requests timed (uncaught ones are not); time / timeCount is the average latency',
  '1xx': 'Responses with a 1xx status',
  '2xx': 'Responses with a 2xx status',
  '3xx': 'Responses with a 3xx status',
  '4xx': 'Responses with a 4xx status',
  '5xx': 'Responses with a 5xx status',
  noRoute: 'Router answers for no matching hostname (400 no Host, 404 unknown host, 500 no table yet)',
  noBackend: 'Router answers for no answering instance (503 none routed, 502 none accepted or answered)',
};

const counterProperties: Record<string, JsonSchemaObject> = Object.fromEntries(
  ROUTER_STAT_FIELDS.map((field) => [
    field,
    { type: 'number', minimum: 0, description: COUNTER_DESCRIPTIONS[field] },
  ]),
);

const counters: JsonSchemaObject = {
  type: 'object',
  properties: counterProperties,
  required: [...ROUTER_STAT_FIELDS],
  additionalProperties: false,
};

/** The `data` of every stats route: per-minute counters, every minute present, and their totals. */
export const statsSeriesSchema: JsonSchemaObject = {
  type: 'object',
  properties: {
    minutes: { type: 'integer', description: 'Minutes covered, the current one included' },
    from: { type: 'string', format: 'date-time', description: 'Start of the first minute' },
    to: { type: 'string', format: 'date-time', description: 'End of the current minute' },
    totals: { ...counters, description: 'Sums over the series' },
    series: {
      type: 'array',
      description: 'One point per minute, oldest first; zeros where nothing was counted',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time', description: "The minute's start" },
          ...counterProperties,
        },
        required: ['at', ...ROUTER_STAT_FIELDS],
        additionalProperties: false,
      },
    },
  },
  required: ['minutes', 'from', 'to', 'totals', 'series'],
  additionalProperties: false,
};
