import { readFile, writeFile } from 'node:fs/promises';
import * as core from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import {
  API_TYPES_FILE,
  apiTypesSource,
  pacemakerOpenApiDocument,
} from '../../../../../tools/api-types/api-types.mjs';

describe("the API types generated from the pacemaker's OpenAPI document", () => {
  it('match the document (else: npm run generate:api-types)', async () => {
    const generated = await apiTypesSource(await pacemakerOpenApiDocument(core));
    // `npm run generate:api-types` runs this test with PAASMAKER_WRITE_API_TYPES=1 to write them.
    if (process.env.PAASMAKER_WRITE_API_TYPES) await writeFile(API_TYPES_FILE, generated);
    expect(generated).toBe(await readFile(API_TYPES_FILE, 'utf8'));
  });
});
