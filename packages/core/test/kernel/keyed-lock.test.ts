import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/index';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets every queued promise reaction run. */
const settle = () => new Promise<void>((done) => setImmediate(done));

describe('KeyedLock', () => {
  it('runs work under one key one at a time, in the order it was queued', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, index) =>
      lock.run('a', async () => {
        events.push(`start ${index}`);
        await gate.promise;
        events.push(`end ${index}`);
        return index;
      }),
    );
    await settle();
    expect(events).toEqual(['start 0']);
    gates[2]?.resolve();
    gates[1]?.resolve();
    await settle();
    expect(events).toEqual(['start 0']);
    gates[0]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs work under different keys concurrently', async () => {
    const lock = new KeyedLock<number>();
    const gate = deferred();
    const started: number[] = [];
    const runs = [1, 2].map((key) =>
      lock.run(key, async () => {
        started.push(key);
        await gate.promise;
      }),
    );
    await settle();
    expect(started).toEqual([1, 2]);
    gate.resolve();
    await Promise.all(runs);
  });

  it('passes a failure to its caller only, and runs the work queued after it', async () => {
    const lock = new KeyedLock();
    const failing = lock.run('a', async () => {
      throw new Error('first failed');
    });
    // A function that throws before returning a promise fails its run the same way.
    const throwing = lock.run('a', () => {
      throw new Error('second threw');
    });
    const next = lock.run('a', async () => 'third ran');
    await expect(failing).rejects.toThrow('first failed');
    await expect(throwing).rejects.toThrow('second threw');
    expect(await next).toBe('third ran');
  });

  it('says which keys are busy and waits for every queued work to settle', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const finished: string[] = [];
    const first = lock.run('a', async () => {
      await gate.promise;
      finished.push('a');
    });
    void lock
      .run('b', async () => {
        await gate.promise;
        finished.push('b');
        throw new Error('b failed');
      })
      .catch(() => undefined);
    expect([lock.busy('a'), lock.busy('b'), lock.busy('c')]).toEqual([true, true, false]);
    const idle = lock.idle().then(() => finished.length);
    gate.resolve();
    expect(await idle).toBe(2);
    await first;
    await settle();
    expect([lock.busy('a'), lock.busy('b')]).toEqual([false, false]);
  });

  it('queues a nested run under the held key unless both are reentrant', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    await lock.run(
      'file',
      async () => {
        events.push('outer');
        await lock.run('file', async () => void events.push('nested reentrant'), { reentrant: true });
        void lock.run('file', async () => void events.push('nested queued'));
        await settle();
        events.push('outer done');
      },
      { reentrant: true },
    );
    await lock.idle();
    expect(events).toEqual(['outer', 'nested reentrant', 'outer done', 'nested queued']);
  });

  it('never lets a reentrant run join a hold that was not taken reentrantly', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    await lock.run('file', async () => {
      void lock.run('file', async () => void events.push('nested'), { reentrant: true });
      await settle();
      events.push('outer done');
    });
    await lock.idle();
    expect(events).toEqual(['outer done', 'nested']);
  });

  it('makes work a holder left running queue once the hold is over', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const leftRunning = deferred();
    let late: Promise<void> | undefined;
    await lock.run(
      'file',
      async () => {
        // Started inside the hold (so it inherits its async context), runs on after it.
        late = leftRunning.promise.then(() =>
          lock.run('file', async () => void events.push('late'), { reentrant: true }),
        );
      },
      { reentrant: true },
    );
    const next = deferred();
    const holder = lock.run('file', async () => {
      events.push('next holder');
      await next.promise;
      events.push('next holder done');
    });
    leftRunning.resolve();
    await settle();
    expect(events).toEqual(['next holder']);
    next.resolve();
    await holder;
    await late;
    expect(events).toEqual(['next holder', 'next holder done', 'late']);
  });

  it('keeps the holds of two locks apart', async () => {
    const first = new KeyedLock();
    const second = new KeyedLock();
    const events: string[] = [];
    const gate = deferred();
    const blocker = second.run('file', () => gate.promise);
    await first.run(
      'file',
      async () => {
        void second.run('file', async () => void events.push('second lock'), { reentrant: true });
        await settle();
        events.push('first lock done');
      },
      { reentrant: true },
    );
    gate.resolve();
    await blocker;
    await second.idle();
    expect(events).toEqual(['first lock done', 'second lock']);
  });
});
