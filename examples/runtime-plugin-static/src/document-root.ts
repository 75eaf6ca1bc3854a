import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PaasmakerError } from '@paasmaker/core';

/**
 * The folder to serve, resolved through symlinks: the instance directory, or its `documentRoot`
 * sub-folder. `E_INSTANCE_START` for a `documentRoot` that is absolute, has `..` segments, or
 * leads out of the instance directory.
 */
export async function resolveDocumentRoot(directory: string, documentRoot = ''): Promise<string> {
  const refuse = (why: string) =>
    new PaasmakerError(
      'E_INSTANCE_START',
      `acme.runtime.static: documentRoot ${JSON.stringify(documentRoot)} ${why}; name a folder inside the application.`,
    );
  if (isAbsolute(documentRoot) || documentRoot.split(/[\\/]/).includes('..'))
    throw refuse('is not a relative path');
  const base = await realpath(directory);
  const root = await realpath(resolve(base, documentRoot)).catch(() => {
    throw refuse('does not exist');
  });
  const path = relative(base, root);
  if (path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path))
    throw refuse('leads out of the application');
  if (!(await stat(root)).isDirectory()) throw refuse('is not a folder');
  return root;
}
