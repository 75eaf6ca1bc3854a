import { type AuthDecision, createKernel, type RuntimeProvider } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { errorFrom, testPlugin } from './test-plugin';

const fakeRuntime = (label: string): RuntimeProvider => ({
  versions: async () => [label],
  start: async () => {},
  stop: async () => {},
  status: async () => 'stopped',
});

describe('kernel hooks', () => {
  it('runs taps in registration order, adjusted by stage and before', async () => {
    const calls: string[] = [];
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.order', {
          setup: ({ hooks }) => {
            hooks.jobStateChanged.tapPromise('plain', async () => void calls.push('plain'));
            hooks.jobStateChanged.tapPromise(
              { name: 'late', stage: 10 },
              async () => void calls.push('late'),
            );
            hooks.jobStateChanged.tapPromise(
              { name: 'early', stage: -10 },
              async () => void calls.push('early'),
            );
            hooks.jobStateChanged.tapPromise(
              { name: 'first', before: 'early' },
              async () => void calls.push('first'),
            );
          },
        }),
      ],
    });
    await kernel.hooks.jobStateChanged.promise({
      jobId: 'j',
      treeId: 't',
      parentId: null,
      nodeId: 'n',
      state: 'RUNNING',
    });
    expect(calls).toEqual(['first', 'early', 'plain', 'late']);
    await kernel.close();
  });

  it('auth: the first tap with a decision wins, undefined passes to the next, later taps are not asked', async () => {
    const asked: string[] = [];
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.auth.tokens', {
          setup: ({ hooks }) =>
            hooks.auth.tapPromise('acme.auth.tokens', async (credentials) => {
              asked.push('tokens');
              return credentials.kind === 'token' && credentials.token === 'letmein'
                ? { outcome: 'authenticated', principal: { kind: 'super', source: 'acme.auth.tokens' } }
                : undefined;
            }),
        }),
        testPlugin('acme.auth.passwords', {
          setup: ({ hooks }) =>
            hooks.auth.tapPromise(
              'acme.auth.passwords',
              async (credentials): Promise<AuthDecision | undefined> => {
                asked.push('passwords');
                if (credentials.kind !== 'password') return undefined;
                return { outcome: 'rejected', reason: 'wrong password' };
              },
            ),
        }),
        testPlugin('acme.auth.never', {
          setup: ({ hooks }) =>
            hooks.auth.tapPromise('acme.auth.never', async () => {
              asked.push('never');
              return undefined;
            }),
        }),
      ],
    });
    expect(await kernel.hooks.auth.promise({ kind: 'token', token: 'letmein' })).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'super', source: 'acme.auth.tokens' },
    });
    expect(asked).toEqual(['tokens']);
    asked.length = 0;
    expect(await kernel.hooks.auth.promise({ kind: 'password', username: 'a', password: 'b' })).toEqual({
      outcome: 'rejected',
      reason: 'wrong password',
    });
    expect(asked).toEqual(['tokens', 'passwords']);
    asked.length = 0;
    expect(await kernel.hooks.auth.promise({ kind: 'token', token: 'nope' })).toBeUndefined();
    expect(asked).toEqual(['tokens', 'passwords', 'never']);
    await kernel.close();
  });

  it('instance environment: each tap receives the previous tap’s environment', async () => {
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.env.port', {
          setup: ({ hooks }) =>
            hooks.instanceEnvironment.tapPromise('acme.env.port', async (env, instance) => ({
              ...env,
              PORT: String(instance.port),
            })),
        }),
        testPlugin('acme.env.scrub', {
          setup: ({ hooks }) =>
            hooks.instanceEnvironment.tapPromise('acme.env.scrub', async ({ SECRET: _secret, ...env }) => ({
              ...env,
              PM_PORT: env.PORT ?? 'missing',
            })),
        }),
      ],
    });
    const env = await kernel.hooks.instanceEnvironment.promise(
      { SECRET: 'x', HOME: '/srv' },
      { workspace: 'w', application: 'a', version: 1, instanceType: 'web', instanceId: 'i', port: 4100 },
    );
    expect(env).toEqual({ HOME: '/srv', PORT: '4100', PM_PORT: '4100' });
    await kernel.close();
  });

  it('lifecycle events reach every tap, in parallel', async () => {
    let running = 0;
    let peak = 0;
    const listener = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
    };
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.watch', {
          setup: ({ hooks }) => {
            hooks.nodeStateChanged.tapPromise('one', listener);
            hooks.nodeStateChanged.tapPromise('two', listener);
            hooks.nodeStateChanged.tapPromise('three', listener);
          },
        }),
      ],
    });
    await kernel.hooks.nodeStateChanged.promise({ nodeId: 'n1', from: 'ACTIVE', to: 'DOWN' });
    expect(peak).toBe(3);
    await kernel.close();
  });

  it('finds providers by name and says which exist when one is missing', async () => {
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.runtime.ruby', {
          setup: ({ hooks }) =>
            hooks.runtime.for('acme.runtime.ruby').tap('acme.runtime.ruby', () => fakeRuntime('3.3')),
        }),
      ],
    });
    expect(await kernel.provider('runtime', 'acme.runtime.ruby').versions({} as never)).toEqual(['3.3']);
    expect(kernel.hooks.runtime.names()).toEqual(['acme.runtime.ruby']);
    const error = await errorFrom(() => kernel.provider('runtime', 'acme.runtime.python'));
    expect(error.code).toBe('E_PROVIDER_UNKNOWN');
    expect(error.message).toContain(
      'no runtime provider named "acme.runtime.python" (loaded: acme.runtime.ruby)',
    );
    expect((await errorFrom(() => kernel.provider('scm', 'git'))).message).toContain('(loaded: none)');
    await kernel.close();
    expect((await errorFrom(() => kernel.provider('runtime', 'acme.runtime.ruby'))).code).toBe(
      'E_KERNEL_CLOSED',
    );
  });

  it('refuses a second plugin claiming a provider name, naming both', async () => {
    const claim = (plugin: string) =>
      testPlugin(plugin, {
        setup: ({ hooks }) => hooks.runtime.for('acme.runtime.ruby').tap(plugin, () => fakeRuntime(plugin)),
      });
    const error = await errorFrom(() =>
      createKernel({ plugins: [claim('acme.ruby.one'), claim('acme.ruby.two')] }),
    );
    expect(error.code).toBe('E_PROVIDER_CONFLICT');
    expect(error.message).toBe(
      'acme.ruby.two: runtime provider "acme.runtime.ruby" is already provided by acme.ruby.one; ' +
        'load only one of the two plugins, or register one of them under another name.',
    );
  });
});
