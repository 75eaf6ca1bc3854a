import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { PaasmakerError } from '../kernel/errors';
import { LocatedYaml, type YamlPath } from '../yaml/located-yaml';
import { buildManifest } from './manifest-build';
import { cronProblems } from './manifest-cron-check';
import { duplicateNameProblems } from './manifest-duplicate-names';
import { fieldName, ManifestError, type ManifestProblem } from './manifest-error';
import { type ManifestKernel, pluginProblems } from './manifest-plugin-check';
import { manifestPluginUses } from './manifest-plugin-uses';
import { manifestJsonSchema } from './manifest-schema';
import type { Manifest } from './manifest-types';
import { schemaProblems } from './schema-problems';

/** The manifest's file name when none is given, and its default place at the source root. */
export const DEFAULT_MANIFEST_FILE = 'manifest.yml';

/** Options of {@link parseManifest}. */
export interface ParseManifestOptions {
  /** Names the file in messages; default `manifest.yml`. */
  readonly file?: string;
  /** When given, every plugin the manifest names must be loaded in it, with valid parameters. */
  readonly kernel?: ManifestKernel;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(manifestJsonSchema);

/**
 * Parses and validates the text of an application manifest (YAML, safe core schema: no custom
 * tags), fills its defaults and, with `options.kernel`, checks every plugin it names. Throws a
 * {@link ManifestError} (`E_MANIFEST_INVALID`) listing every problem, each with file, line and field.
 */
export function parseManifest(text: string, options: ParseManifestOptions = {}): Manifest {
  const file = options.file ?? DEFAULT_MANIFEST_FILE;
  const yaml = new LocatedYaml(text);
  const syntax = { file, field: '(syntax)' };
  const problems: ManifestProblem[] = yaml.syntaxProblems.map((problem) => ({ ...syntax, ...problem }));
  if (problems.length) throw new ManifestError(file, problems);

  const report = (path: YamlPath, at: YamlPath, message: string) =>
    problems.push({ file, line: yaml.lineOf(at), field: fieldName(path), message });

  const read = yaml.data();
  if (!read.ok) throw new ManifestError(file, [{ file, line: 1, field: '(syntax)', message: read.message }]);
  const data = read.data;
  const uses = manifestPluginUses(data);
  if (!validate(data))
    for (const problem of schemaProblems(validate.errors ?? [], manifestJsonSchema))
      report(problem.path, problem.at, problem.message);
  for (const problem of [...duplicateNameProblems(data), ...cronProblems(data)])
    report(problem.path, problem.path, problem.message);
  if (options.kernel)
    for (const problem of pluginProblems(uses, options.kernel))
      report(problem.path, problem.at, problem.message);
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line);
    throw new ManifestError(file, problems);
  }
  return buildManifest(data, (path) => yaml.numberSourceAt(path));
}

/** Options of {@link loadManifest}. */
export interface LoadManifestOptions {
  /** When given, every plugin the manifest names must be loaded in it, with valid parameters. */
  readonly kernel?: ManifestKernel;
}

/** Reads and parses a manifest file; see {@link parseManifest}. `E_MANIFEST_UNREADABLE` if it cannot be read. */
export async function loadManifest(file: string, options: LoadManifestOptions = {}): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new PaasmakerError(
      'E_MANIFEST_UNREADABLE',
      `Cannot read the application manifest ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parseManifest(text, { file, ...(options.kernel ? { kernel: options.kernel } : {}) });
}
