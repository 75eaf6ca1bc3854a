import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../kernel/json-schema';
import { pathOfPointer, type YamlPath } from '../yaml/located-yaml';
import { manifestPatternMessages } from './manifest-schema';

/** One ajv error turned into a readable message, with the path it is about and the path to point at. */
export interface SchemaProblem {
  /** The field the message is about (for a missing key, the key itself). */
  readonly path: YamlPath;
  /** The field whose line is reported (for a missing key, the object that lacks it). */
  readonly at: YamlPath;
  readonly message: string;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function schemaAt(root: JsonSchema, path: YamlPath): SchemaNode | undefined {
  let schema: SchemaNode | undefined = typeof root === 'object' ? (root as SchemaNode) : undefined;
  for (const segment of path)
    schema = typeof segment === 'number' ? schema?.items : schema?.properties?.[segment];
  return schema;
}

function typeMessage(type: unknown): string {
  const types = String(type).split(',');
  if (types.includes('string') && types.includes('number')) return 'must be a string or a number';
  const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
  const names = types.map((t) => (t === 'array' ? 'list' : t === 'object' ? 'mapping' : t));
  return `must be ${names.map((t) => (t === 'null' ? 'null' : article(t))).join(' or ')}`;
}

/**
 * Turns ajv errors (validated against `root`) into problems. `prefix` is prepended to every path,
 * for parameters checked against a plugin's own schema. Errors ajv reports for both branches of
 * a union type are merged into one.
 */
export function schemaProblems(
  errors: readonly ErrorObject[],
  root: JsonSchema,
  prefix: YamlPath = [],
): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = pathOfPointer(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let problem: SchemaProblem;
    if (error.keyword === 'additionalProperties') {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(schemaAt(root, path)?.properties ?? {});
      problem = {
        path: [...prefix, ...path, key],
        at: [...prefix, ...path, key],
        message: `unknown key${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`,
      };
    } else if (error.keyword === 'required') {
      const key = String(params.missingProperty);
      problem = { path: [...prefix, ...path, key], at: [...prefix, ...path], message: 'is required' };
    } else {
      let message = error.message ?? 'is invalid';
      if (error.keyword === 'type') message = typeMessage(params.type);
      else if (error.keyword === 'enum')
        message = `must be ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(' or ')}`;
      else if (error.keyword === 'pattern')
        message = manifestPatternMessages[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
      else if (error.keyword === 'minItems' && params.limit === 1) message = 'must list at least one entry';
      problem = { path: [...prefix, ...path], at: [...prefix, ...path], message };
    }
    const key = `${problem.path.join('\0')}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}
