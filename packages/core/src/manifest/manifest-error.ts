import { PaasmakerError } from '../kernel/errors';
import type { YamlPath } from '../yaml/located-yaml';

/** One problem of a manifest: where it is and what is wrong. */
export interface ManifestProblem {
  /** The manifest file, as given to {@link parseManifest} or {@link loadManifest}. */
  readonly file: string;
  /** 1-based line of the field (of the enclosing field for a missing one). */
  readonly line: number;
  /** Dotted path of the field as written in YAML, `instances.0.runtime.plugin`; `(top level)` for the root. */
  readonly field: string;
  readonly message: string;
}

/**
 * `E_MANIFEST_INVALID`: a manifest with every problem found in it. The message has one line per
 * problem, `file:line: field: message`; {@link ManifestError.problems} has them as data.
 */
export class ManifestError extends PaasmakerError {
  constructor(
    readonly file: string,
    readonly problems: readonly ManifestProblem[],
  ) {
    super(
      'E_MANIFEST_INVALID',
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the manifest:\n${problems
        .map((p) => `${p.file}:${p.line}: ${p.field}: ${p.message}`)
        .join('\n')}`,
    );
  }
}

/** The field name of a path as manifest messages print it: `instances.0.runtime.plugin`. */
export function fieldName(path: YamlPath): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}
