import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest';
import { manifestErrorOf, minimalManifest, problemLines } from './manifest-test-helpers';

/** `minimalManifest` with `extra` lines added to its instance type `web` (they start at line 6). */
const withWeb = (extra: string) => parseManifest(minimalManifest + extra);

describe('manifest problems', () => {
  it('requires the format, the application and the instances', () => {
    expect(problemLines(() => parseManifest('application: {name: hello}\n'))).toEqual([
      '1 manifest: is required',
      '1 instances: is required',
    ]);
    expect(problemLines(() => parseManifest('manifest: {}\napplication: {}\ninstances: []\n'))).toEqual([
      '1 manifest.format: is required',
      '2 application.name: is required',
      '3 instances: must list at least one entry',
    ]);
  });

  it('accepts only format 1', () => {
    expect(problemLines(() => parseManifest(minimalManifest.replace('format: 1', 'format: 2')))).toEqual([
      '1 manifest.format: must be 1',
    ]);
  });

  it('checks names: application and services allow letters, digits, "-" and "." only', () => {
    const text = `${minimalManifest.replace('name: hello', 'name: my_app')}services:\n  - {name: "db 1", plugin: p}\n`;
    expect(problemLines(() => parseManifest(text))).toEqual([
      '2 application.name: must contain only letters, digits, "-" and "." (it appears in hostnames)',
      '7 services.0.name: must contain only letters, digits, "-" and "." (it appears in hostnames)',
    ]);
  });

  it('checks plugin names', () => {
    expect(
      problemLines(() =>
        parseManifest(minimalManifest.replace('paasmaker.runtime.node', 'Paasmaker.Runtime')),
      ),
    ).toEqual([
      '5 instances.0.runtime.plugin: must be a plugin name of lower-case letters, digits, "-", "_" and "."',
    ]);
  });

  it('rejects unknown keys, naming the allowed ones', () => {
    expect(problemLines(() => parseManifest(`${minimalManifest}    replicas: 3\nextra: true\n`))).toEqual([
      '6 instances.0.replicas: unknown key; allowed: name, quantity, runtime, startup, placement, hostnames, exclusive, standalone, crons, health_check',
      '7 extra: unknown key; allowed: manifest, application, instances, services',
    ]);
  });

  it('requires a runtime with a plugin and a string or number version', () => {
    expect(
      problemLines(() => parseManifest(minimalManifest.replace('version: "20"', 'version: true'))),
    ).toEqual(['5 instances.0.runtime.version: must be a string or a number']);
    expect(problemLines(() => parseManifest(minimalManifest.replace(', version: "20"', '')))).toEqual([
      '5 instances.0.runtime.version: is required',
    ]);
    expect(
      problemLines(() =>
        parseManifest(
          minimalManifest.replace(
            '{name: hello}',
            '{name: hello, prepare: {runtime: {plugin: paasmaker.runtime.node}}}',
          ),
        ),
      ),
    ).toEqual(['2 application.prepare.runtime.version: is required']);
  });

  it('checks hostnames: lower-case DNS names, one leading wildcard label at most', () => {
    const text = `    hostnames:
      - shop.example.com
      - "*.shop.example.com"
      - Shop.example.com
      - "*.*.example.com"
      - "shop.*.com"
      - "-bad.example.com"
      - "under_score.com"
      - localhost
`;
    expect(problemLines(() => withWeb(text))).toEqual(
      [9, 10, 11, 12, 13].map(
        (line) =>
          `${line} instances.0.hostnames.${line - 7}: must be a lower-case DNS name; a wildcard is allowed only as one leading label ("*.example.com")`,
      ),
    );
  });

  it('checks crons: a five-field runspec or a nickname, values in range, and a path', () => {
    const text = `    crons:
      - {runspec: "*/5 * * * *", uri: /ok}
      - {runspec: "* * * *", uri: /four-fields}
      - {runspec: "0 0 * * * *", uri: /six-fields}
      - {runspec: "0 3 * * 1", uri: "http://elsewhere/"}
      - {uri: /no-runspec}
      - {runspec: "@daily", uri: /nightly}
      - {runspec: "61 * * * *", uri: /minute-61}
      - {runspec: "@fortnightly", uri: /unknown-nickname}
`;
    const shape =
      'must be a cron expression of five fields ("*/5 * * * *") or @hourly, @daily, @weekly, @monthly, @yearly';
    expect(problemLines(() => withWeb(text))).toEqual([
      `8 instances.0.crons.1.runspec: ${shape}`,
      `9 instances.0.crons.2.runspec: ${shape}`,
      '10 instances.0.crons.3.uri: must start with "/"',
      '11 instances.0.crons.4.runspec: is required',
      '13 instances.0.crons.6.runspec: Cron "61 * * * *": Invalid value for minute: 61',
      `14 instances.0.crons.7.runspec: ${shape}`,
    ]);
  });

  it('checks the health check: a path starting with "/", a positive timeout', () => {
    expect(problemLines(() => withWeb('    health_check:\n      path: health\n      timeout: 0\n'))).toEqual([
      '7 instances.0.health_check.path: must start with "/"',
      '8 instances.0.health_check.timeout: must be > 0',
    ]);
  });

  it('checks types of quantity, flags and lists', () => {
    const text = '    quantity: 0\n    exclusive: "yes"\n    standalone: 1\n    startup: {plugin: x}\n';
    expect(problemLines(() => withWeb(text))).toEqual([
      '6 instances.0.quantity: must be >= 1',
      '7 instances.0.exclusive: must be a boolean',
      '8 instances.0.standalone: must be a boolean',
      '9 instances.0.startup: must be a list',
    ]);
  });

  it('reports instance types and services that appear twice, at the repeated name', () => {
    const text = `${minimalManifest}  - name: web
    runtime: {plugin: paasmaker.runtime.node, version: "20"}
services:
  - {name: db, plugin: paasmaker.service.mysql}
  - {name: db, plugin: paasmaker.service.postgres}
`;
    expect(problemLines(() => parseManifest(text))).toEqual([
      '6 instances.1.name: Instance type web appears more than once in the manifest file. Each instance type requires a unique name.',
      '10 services.1.name: Service db appears more than once in the manifest file. Each service requires a unique name.',
    ]);
  });

  it('reports every problem at once, in line order, in one message', () => {
    const text = `manifest:
  format: 1
application:
  name: bad_name
  colour: blue
instances:
  - name: web
    quantity: many
    runtime: {plugin: paasmaker.runtime.node}
    hostnames: [UPPER.example.com]
  - name: web
    runtime: {plugin: paasmaker.runtime.node, version: 20}
`;
    const error = manifestErrorOf(() => parseManifest(text, { file: 'apps/shop/manifest.yml' }));
    expect(error.code).toBe('E_MANIFEST_INVALID');
    expect(error.problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'application.name'],
      [5, 'application.colour'],
      [8, 'instances.0.quantity'],
      [9, 'instances.0.runtime.version'],
      [10, 'instances.0.hostnames.0'],
      [11, 'instances.1.name'],
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('apps/shop/manifest.yml: 6 problems in the manifest:');
    expect(lines.slice(1)).toEqual(
      error.problems.map((p) => `apps/shop/manifest.yml:${p.line}: ${p.field}: ${p.message}`),
    );
  });
});
