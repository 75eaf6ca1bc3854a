import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../src/kernel';
import { loadManifest, ManifestError, parseManifest } from '../../src/manifest';
import { manifestErrorOf, minimalManifest, nodeAppManifest } from './manifest-test-helpers';

describe('parseManifest', () => {
  it('parses a full manifest into camelCase fields, versions as strings', () => {
    const manifest = parseManifest(nodeAppManifest);
    expect(manifest).toEqual({
      format: 1,
      application: {
        name: 'shop.example.com',
        tags: { team: 'storefront' },
        prepare: {
          runtime: { plugin: 'paasmaker.runtime.node', version: '20', parameters: {} },
          commands: [
            {
              plugin: 'paasmaker.prepare.shell',
              name: 'build',
              parameters: { commands: ['npm ci', 'npm run build'] },
            },
          ],
        },
      },
      instances: [
        {
          name: 'web',
          quantity: 2,
          runtime: {
            plugin: 'paasmaker.runtime.node',
            version: '20',
            parameters: { command: 'node server.js' },
          },
          startup: [
            { plugin: 'paasmaker.startup.shell', name: '', parameters: { commands: ['node migrate.js'] } },
          ],
          placement: { plugin: 'paasmaker.placement.default', parameters: {} },
          hostnames: ['shop.example.com', '*.shop.example.com'],
          exclusive: false,
          standalone: false,
          crons: [{ runspec: '*/5 * * * *', uri: '/tasks/cleanup', username: 'cron', password: 's3cret' }],
          healthCheck: { path: '/health', timeoutSeconds: 30 },
        },
        {
          name: 'worker',
          quantity: 1,
          runtime: {
            plugin: 'paasmaker.runtime.node',
            version: '20.11',
            parameters: { command: 'node worker.js' },
          },
          startup: [],
          placement: { plugin: 'paasmaker.placement.default', parameters: {} },
          hostnames: [],
          exclusive: true,
          standalone: true,
          crons: [],
          healthCheck: { timeoutSeconds: 20 },
        },
      ],
      services: [
        { name: 'maindb', plugin: 'paasmaker.service.mysql', parameters: {} },
        { name: 'settings', plugin: 'paasmaker.service.parameters', parameters: { feature_x: 'enabled' } },
      ],
    });
  });

  it('fills every default of a minimal manifest', () => {
    expect(parseManifest(minimalManifest)).toEqual({
      format: 1,
      application: { name: 'hello', tags: {}, prepare: { runtime: null, commands: [] } },
      instances: [
        {
          name: 'web',
          quantity: 1,
          runtime: { plugin: 'paasmaker.runtime.node', version: '20', parameters: {} },
          startup: [],
          placement: { plugin: 'paasmaker.placement.default', parameters: {} },
          hostnames: [],
          exclusive: false,
          standalone: false,
          crons: [],
          healthCheck: { timeoutSeconds: 20 },
        },
      ],
      services: [],
    });
  });

  it('fills defaults inside partly written entries', () => {
    const manifest = parseManifest(
      `${minimalManifest}    placement: {parameters: {zone: a}}
    health_check: {path: /up}
    crons: [{runspec: "0 3 * * mon", uri: /nightly}]
    startup: [{plugin: paasmaker.startup.shell}]
`,
    );
    const web = manifest.instances[0];
    expect(web?.placement).toEqual({ plugin: 'paasmaker.placement.default', parameters: { zone: 'a' } });
    expect(web?.healthCheck).toEqual({ path: '/up', timeoutSeconds: 20 });
    expect(web?.crons).toEqual([{ runspec: '0 3 * * mon', uri: '/nightly', username: null, password: null }]);
    expect(web?.startup).toEqual([{ plugin: 'paasmaker.startup.shell', parameters: {}, name: '' }]);
  });

  it('keeps a runtime version written as a number exactly as written', () => {
    const versionOf = (written: string) =>
      parseManifest(minimalManifest.replace('version: "20"', `version: ${written}`)).instances[0]?.runtime
        .version;
    expect(versionOf('5.3')).toBe('5.3');
    expect(versionOf('5.30')).toBe('5.30');
    expect(versionOf('1')).toBe('1');
    expect(versionOf('20.10')).toBe('20.10');
    expect(versionOf("'5.30'")).toBe('5.30');
    const prepared = parseManifest(
      minimalManifest.replace(
        'application: {name: hello}',
        'application: {name: hello, prepare: {runtime: {plugin: paasmaker.runtime.node, version: 18.10}}}',
      ),
    );
    expect(prepared.application.prepare.runtime?.version).toBe('18.10');
  });

  it('accepts a prepare runtime given as null', () => {
    const manifest = parseManifest(
      minimalManifest.replace(
        'application: {name: hello}',
        'application: {name: hello, prepare: {runtime: null}}',
      ),
    );
    expect(manifest.application.prepare).toEqual({ runtime: null, commands: [] });
  });

  it('reports bad YAML with its line, as E_MANIFEST_INVALID', () => {
    const error = manifestErrorOf(() =>
      parseManifest('manifest: {format: 1}\napplication:\n  name: [unclosed\n', { file: 'app/manifest.yml' }),
    );
    expect(isPaasmakerError(error, 'E_MANIFEST_INVALID')).toBe(true);
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0]).toMatchObject({ file: 'app/manifest.yml', field: '(syntax)' });
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(
      /^app\/manifest\.yml: \d+ problems? in the manifest:\napp\/manifest\.yml:\d+: \(syntax\): /,
    );
  });

  it('reports a duplicated YAML key as a syntax problem on its line', () => {
    const error = manifestErrorOf(() =>
      parseManifest(`${minimalManifest}    quantity: 1\n    quantity: 2\n`),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ line: 7, field: '(syntax)' });
  });

  it('refuses an empty file', () => {
    const error = manifestErrorOf(() => parseManifest(''));
    expect(error.problems).toEqual([
      { file: 'manifest.yml', line: 1, field: '(top level)', message: 'must be a mapping' },
    ]);
  });
});

describe('loadManifest', () => {
  it('reads a file and names it in problems', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pm-manifest-'));
    try {
      const file = path.join(folder, 'manifest.yml');
      await writeFile(file, nodeAppManifest);
      expect((await loadManifest(file)).application.name).toBe('shop.example.com');
      await writeFile(file, nodeAppManifest.replace('quantity: 2', 'quantity: two'));
      const error = await loadManifest(file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).problems).toEqual([
        { file, line: 22, field: 'instances.0.quantity', message: 'must be an integer' },
      ]);
      expect((error as ManifestError).message).toContain(
        `${file}:22: instances.0.quantity: must be an integer`,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('fails with E_MANIFEST_UNREADABLE for a missing or unreadable file', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pm-manifest-'));
    try {
      const missing = path.join(folder, 'nope.yml');
      const error = await loadManifest(missing).catch((caught: unknown) => caught);
      expect(isPaasmakerError(error, 'E_MANIFEST_UNREADABLE')).toBe(true);
      expect((error as Error).message).toContain(missing);
      expect((error as Error).cause).toMatchObject({ code: 'ENOENT' });
      const directory = await loadManifest(folder).catch((caught: unknown) => caught);
      expect(isPaasmakerError(directory, 'E_MANIFEST_UNREADABLE')).toBe(true);
      if (process.getuid?.() !== 0) {
        const locked = path.join(folder, 'locked.yml');
        await writeFile(locked, minimalManifest);
        await chmod(locked, 0o000);
        const denied = await loadManifest(locked).catch((caught: unknown) => caught);
        expect(isPaasmakerError(denied, 'E_MANIFEST_UNREADABLE')).toBe(true);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
