import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest';

describe('docs/manifest.md', () => {
  it('its Node app example is a valid manifest', async () => {
    const markdown = await readFile(new URL('../../docs/manifest.md', import.meta.url), 'utf8');
    const example = /## Example: a Node app\n\n```yaml manifest\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(example).toBeDefined();
    const manifest = parseManifest(example ?? '', { file: 'docs/manifest.md' });
    expect(manifest.instances.map((instance) => instance.runtime.version)).toEqual(['20', '20.11']);
    expect(manifest.application.prepare.commands[0]?.plugin).toBe('paasmaker.prepare.shell');
  });
});
