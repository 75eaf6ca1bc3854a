import { readFile, writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { manifestJsonSchema } from '../../src/manifest';
import { minimalManifest, nodeAppManifest } from './manifest-test-helpers';

const file = new URL('../../manifest.schema.json', import.meta.url);
/** The published file: the schema constant, with the draft editors should read it as. */
const published = { $schema: 'http://json-schema.org/draft-07/schema#', ...manifestJsonSchema };
const text = `${JSON.stringify(published, null, 2)}\n`;

describe('published manifest schema', () => {
  it('manifest.schema.json is the schema constant (UPDATE_MANIFEST_SCHEMA=1 rewrites it)', async () => {
    if (process.env.UPDATE_MANIFEST_SCHEMA === '1') await writeFile(file, text);
    // Compared as data, so formatting the file (biome) does not count as drift.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(text));
  });

  it('validates manifests on its own, as an editor would use it', async () => {
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
      JSON.parse(await readFile(file, 'utf8')) as object,
    );
    expect(validate(parse(nodeAppManifest))).toBe(true);
    expect(validate(parse(minimalManifest))).toBe(true);
    expect(validate(parse(`${minimalManifest}    colour: blue\n`))).toBe(false);
  });
});
