import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One built file of the console, held in memory (the whole console is a few hundred kB). */
export interface ConsoleAsset {
  /** The URL path it is served at: `/` for the page, `/assets/index-1a2b3c.js` for the rest. */
  readonly urlPath: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** Hashed file names never change content: they may be cached for a year. */
  readonly immutable: boolean;
}

/** Where the built console is: `dist/app` of this package, from `src/` (tests) and `dist/` alike. */
export const CONSOLE_ASSETS_FOLDER = fileURLToPath(new URL('../dist/app/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Reads every file of the built console; rejects when the folder is missing (not built). */
export async function loadConsoleAssets(folder = CONSOLE_ASSETS_FOLDER): Promise<ConsoleAsset[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const assets: ConsoleAsset[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(folder, file).split(path.sep).join('/');
    const contentType = CONTENT_TYPES[path.extname(entry.name)];
    if (!contentType || relative.endsWith('.map')) continue;
    assets.push({
      urlPath: relative === 'index.html' ? '/' : `/${relative}`,
      contentType,
      body: await readFile(file),
      immutable: relative.startsWith('assets/'),
    });
  }
  return assets;
}
