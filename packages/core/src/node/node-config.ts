import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { PaasmakerError } from '../kernel/errors';
import type { JsonObject } from '../kernel/json-schema';
import type { TenantIsolationOptions } from '../tenancy/tenant-users';
import { LocatedYaml, pathOfPointer } from '../yaml/located-yaml';
import {
  type HeartRoleConfig,
  type NodeConfig,
  type NodePluginConfig,
  nodeConfigSchema,
  type RouterRoleConfig,
} from './node-config-schema';

/** One problem of a node config file: where it is and what is wrong. */
export interface NodeConfigProblem {
  /** The file, as given to {@link loadNodeConfig} (or `<config>`). */
  readonly file: string;
  /** 1-based line of the key (of the enclosing key for a missing one). */
  readonly line: number;
  /** Dotted path of the key, `roles.pacemaker.api.port`, `plugins[0].plugin`; `(top level)` for the root. */
  readonly key: string;
  readonly message: string;
}

/** `E_CONFIG_INVALID`: a node config file with every problem found in it, each naming file, line and key. */
export class NodeConfigError extends PaasmakerError {
  constructor(
    readonly file: string,
    readonly problems: readonly NodeConfigProblem[],
  ) {
    super(
      'E_CONFIG_INVALID',
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .map((p) => `${p.file}:${p.line}: ${p.key}: ${p.message}`)
        .join('; ')}`,
    );
  }
}

/** Options of {@link parseNodeConfig} and {@link loadNodeConfig}. */
export interface NodeConfigOptions {
  /** Where `${env:NAME}` references are looked up; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type Segment = string | number;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const validate = ajv.compile(nodeConfigSchema);

function keyName(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(top level)';
  let out = '';
  for (const segment of segments)
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

function describe(error: ErrorObject): { segments: Segment[]; at: Segment[]; message: string } {
  const segments = pathOfPointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    const allowed = Object.keys(schemaAt(segments)?.properties ?? {});
    return {
      segments: [...segments, key],
      at: [...segments, key],
      message: `unknown key${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`,
    };
  }
  if (error.keyword === 'required') {
    const key = String(params.missingProperty);
    return { segments: [...segments, key], at: segments, message: 'is required' };
  }
  if (error.keyword === 'enum')
    return {
      segments,
      at: segments,
      message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
    };
  if (error.keyword === 'minProperties' && segments.join('.') === 'roles')
    return { segments, at: segments, message: 'must name at least one role (pacemaker, heart, router)' };
  if (error.keyword === 'pattern' && segments.join('.') === 'roles.pacemaker.jobStore')
    return { segments, at: segments, message: 'must be "sql" or a Redis URL (redis://host:port)' };
  return { segments, at: segments, message: error.message ?? 'is invalid' };
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function schemaAt(segments: readonly Segment[]): SchemaNode | undefined {
  let schema: SchemaNode | undefined = nodeConfigSchema as unknown as SchemaNode;
  for (const segment of segments)
    schema = typeof segment === 'number' ? schema?.items : schema?.properties?.[segment];
  return schema;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

/**
 * Replaces `${env:NAME}` in every string (not in keys); `$${` stands for a literal `${`. Adds
 * each value put in to `used`.
 */
function substitute(
  value: unknown,
  segments: Segment[],
  env: Readonly<Record<string, string | undefined>>,
  report: (segments: Segment[], message: string) => void,
  used: Set<string>,
): unknown {
  if (typeof value === 'string')
    return value.replace(REFERENCE, (match, inner: string | undefined) => {
      if (match === '$${') return '${';
      const name = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner ?? '')?.[1];
      if (!name) {
        report(segments, `${match} is not a reference; write \${env:NAME}, or $\${ for a literal \${`);
        return match;
      }
      const found = env[name];
      if (found === undefined) {
        report(segments, `environment variable ${name} is not set`);
        return '';
      }
      used.add(found);
      return found;
    });
  if (Array.isArray(value))
    return value.map((item, i) => substitute(item, [...segments, i], env, report, used));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = substitute(item, [...segments, key], env, report, used);
    return out;
  }
  return value;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Parses and validates the text of a node config file (YAML, with the `yaml` package's safe
 * default schema: no custom tags). Throws a {@link NodeConfigError} (`E_CONFIG_INVALID`) listing
 * every problem, each with the file, line and key. `file` names the file in messages and sets
 * the folder relative paths are resolved from (default: the current directory).
 */
export function parseNodeConfig(
  text: string,
  file = '<config>',
  options: NodeConfigOptions = {},
): NodeConfig {
  const env = options.env ?? process.env;
  const yaml = new LocatedYaml(text);
  const syntax = { file, key: '(syntax)' };
  const problems: NodeConfigProblem[] = yaml.syntaxProblems.map((problem) => ({ ...syntax, ...problem }));
  if (problems.length) throw new NodeConfigError(file, problems);
  const read = yaml.data();
  if (!read.ok) throw new NodeConfigError(file, [{ file, line: 1, key: '(syntax)', message: read.message }]);

  const report = (segments: Segment[], message: string) =>
    problems.push({ file, line: yaml.lineOf(segments), key: keyName(segments), message });
  const environmentValues = new Set<string>();
  const data = substitute(read.data, [], env, report, environmentValues);
  // A key whose environment variable is unset has that problem only, not a schema one too.
  const unset = new Set(problems.map((p) => p.key));
  if (!validate(data))
    for (const error of validate.errors ?? []) {
      const { segments, at, message } = describe(error);
      if (unset.has(keyName(segments))) continue;
      problems.push({ file, line: yaml.lineOf(at), key: keyName(segments), message });
    }
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line);
    throw new NodeConfigError(file, problems);
  }

  const raw = data as {
    name?: string;
    dataFolder: string;
    logLevel: NodeConfig['logLevel'];
    roles: { pacemaker?: Record<string, unknown>; heart?: HeartRoleConfig; router?: RouterRoleConfig };
    plugins: { plugin: string; options?: JsonObject }[];
    isolation: TenantIsolationOptions;
  };
  const baseDir = file === '<config>' ? process.cwd() : path.dirname(path.resolve(file));
  const dataFolder = path.resolve(baseDir, raw.dataFolder);
  const pacemaker = raw.roles.pacemaker as NonNullable<NodeConfig['roles']['pacemaker']> | undefined;
  return {
    ...(file === '<config>' ? {} : { file: path.resolve(file) }),
    baseDir,
    name: raw.name ?? hostname(),
    dataFolder,
    logLevel: raw.logLevel,
    roles: {
      ...(pacemaker
        ? {
            pacemaker: {
              ...pacemaker,
              database: POSTGRES_URL.test(pacemaker.database)
                ? pacemaker.database
                : path.resolve(dataFolder, pacemaker.database),
            },
          }
        : {}),
      ...(raw.roles.heart ? { heart: raw.roles.heart } : {}),
      ...(raw.roles.router ? { router: raw.roles.router } : {}),
    },
    plugins: raw.plugins.map(
      (entry): NodePluginConfig =>
        entry.options ? { plugin: entry.plugin, options: entry.options } : { plugin: entry.plugin },
    ),
    isolation: raw.isolation,
    ...(environmentValues.size ? { environmentValues: [...environmentValues] } : {}),
  };
}

/** Reads and validates a node config file; see {@link parseNodeConfig}. `E_CONFIG_UNREADABLE` if it cannot be read. */
export async function loadNodeConfig(file: string, options: NodeConfigOptions = {}): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new PaasmakerError(
      'E_CONFIG_UNREADABLE',
      `Cannot read the node config file ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parseNodeConfig(text, file, options);
}
