import { Ajv, type ErrorObject } from 'ajv';
import { PaasmakerError } from './errors';
import type { JsonSchema } from './json-schema';
import type { PluginDefinition } from './plugin-definition';

const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  allowUnionTypes: true,
  strict: true,
  logger: false,
});

const noOptions: JsonSchema = { type: 'object', additionalProperties: false };

/**
 * Validates `options` against the plugin's schema and returns a copy with the schema's defaults
 * applied. Fails with `E_PLUGIN_OPTIONS`, naming the plugin and each failing JSON path.
 */
export function validatePluginOptions(plugin: PluginDefinition, options: unknown): unknown {
  const validate = compileOptionsSchema(plugin);
  const copy = options === undefined ? {} : structuredClone(options);
  if (!validate(copy)) {
    const problems = (validate.errors ?? []).map(describeError).join('; ');
    throw new PaasmakerError('E_PLUGIN_OPTIONS', `${plugin.name}: ${problems}`);
  }
  return copy;
}

function compileOptionsSchema(plugin: PluginDefinition) {
  try {
    return ajv.compile(plugin.options ?? noOptions);
  } catch (error) {
    throw new PaasmakerError(
      'E_PLUGIN_INVALID',
      `${plugin.name}: its options schema is not a valid JSON Schema (${(error as Error).message}); fix the schema in the plugin's definePlugin() call.`,
      { cause: error },
    );
  }
}

function describeError(error: ErrorObject): string {
  const path = error.instancePath || '/';
  const extra =
    error.keyword === 'additionalProperties'
      ? `: "${String(error.params.additionalProperty)}"`
      : error.keyword === 'enum'
        ? ` (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
        : '';
  return `${path} ${error.message ?? 'is invalid'}${extra}`;
}
