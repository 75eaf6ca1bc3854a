import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JsonObject, Kernel } from '@paasmaker/core';
import { temporaryFolder, throwawayKernel } from '@paasmaker/testkit';
import { pino } from 'pino';
import { beforeEach } from 'vitest';
import nodeRuntimePlugin from '../src/index';

/** A kernel with the Node plugin, a test folder and a HOME, new for every test of a `describe`. */
export interface NpmPrepareFixture {
  /** The test's folder (0711, so a tenant can pass it). */
  readonly root: string;
  /** The HOME the step gets unless told otherwise (the dependency cache lives in it). */
  readonly home: string;
  /** Log messages of the last {@link prepare} call, in order. */
  readonly messages: string[];
  /** A new working copy holding `files` (relative path: text or bytes). */
  workingCopy(files: Record<string, string | Uint8Array>): Promise<string>;
  /** Runs `paasmaker.prepare.npm` in `directory`; resolves to the run's log messages. */
  prepare(
    directory: string,
    parameters?: JsonObject,
    environment?: Record<string, string>,
  ): Promise<string[]>;
}

/** Registers the fixture's `beforeEach` in the calling `describe` (the kit removes what it made). */
export function useNpmPrepare(pluginOptions: { npmCacheEntries?: number } = {}): NpmPrepareFixture {
  let kernel: Kernel;
  let copies = 0;
  const fixture = {
    root: '',
    home: '',
    messages: [] as string[],
    async workingCopy(files: Record<string, string | Uint8Array>) {
      const directory = join(fixture.root, `copy-${++copies}`);
      for (const [name, content] of Object.entries(files)) {
        await mkdir(dirname(join(directory, name)), { recursive: true });
        await writeFile(join(directory, name), content);
      }
      await mkdir(directory, { recursive: true });
      return directory;
    },
    async prepare(directory: string, parameters: JsonObject = {}, environment: Record<string, string> = {}) {
      fixture.messages = [];
      const log = pino(
        { level: 'info' },
        { write: (line: string) => fixture.messages.push(JSON.parse(line).msg) },
      );
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: fixture.home,
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        ...environment,
      };
      await kernel
        .provider('prepare', 'paasmaker.prepare.npm')
        .run({ directory, environment: env, parameters }, { log, signal: new AbortController().signal });
      return fixture.messages;
    },
  };

  beforeEach(async () => {
    fixture.root = await temporaryFolder('npm-prepare-');
    fixture.home = join(fixture.root, 'home');
    await mkdir(fixture.home);
    copies = 0;
    kernel = await throwawayKernel([{ plugin: nodeRuntimePlugin, options: pluginOptions }]);
  });

  return fixture;
}
