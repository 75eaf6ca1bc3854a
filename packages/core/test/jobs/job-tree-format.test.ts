import { formatJobTree, formatProgress, type JobRecord, type TreeRecord } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';

const job = (
  id: string,
  title: string,
  state: JobRecord['state'],
  extra: Partial<JobRecord> = {},
): JobRecord => ({
  id,
  treeId: 'root',
  parentId: null,
  nodeId: 'node-a',
  type: 'test',
  parameters: {},
  title,
  state,
  childIds: [],
  createdAt: 0,
  ...extra,
});

const tree: TreeRecord = {
  treeId: 'root',
  tags: [],
  context: {},
  createdAt: 0,
  aborted: false,
  jobs: [
    job('root', 'Deploy shop v7', 'WAITING', { childIds: ['web', 'worker', 'db'] }),
    job('web', 'Start web on web-2', 'WAITING', { parentId: 'root', nodeId: 'web-2' }),
    job('worker', 'Start worker', 'RUNNING', { parentId: 'root', nodeId: 'worker-1' }),
    job('db', 'Create database', 'FAILED', { parentId: 'root', summary: 'Failed: access denied' }),
  ],
};

describe('formatting a job tree', () => {
  it('draws children under their parent and says which node a job waits on', () => {
    expect(formatJobTree(tree, 'node-a')).toEqual([
      '… Deploy shop v7',
      '  … Start web on web-2 (waiting on node web-2)',
      '  ▶ Start worker (running on node worker-1)',
      '  ✗ Create database — Failed: access denied',
    ]);
  });

  it('counts what finished, runs and failed', () => {
    expect(formatProgress(tree)).toBe('1/4 jobs finished, 1 running, 1 failed');
  });
});
