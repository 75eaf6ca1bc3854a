import { Writable } from 'node:stream';
import { createKernel, PaasmakerError } from '@paasmaker/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorFrom, testPlugin } from './test-plugin';

describe('kernel set-up and close', () => {
  it('closes plugins in reverse load order, each plugin’s teardowns last-registered first', async () => {
    const closed: string[] = [];
    const withTeardowns = (name: string) =>
      testPlugin(name, {
        setup: (kernel) => {
          kernel.onClose(() => void closed.push(`${name}:server`));
          kernel.onClose(async () => void closed.push(`${name}:cache`));
        },
      });
    const kernel = await createKernel({ plugins: [withTeardowns('acme.a'), withTeardowns('acme.b')] });
    await kernel.close();
    await kernel.close();
    expect(closed).toEqual(['acme.b:cache', 'acme.b:server', 'acme.a:cache', 'acme.a:server']);
  });

  it('runs every teardown even when one fails, then reports the failure', async () => {
    const closed: string[] = [];
    const kernel = await createKernel({
      plugins: [
        testPlugin('acme.ok', { setup: (k) => k.onClose(() => void closed.push('acme.ok')) }),
        testPlugin('acme.flaky', {
          setup: (k) =>
            k.onClose(() => {
              throw new Error('socket already gone');
            }),
        }),
      ],
    });
    const error = await errorFrom(() => kernel.close());
    expect(error.code).toBe('E_KERNEL_CLOSE');
    expect(error.message).toContain('acme.flaky: teardown failed: socket already gone');
    expect(closed).toEqual(['acme.ok']);
  });

  it('wraps a setup that throws, keeps the cause, and tears down plugins already set up', async () => {
    const closed: string[] = [];
    const boom = new Error('cannot reach the license server');
    const error = await errorFrom(() =>
      createKernel({
        plugins: [
          testPlugin('acme.good', { setup: (k) => k.onClose(() => void closed.push('acme.good')) }),
          testPlugin('acme.bad', {
            setup: () => {
              throw boom;
            },
          }),
          testPlugin('acme.never', { setup: () => void closed.push('never set up') }),
        ],
      }),
    );
    expect(error).toBeInstanceOf(PaasmakerError);
    expect(error.code).toBe('E_PLUGIN_SETUP');
    expect(error.message).toBe('acme.bad: setup failed: cannot reach the license server');
    expect(error.cause).toBe(boom);
    expect(closed).toEqual(['acme.good']);
  });

  it('fails a setup that overruns the timeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const error = await errorFrom(() =>
      createKernel({
        setupTimeoutMs: 50,
        plugins: [
          testPlugin('acme.slow', {
            setup: (kernel) => {
              signal = kernel.signal;
              return new Promise(() => {});
            },
          }),
        ],
      }),
    );
    expect(error.code).toBe('E_PLUGIN_SETUP_TIMEOUT');
    expect(error.message).toMatch(/^acme\.slow: setup did not finish within 50 ms; /);
    expect(signal?.aborted).toBe(true);
  });

  it('gives each plugin a child logger that names it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const kernel = await createKernel({
      logger: pino({ level: 'info' }, sink),
      plugins: [testPlugin('acme.chatty', { setup: (k) => k.log.info({ answer: 42 }, 'ready') })],
    });
    const record = JSON.parse(lines.find((line) => line.includes('"ready"')) ?? '{}');
    expect(record).toMatchObject({ plugin: 'acme.chatty', answer: 42, msg: 'ready' });
    await kernel.close();
  });
});
