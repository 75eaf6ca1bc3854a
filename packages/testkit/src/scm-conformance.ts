import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject, Kernel, PluginEntry, ScmCheckoutResult, ScmProvider } from '@paasmaker/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectPaasmakerError } from './expect-paasmaker-error';
import { providerCall } from './provider-call';
import { temporaryFolder } from './temporary-folder';
import { throwawayKernel } from './throwaway-kernel';

/** A source made for a test, and what a checkout of it must hold. */
export interface ScmTestSource {
  /** The SCM parameters naming it, as a deploy gives them. */
  parameters: JsonObject;
  /** Files (relative path → text) the working copy must hold. */
  files: Readonly<Record<string, string>>;
}

type CheckedOut = ScmCheckoutResult & { workingDirectory: string };

/** What {@link describeScmConformance} tests. */
export interface ScmConformanceOptions {
  /** The SCM's name on `hooks.scm`, as deploys give it. */
  scm: string;
  /** The plugins to load, as `createKernel` takes them (the kernel gets a temporary `dataFolder`). */
  plugins: readonly PluginEntry[];
  /** Makes a source in `folder` (empty, removed after the test). */
  source(folder: string): ScmTestSource | Promise<ScmTestSource>;
  /** Parameters naming a source that does not exist in `folder`: `E_SCM_FAILED`. */
  missing(folder: string): JsonObject;
  /**
   * Parameters the SCM must refuse with `E_SCM_UNSAFE_INPUT`: an option-looking location or
   * branch (`-x`, `--upload-pack=...`), a dangerous transport, a value of the wrong type.
   */
  unsafe: readonly JsonObject[];
}

/**
 * Tests that an SCM keeps the contract of the plugin author's guide: a checkout writes the source
 * into the empty working folder, again for a second deploy and for three at once (a cache shared by
 * deploys locks per key), with one revision for one source; unsafe input is refused with
 * `E_SCM_UNSAFE_INPUT` and a missing source fails with `E_SCM_FAILED`, each naming the plugin;
 * an aborted call rejects.
 */
export function describeScmConformance(options: ScmConformanceOptions): void {
  describe(`${options.scm}: SCM conformance`, () => {
    let kernel: Kernel;
    let scm: ScmProvider;
    let folder: string;

    beforeEach(async () => {
      folder = await temporaryFolder('paasmaker-scm-');
      kernel = await throwawayKernel(options.plugins, { dataFolder: join(folder, 'data') });
      scm = kernel.provider('scm', options.scm);
    });

    /** A checkout into a new empty folder: the SCM's result and that folder. */
    async function checkout(parameters: JsonObject, signal?: AbortSignal): Promise<CheckedOut> {
      const workingDirectory = await temporaryFolder('paasmaker-working-copy-');
      const result = await scm.checkout({ parameters, workingDirectory }, providerCall(kernel, signal));
      return { ...result, workingDirectory };
    }

    async function expectFiles(
      { workingDirectory }: CheckedOut,
      files: ScmTestSource['files'],
    ): Promise<void> {
      for (const [name, text] of Object.entries(files)) {
        expect(await readFile(join(workingDirectory, name), 'utf8'), name).toBe(text);
      }
    }

    function expectNamesPlugin(message: string): void {
      const names = kernel.plugins.map((plugin) => plugin.name);
      expect(
        names.some((name) => message.startsWith(`${name}: `)),
        `"${message}" starts with the plugin's name`,
      ).toBe(true);
    }

    it('checks the source out into an empty folder, and again for the next deploy', async () => {
      const source = await options.source(join(folder, 'source'));
      const first = await checkout(source.parameters);
      await expectFiles(first, source.files);
      const second = await checkout(source.parameters);
      await expectFiles(second, source.files);
      expect(second.revision).toBe(first.revision);
    });

    it('checks one source out for three deploys at once', async () => {
      const source = await options.source(join(folder, 'source'));
      const results = await Promise.all([1, 2, 3].map(() => checkout(source.parameters)));
      for (const result of results) await expectFiles(result, source.files);
      expect(new Set(results.map((result) => result.revision)).size).toBe(1);
    });

    it('refuses unsafe input with E_SCM_UNSAFE_INPUT', async () => {
      expect(options.unsafe.length, 'give the suite some unsafe parameters').toBeGreaterThan(0);
      for (const parameters of options.unsafe) {
        const error = await expectPaasmakerError(checkout(parameters), 'E_SCM_UNSAFE_INPUT');
        expectNamesPlugin(error.message);
      }
    });

    it('fails with E_SCM_FAILED for a source that does not exist', async () => {
      const error = await expectPaasmakerError(
        checkout(options.missing(join(folder, 'missing'))),
        'E_SCM_FAILED',
      );
      expectNamesPlugin(error.message);
    });

    it('rejects when the call is aborted', async () => {
      const source = await options.source(join(folder, 'source'));
      await expect(
        checkout(source.parameters, AbortSignal.abort(new Error('deploy aborted'))),
      ).rejects.toThrow();
    });
  });
}
