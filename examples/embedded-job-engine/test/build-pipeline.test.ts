import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBuildPipeline } from '../src/build-pipeline';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'paasmaker-pipeline-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the embedded build pipeline', () => {
  it('runs every step, leaves first, and prints plain progress lines when not on a terminal', async () => {
    let text = '';
    const tree = await runBuildPipeline(path.join(folder, 'jobs.db'), {
      write: (chunk: string) => (text += chunk),
    });
    expect(tree.jobs.map((job) => [job.title, job.state])).toEqual([
      ['Package release', 'SUCCESS'],
      ['Test', 'SUCCESS'],
      ['Compile server', 'SUCCESS'],
      ['Compile client', 'SUCCESS'],
      ['Lint', 'SUCCESS'],
    ]);
    expect(tree.context).toMatchObject({
      'compile server': 'done',
      'test all': 'done',
      'package all': 'done',
    });
    const finished = (title: string) => text.indexOf(`SUCCESS  ${title}`);
    expect(finished('Compile server')).toBeGreaterThan(-1);
    expect(finished('Test')).toBeGreaterThan(
      Math.max(finished('Compile server'), finished('Compile client')),
    );
    expect(finished('Package release')).toBeGreaterThan(finished('Test'));
    expect(text).toContain('✓ Package release — Completed.');
    expect(text.trimEnd().endsWith('5/5 jobs finished')).toBe(true);
  });

  it('redraws the tree in place on a terminal', async () => {
    const frames: string[] = [];
    await runBuildPipeline(path.join(folder, 'jobs.db'), {
      isTTY: true,
      write: (chunk: string) => frames.push(chunk),
    });
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.slice(1).every((frame) => frame.startsWith('\x1b['))).toBe(true);
    expect(frames.at(-1)).toContain('    ✓ Compile client');
    expect(frames.at(-1)?.trimEnd().endsWith('5/5 jobs finished')).toBe(true);
  });
});
