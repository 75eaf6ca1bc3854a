import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandProvider,
  createKernel,
  definePlugin,
  KERNEL_API_VERSION,
  type Kernel,
  type PlacementProvider,
  type RuntimeProvider,
  type ServiceProvider,
} from '../../src/kernel';
import { parseManifest } from '../../src/manifest';
import { nodeAppManifest, problemLines } from './manifest-test-helpers';

const unused = () => Promise.reject(new Error('not used by manifest tests'));

const nodeRuntime: RuntimeProvider = {
  parametersSchema: {
    type: 'object',
    properties: { command: { type: 'string' } },
    additionalProperties: false,
  },
  versions: async () => ['20', '20.11'],
  start: unused,
  stop: unused,
  status: unused,
};

const shellCommands: CommandProvider = {
  parametersSchema: {
    type: 'object',
    properties: { commands: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    required: ['commands'],
    additionalProperties: false,
  },
  run: unused,
};

const placement: PlacementProvider = { choose: unused };
const service = (): ServiceProvider => ({ provision: unused, deprovision: unused });

/** The plugins the Node example needs, registered in their hooks. */
const testProviders = definePlugin({
  name: 'test.manifest-providers',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup: ({ hooks }) => {
    hooks.runtime.for('paasmaker.runtime.node').tap('test', () => nodeRuntime);
    hooks.prepare.for('paasmaker.prepare.shell').tap('test', () => shellCommands);
    hooks.startup.for('paasmaker.startup.shell').tap('test', () => shellCommands);
    hooks.placement.for('paasmaker.placement.default').tap('test', () => placement);
    hooks.service.for('paasmaker.service.mysql').tap('test', service);
    hooks.service.for('paasmaker.service.parameters').tap('test', service);
  },
});

describe('manifest plugin checks', () => {
  let kernel: Kernel;
  beforeAll(async () => {
    kernel = await createKernel({ plugins: [testProviders] });
  });
  afterAll(async () => {
    await kernel.close();
  });

  it('accepts a manifest whose plugins are all loaded with valid parameters', () => {
    expect(parseManifest(nodeAppManifest, { kernel }).instances).toHaveLength(2);
  });

  it('reports each plugin missing from its hook, with the hook it was looked for in', () => {
    const text = nodeAppManifest
      .replace('plugin: paasmaker.prepare.shell', 'plugin: paasmaker.prepare.npm')
      .replace('version: "20.11"', 'version: "20.11"\n      plugin: paasmaker.runtime.ruby')
      .replace('      plugin: paasmaker.runtime.node\n      version: "20.11"\n', '      version: "20.11"\n')
      .replace('plugin: paasmaker.startup.shell', 'plugin: paasmaker.prepare.shell')
      .replace('plugin: paasmaker.service.mysql', 'plugin: paasmaker.runtime.node');
    expect(problemLines(() => parseManifest(text, { kernel }))).toEqual([
      '13 application.prepare.commands.0.plugin: Plugin paasmaker.prepare.npm is not loaded (no prepare command plugin of that name; loaded: paasmaker.prepare.shell)',
      '29 instances.0.startup.0.plugin: Plugin paasmaker.prepare.shell is not loaded (no startup command plugin of that name; loaded: paasmaker.startup.shell)',
      '50 instances.1.runtime.plugin: Plugin paasmaker.runtime.ruby is not loaded (no runtime plugin of that name; loaded: paasmaker.runtime.node)',
      '58 services.0.plugin: Plugin paasmaker.runtime.node is not loaded (no service plugin of that name; loaded: paasmaker.service.mysql, paasmaker.service.parameters)',
    ]);
  });

  it('checks the prepare runtime and an explicit placement', async () => {
    const empty = await createKernel({ plugins: [] });
    try {
      const lines = problemLines(() => parseManifest(nodeAppManifest, { kernel: empty }));
      expect(lines.map((line) => line.split(':')[0])).toEqual([
        '10 application.prepare.runtime.plugin',
        '13 application.prepare.commands.0.plugin',
        '24 instances.0.runtime.plugin',
        '29 instances.0.startup.0.plugin',
        '34 instances.0.placement.plugin',
        '49 instances.1.runtime.plugin',
        '58 services.0.plugin',
        '60 services.1.plugin',
      ]);
      expect(lines[0]).toContain(
        'Plugin paasmaker.runtime.node is not loaded (no runtime plugin of that name; loaded: none)',
      );
    } finally {
      await empty.close();
    }
  });

  it("checks parameters against the provider's parametersSchema", () => {
    const text = nodeAppManifest
      .replace('        command: node server.js', '        command: 42\n        port: 80')
      .replace('          commands:\n            - node migrate.js', '          commands: []');
    expect(problemLines(() => parseManifest(text, { kernel }))).toEqual([
      '27 instances.0.runtime.parameters.command: must be a string',
      '28 instances.0.runtime.parameters.port: unknown key; allowed: command',
      '32 instances.0.startup.0.parameters.commands: must list at least one entry',
    ]);
  });

  it('reports a missing required parameter at the plugin entry when it has no parameters', () => {
    const text = nodeAppManifest.replace(
      '    startup:\n      - plugin: paasmaker.startup.shell\n        parameters:\n          commands:\n            - node migrate.js\n',
      '    startup:\n      - plugin: paasmaker.startup.shell\n',
    );
    expect(problemLines(() => parseManifest(text, { kernel }))).toEqual([
      '29 instances.0.startup.0.parameters.commands: is required',
    ]);
  });

  it('reports a badly formed plugin name once, by the schema, not also as not loaded', () => {
    const text = nodeAppManifest.replace('plugin: paasmaker.service.mysql', 'plugin: Paasmaker.Service');
    expect(problemLines(() => parseManifest(text, { kernel }))).toEqual([
      '58 services.0.plugin: must be a plugin name of lower-case letters, digits, "-", "_" and "."',
    ]);
  });

  it('reports plugin problems together with schema problems', () => {
    const text = nodeAppManifest
      .replace('quantity: 2', 'quantity: -1')
      .replace('plugin: paasmaker.service.mysql', 'plugin: paasmaker.service.redis');
    expect(problemLines(() => parseManifest(text, { kernel })).map((line) => line.split(':')[0])).toEqual([
      '22 instances.0.quantity',
      '58 services.0.plugin',
    ]);
  });
});
