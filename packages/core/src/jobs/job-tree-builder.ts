import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PaasmakerError } from '../kernel/errors';
import type { JsonObject } from '../kernel/json-schema';
import type { KernelHooks } from '../kernel/kernel-hooks';
import type { JobSpec } from '../kernel/providers/job-type-provider';
import type { NewJob } from './job-store';

/** Turns job specs into validated jobs with fresh ids, parents before children. */
export class JobTreeBuilder {
  private readonly ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    allowUnionTypes: true,
    logger: false,
  });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly hooks: KernelHooks) {}

  /**
   * Validates every job of `spec` (type known, parameters matching the type's schema, node
   * known, no cycle) and returns them as jobs to insert: `[root, ...descendants]`, depth first.
   * `parentId` is the job a grafted subtree goes under (`null` for a new tree).
   */
  build(
    specs: readonly JobSpec[],
    parentId: string | null,
    defaultNode: string,
    knownNodes: ReadonlySet<string>,
  ): NewJob[] {
    if (!Array.isArray(specs) || specs.length === 0) {
      throw new PaasmakerError('E_JOB_TREE_INVALID', 'a job tree needs at least one job.');
    }
    const jobs: NewJob[] = [];
    const ancestors = new Set<unknown>();
    // Depth first with a stack of its own rather than recursion, so that a chain of 100,000
    // jobs does not overflow the call stack; a `leave` entry takes a spec off the ancestors.
    type Step = { spec: JobSpec; parent: string | null; path: string } | { leave: JobSpec };
    const stack: Step[] = specs
      .map((spec, index) => ({ spec, parent: parentId, path: parentId === null ? '' : `/${index}` }))
      .reverse();
    for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
      if ('leave' in step) {
        ancestors.delete(step.leave);
        continue;
      }
      const { spec, parent, path } = step;
      const where = path || '/';
      if (ancestors.has(spec)) {
        throw new PaasmakerError(
          'E_JOB_TREE_INVALID',
          `the job tree has a cycle: the job at ${where} contains itself.`,
        );
      }
      this.checkShape(spec, where);
      const nodeId = spec.node ?? defaultNode;
      if (!knownNodes.has(nodeId)) {
        throw new PaasmakerError(
          'E_JOB_TREE_INVALID',
          `the job at ${where} (${spec.type}) is assigned to node "${nodeId}", which is not a registered node (known: ${[...knownNodes].join(', ')}).`,
        );
      }
      const id = randomUUID();
      jobs.push({
        id,
        parentId: parent,
        nodeId,
        type: spec.type,
        parameters: this.validParameters(spec, where),
        title: spec.title ?? spec.type,
      });
      ancestors.add(spec);
      stack.push({ leave: spec });
      const children = spec.children ?? [];
      for (let index = children.length - 1; index >= 0; index--) {
        stack.push({ spec: children[index] as JobSpec, parent: id, path: `${path}/children/${index}` });
      }
    }
    return jobs;
  }

  private checkShape(spec: JobSpec, where: string): void {
    const ok =
      typeof spec === 'object' &&
      spec !== null &&
      typeof spec.type === 'string' &&
      (spec.children === undefined || Array.isArray(spec.children)) &&
      (spec.node === undefined || typeof spec.node === 'string') &&
      (spec.title === undefined || typeof spec.title === 'string') &&
      (spec.parameters === undefined || (typeof spec.parameters === 'object' && spec.parameters !== null));
    if (!ok) {
      throw new PaasmakerError(
        'E_JOB_TREE_INVALID',
        `the job at ${where} is not a job spec: expected { type: string, parameters?: object, title?: string, node?: string, children?: [] }.`,
      );
    }
  }

  private validParameters(spec: JobSpec, path: string): JsonObject {
    const validate = this.validatorFor(spec.type, path);
    const parameters = structuredClone(spec.parameters ?? {});
    if (!validate(parameters)) {
      const problems = (validate.errors ?? []).map(describe).join('; ');
      throw new PaasmakerError('E_JOB_PARAMETERS', `${spec.type} (job at ${path}): ${problems}`);
    }
    return parameters;
  }

  private validatorFor(type: string, path: string): ValidateFunction {
    const cached = this.validators.get(type);
    if (cached) return cached;
    const provider = this.hooks.jobType.find(type);
    if (!provider) {
      const known = this.hooks.jobType.names();
      throw new PaasmakerError(
        'E_JOB_TYPE_UNKNOWN',
        `the job at ${path} has type "${type}", which no plugin provides (known: ${known.length ? known.join(', ') : 'none'}); load the plugin that registers it on hooks.jobType.`,
      );
    }
    const validate = this.ajv.compile(provider.parametersSchema);
    this.validators.set(type, validate);
    return validate;
  }
}

function describe(error: ErrorObject): string {
  const extra =
    error.keyword === 'additionalProperties' ? `: "${String(error.params.additionalProperty)}"` : '';
  return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${extra}`;
}

/**
 * Whether a spec of `specs`, or one below, is assigned to a node other than `defaultNode`: only
 * then must the nodes registered with the store be read to check it. Tolerates what `build`
 * refuses (malformed specs, cycles).
 */
export function assignsOtherNodes(specs: readonly unknown[], defaultNode: string): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = Array.isArray(specs) ? [...specs] : [];
  while (pending.length > 0) {
    const spec = pending.pop();
    if (typeof spec !== 'object' || spec === null || seen.has(spec)) continue;
    seen.add(spec);
    const { node, children } = spec as { node?: unknown; children?: unknown };
    if (node !== undefined && node !== defaultNode) return true;
    if (Array.isArray(children)) pending.push(...children);
  }
  return false;
}
