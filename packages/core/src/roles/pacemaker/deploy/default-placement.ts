import { PaasmakerError } from '../../../kernel/errors';
import { definePlugin, KERNEL_API_VERSION } from '../../../kernel/plugin-definition';
import {
  definePlacement,
  type PlacementCandidate,
  type PlacementProvider,
} from '../../../kernel/providers/placement-provider';

/** Name of the default placement provider (and of its plugin). */
export const DEFAULT_PLACEMENT = 'paasmaker.placement.default';

/**
 * The original's default placement: active hearts that offer the runtime version, least loaded
 * first, whose tags match the manifest's `tags` parameter; instances are spread over them in turn.
 */
export const defaultPlacementProvider: PlacementProvider = definePlacement({
  parametersSchema: {
    type: 'object',
    properties: { tags: { type: 'object' } },
    additionalProperties: false,
  },
  async choose(request) {
    if (request.candidates.length === 0)
      throw new PaasmakerError('E_RUNTIME_UNAVAILABLE', 'No active heart nodes found to run this instance.');
    const { name, version } = request.runtime;
    const serving = request.candidates.filter((node) => node.runtimes[name]?.includes(version));
    if (serving.length === 0)
      throw new PaasmakerError(
        'E_RUNTIME_UNAVAILABLE',
        `No nodes can serve the runtime ${name}, version ${version}. Versions on offer: ${offered(request.candidates, name)}.`,
      );
    const wanted = request.parameters.tags ?? {};
    const matching = serving.filter((node) =>
      Object.entries(wanted).every(([key, value]) => node.tags[key] === value),
    );
    if (matching.length === 0)
      throw new PaasmakerError('E_RUNTIME_UNAVAILABLE', `No nodes match the tags ${JSON.stringify(wanted)}.`);
    return Array.from(
      { length: request.quantity },
      (_, index) => matching[index % matching.length] as PlacementCandidate,
    );
  },
});

function offered(candidates: readonly PlacementCandidate[], runtime: string): string {
  const versions = [...new Set(candidates.flatMap((node) => node.runtimes[runtime] ?? []))];
  return versions.length ? versions.join(', ') : 'none';
}

/** Registers {@link defaultPlacementProvider} as `paasmaker.placement.default`. */
export const defaultPlacementPlugin = definePlugin({
  name: DEFAULT_PLACEMENT,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.placement.for(DEFAULT_PLACEMENT).tap(DEFAULT_PLACEMENT, () => defaultPlacementProvider);
  },
});
