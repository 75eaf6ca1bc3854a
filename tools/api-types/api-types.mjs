// @ts-check
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

// The one way the clients of the pacemaker API (the CLI, the web console) get its types:
// openapi-typescript over the pacemaker's OpenAPI document, into one committed file that
// `@paasmaker/core` exports. A test fails when the file is stale; `npm run generate:api-types`
// runs it with PAASMAKER_WRITE_API_TYPES=1 to write it.

/** The committed file of generated API types. */
export const API_TYPES_FILE = new URL(
  '../../packages/core/src/roles/pacemaker/generated/pacemaker-api-types.ts',
  import.meta.url,
);

/**
 * The pacemaker's OpenAPI document, from a real API over a throwaway SQLite model and job store.
 * @param {typeof import('@paasmaker/core')} core the package (its sources, in the test that checks the types)
 * @returns {Promise<import('openapi-typescript').OpenAPI3>}
 */
export async function pacemakerOpenApiDocument(core) {
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-openapi-'));
  const model = await core.createModel({ filename: path.join(folder, 'model.db') });
  const kernel = await core.createKernel({ plugins: [] });
  const store = core.createSqlJobStore({ filename: path.join(folder, 'jobs.db') });
  const jobs = await core.createJobEngine({ kernel, store, logDirectory: path.join(folder, 'logs') });
  const api = core.createPacemakerApi({ kernel, model, jobs });
  try {
    const response = await api.server.inject({ method: 'GET', url: `${core.API_PREFIX}/openapi.json` });
    return JSON.parse(response.body).data;
  } finally {
    await api.close();
    await jobs.close();
    await store.close();
    await kernel.close();
    await model.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The TypeScript source of the API's types (openapi-typescript), as the clients import them.
 * @param {import('openapi-typescript').OpenAPI3} document
 */
export async function apiTypesSource(document) {
  const header =
    "// Generated from the pacemaker's OpenAPI document by `npm run generate:api-types`; do not edit.\n" +
    '// A test fails when the API changed and this file was not generated again.\n';
  return header + astToString(await openapiTS(document));
}
