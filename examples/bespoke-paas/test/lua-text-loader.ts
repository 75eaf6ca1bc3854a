// Imported first by a test child process run with `node --import tsx`: @paasmaker/core imports
// the Redis job store's Lua scripts as text (vitest does so with a plugin).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (!url.endsWith('.lua')) return next(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return { format: 'module', shortCircuit: true, source: 'export default ' + JSON.stringify(text) };
}`)}`,
);
