import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `target` is `root` itself or lies inside it. */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The folder to serve: the instance directory, or its `documentRoot` sub-folder. Refuses a
 * `documentRoot` that is not a string, is absolute, contains `..`, or resolves (through symlinks)
 * outside the instance directory.
 */
export async function resolveDocumentRoot(directory: string, documentRoot: unknown): Promise<string> {
  const base = await realpath(directory);
  if (documentRoot === undefined || documentRoot === '') return base;
  if (typeof documentRoot !== 'string') {
    throw new TypeError(`documentRoot must be a string, got ${typeof documentRoot}`);
  }
  if (isAbsolute(documentRoot) || documentRoot.split(/[\\/]/).includes('..')) {
    throw new Error(`documentRoot "${documentRoot}" must be a relative path without ".." segments`);
  }
  const root = await realpath(resolve(base, documentRoot));
  if (!isInside(base, root)) {
    throw new Error(`documentRoot "${documentRoot}" resolves outside the instance directory`);
  }
  if (!(await stat(root)).isDirectory()) {
    throw new Error(`documentRoot "${documentRoot}" is not a folder`);
  }
  return root;
}
