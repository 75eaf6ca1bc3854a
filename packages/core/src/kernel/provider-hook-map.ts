import { HookMap, SyncBailHook } from 'tapable';
import { PaasmakerError } from './errors';

/**
 * A tapable `HookMap` keyed by provider name (`acme.runtime.ruby`), where each key's hook
 * returns the provider. A name can be claimed by one tap only: a second claim fails with
 * `E_PROVIDER_CONFLICT`, naming both claimants.
 *
 * ```ts
 * kernel.hooks.runtime.for('acme.runtime.ruby').tap('acme.runtime.ruby', () => rubyRuntime);
 * ```
 */
export class ProviderHookMap<P> {
  private readonly map: HookMap<SyncBailHook<[], P>>;
  private readonly claimed: string[] = [];

  /** @param kind what the providers are, for error messages (`runtime`, `service`...) */
  constructor(readonly kind: string) {
    this.map = new HookMap(() => new SyncBailHook<[], P>(), kind);
    this.map.intercept({
      factory: (name: string, hook: SyncBailHook<[], P>) => {
        hook.intercept({
          register: (tap) => {
            const owner = hook.taps[0];
            if (owner) {
              throw new PaasmakerError(
                'E_PROVIDER_CONFLICT',
                `${tap.name}: ${kind} provider "${name}" is already provided by ${owner.name}; ` +
                  'load only one of the two plugins, or register one of them under another name.',
              );
            }
            this.claimed.push(name);
            return tap;
          },
        });
        return hook;
      },
    });
  }

  /** The hook for `name`, created on first use. Tap it once with a function returning the provider. */
  for(name: string): SyncBailHook<[], P> {
    return this.map.for(name);
  }

  /** The provider registered under `name`, or `undefined` when no plugin provides it. */
  find(name: string): P | undefined {
    const hook = this.map.get(name);
    return hook?.isUsed() ? hook.call() : undefined;
  }

  /** Names that have a provider, in registration order. */
  names(): string[] {
    return [...this.claimed];
  }
}
