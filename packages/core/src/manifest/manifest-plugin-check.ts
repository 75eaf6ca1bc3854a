import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../kernel/json-schema';
import type { Kernel } from '../kernel/kernel';
import type { YamlPath } from '../yaml/located-yaml';
import type { ManifestPluginUse } from './manifest-plugin-uses';
import { type SchemaProblem, schemaProblems } from './schema-problems';

/** What the plugin check needs of a kernel: its hooks (a `Kernel` or a plugin's `PluginKernel`). */
export type ManifestKernel = Pick<Kernel, 'hooks'>;

const HOOK_LABEL: Record<ManifestPluginUse['kind'], string> = {
  runtime: 'runtime',
  prepare: 'prepare command',
  startup: 'startup command',
  placement: 'placement',
  service: 'service',
};

// Plugins' schemas may use keywords of their own, so not strict; parameters are checked, not changed.
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: JsonSchema): ValidateFunction {
  if (typeof schema === 'boolean') return ajv.compile(schema);
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * The problems of `parameters` against a provider's `parametersSchema` (none when it declares
 * none), their paths under `prefix`. The parameters are checked, not changed (no defaults), which
 * is what provider parameter types promise. Throws when the schema itself is invalid.
 */
export function parameterProblems(
  schema: JsonSchema | undefined,
  parameters: unknown,
  prefix: YamlPath = [],
): SchemaProblem[] {
  if (schema === undefined) return [];
  const validate = validatorOf(schema);
  return validate(parameters) ? [] : schemaProblems(validate.errors ?? [], schema, prefix);
}

/**
 * Checks that each plugin a manifest names is provided in the right hook of `kernel`, and that
 * its parameters match the provider's `parametersSchema` when it declares one.
 */
export function pluginProblems(uses: readonly ManifestPluginUse[], kernel: ManifestKernel): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const use of uses) {
    const hook = kernel.hooks[use.kind];
    const provider = hook.find(use.plugin);
    if (provider === undefined) {
      const loaded = hook.names();
      problems.push({
        path: use.path,
        at: use.path,
        message: `Plugin ${use.plugin} is not loaded (no ${HOOK_LABEL[use.kind]} plugin of that name; loaded: ${
          loaded.length ? loaded.join(', ') : 'none'
        })`,
      });
      continue;
    }
    const parameters = use.parameters ?? {};
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) continue;
    try {
      problems.push(...parameterProblems(provider.parametersSchema, parameters, use.parametersPath));
    } catch (cause) {
      problems.push({
        path: use.path,
        at: use.path,
        message: `plugin ${use.plugin} has an invalid parametersSchema, so its parameters cannot be checked: ${(cause as Error).message}`,
      });
    }
  }
  return problems;
}
