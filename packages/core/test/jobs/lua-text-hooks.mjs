// @ts-check
// Module hooks registered by lua-text-loader.mjs: a `.lua` file is a module exporting its text.
import { readFile } from 'node:fs/promises';

/**
 * @param {string} url
 * @param {{ format?: string }} context
 * @param {(url: string, context: { format?: string }) => Promise<unknown>} nextLoad
 */
export async function load(url, context, nextLoad) {
  if (!url.endsWith('.lua')) return nextLoad(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
