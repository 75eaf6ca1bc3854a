import type { JsonObject, Kernel, PluginEntry, ServiceCredentials, ServiceProvider } from '@paasmaker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectPaasmakerError } from './expect-paasmaker-error';
import { providerCall } from './provider-call';
import { throwawayKernel } from './throwaway-kernel';

/** How the suite uses a resource as an application would, with the credentials it was given. */
export interface ServiceDataProbe {
  /** Stores `value` in the resource (a row, a key). */
  write(credentials: ServiceCredentials, value: string): Promise<void>;
  /**
   * The value last written, `undefined` when none was; rejects when the credentials reach no
   * resource any more (after `deprovision`).
   */
  read(credentials: ServiceCredentials): Promise<string | undefined>;
}

/** What {@link describeServiceConformance} tests. */
export interface ServiceConformanceOptions {
  /** The service's name on `hooks.service`, as manifests write it. */
  service: string;
  /** The plugins to load, as `createKernel` takes them, pointed at a server that runs. */
  plugins: readonly PluginEntry[];
  /** The service's parameters in a manifest. Default `{}`. */
  parameters?: JsonObject;
  /** Reads and writes the resource with its credentials. */
  data: ServiceDataProbe;
  /** The same plugin pointed at a server that cannot be reached (a closed port). */
  unreachable: {
    plugins: readonly PluginEntry[];
    /** What the error's message must name so the reader knows which server: its address. */
    address: string;
    /** What the message must never hold: the admin password. */
    secret?: string;
  };
}

/**
 * Tests that a service keeps the contract of the plugin author's guide: `provision` gives
 * credentials an application can use; provisioning again with `existingCredentials` keeps the
 * data, and the old credentials work; provisioning the same name without them (another
 * workspace, a retry after a failure) succeeds with a resource of its own; `deprovision` removes
 * the resource and succeeds again; an unreachable server is `E_SERVICE_UNAVAILABLE`, naming the
 * plugin and the address, never the secret.
 */
export function describeServiceConformance(options: ServiceConformanceOptions): void {
  const parameters = options.parameters ?? {};
  const { data } = options;

  describe(`${options.service}: service conformance`, () => {
    let kernel: Kernel;
    let service: ServiceProvider;
    const made: { serviceName: string; credentials: ServiceCredentials }[] = [];

    beforeEach(async () => {
      kernel = await throwawayKernel(options.plugins);
      service = kernel.provider('service', options.service);
    });
    afterEach(async () => {
      for (const request of made.splice(0)) {
        await service.deprovision(request, providerCall(kernel)).catch((error: unknown) => {
          kernel.log.error(
            { err: error, serviceName: request.serviceName },
            'deprovision after the test failed',
          );
        });
      }
    });

    async function provision(serviceName: string, existingCredentials?: ServiceCredentials) {
      const credentials = await service.provision(
        { serviceName, parameters, ...(existingCredentials ? { existingCredentials } : {}) },
        providerCall(kernel),
      );
      expect(typeof credentials.protocol).toBe('string');
      if (!existingCredentials) made.push({ serviceName, credentials });
      return credentials;
    }

    it('provisions a resource an application can use with its credentials', async () => {
      const credentials = await provision('db');
      expect(await data.read(credentials)).toBeUndefined();
      await data.write(credentials, 'first');
      expect(await data.read(credentials)).toBe('first');
    });

    it('keeps the data and the credentials when provisioned again', async () => {
      const first = await provision('db');
      await data.write(first, 'kept');
      const again = await provision('db', first);
      expect(await data.read(again)).toBe('kept');
      expect(await data.read(first), 'the credentials applications already have stop working').toBe('kept');
    });

    it('gives a resource of its own to the same name provisioned without existing credentials', async () => {
      const first = await provision('db');
      await data.write(first, 'first workspace');
      const second = await provision('db');
      expect(await data.read(second)).toBeUndefined();
      await data.write(second, 'second workspace');
      expect(await data.read(first)).toBe('first workspace');
    });

    it('removes the resource, and removing it again succeeds', async () => {
      const credentials = await provision('db');
      await data.write(credentials, 'doomed');
      made.pop();
      await service.deprovision({ serviceName: 'db', credentials }, providerCall(kernel));
      await expect(data.read(credentials), 'the resource is still there after deprovision').rejects.toThrow();
      await service.deprovision({ serviceName: 'db', credentials }, providerCall(kernel));
    });

    it('fails with E_SERVICE_UNAVAILABLE naming the plugin and the server when it cannot reach it', async () => {
      const offline = await throwawayKernel(options.unreachable.plugins);
      const provider = offline.provider('service', options.service);
      const error = await expectPaasmakerError(
        provider.provision({ serviceName: 'db', parameters }, providerCall(offline)),
        'E_SERVICE_UNAVAILABLE',
      );
      const names = offline.plugins.map((plugin) => plugin.name);
      expect(
        names.some((name) => error.message.startsWith(`${name}: `)),
        `"${error.message}" starts with the plugin's name`,
      ).toBe(true);
      expect(error.message).toContain(options.unreachable.address);
      if (options.unreachable.secret) expect(error.message).not.toContain(options.unreachable.secret);
    });
  });
}
