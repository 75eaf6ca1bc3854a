import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AnyPlugin, createKernel, type Kernel } from '@paasmaker/core';
import { pino } from 'pino';
import type { ProviderCall } from '../../../src/kernel/providers/provider-call';
import { createHeart, type Heart, type HeartOptions } from '../../../src/roles/heart/index';
import { heartTestPlugin, isAlive, recordedPid } from './heart-test-plugins';

/** A provider call whose log lines the test can read. */
export interface RecordingCall extends ProviderCall {
  /** Messages logged, in order. */
  readonly lines: string[];
}

export function recordingCall(): RecordingCall {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  return { log, signal: new AbortController().signal, lines };
}

/** Temp folders, hearts and kernels of one test, and cleanup that leaves no process behind. */
export class HeartFixture {
  root = '';
  dataFolder = '';
  private readonly opened: { heart: Heart; kernel: Kernel }[] = [];
  /** Pids of instance processes the test knows of, killed at cleanup if still alive. */
  readonly pids = new Set<number>();

  async setUp(): Promise<void> {
    this.root = await mkdtemp(path.join(tmpdir(), 'pm-heart-'));
    // Tenant users pass through it to their own folders in the data folder.
    await chmod(this.root, 0o711);
    this.dataFolder = path.join(this.root, 'data');
  }

  /** A heart on the fixture's data folder, in a kernel with the test plugins (and `plugins`). */
  async open(
    options: Partial<HeartOptions> = {},
    plugins: AnyPlugin[] = [],
  ): Promise<{ heart: Heart; kernel: Kernel }> {
    const heart = createHeart({
      nodeName: 'node-a',
      dataFolder: this.dataFolder,
      watchIntervalMs: 100,
      ...options,
    });
    const kernel = await createKernel({ plugins: [heartTestPlugin, ...plugins, heart.plugin] });
    this.opened.push({ heart, kernel });
    return { heart, kernel };
  }

  /** Notes the pid of every instance of `heart`, so cleanup can kill them. */
  async trackPids(heart: Heart): Promise<void> {
    for (const instance of heart.instances()) {
      const pid = await recordedPid(
        path.join(path.dirname(path.dirname(instance.logFile)), 'instances', instance.instanceId, 'state'),
      );
      if (pid !== undefined) this.pids.add(pid);
    }
  }

  async cleanUp(): Promise<void> {
    for (const { heart, kernel } of this.opened.splice(0)) {
      await this.trackPids(heart);
      await kernel.close();
    }
    for (const pid of this.pids) {
      if (await isAlive(pid)) process.kill(-pid, 'SIGKILL');
    }
    await rm(this.root, { recursive: true, force: true });
  }
}
