import { describe, expect, it } from 'vitest';
import { jobEndMessage } from '../../src/jobs/job-end-message';

describe('jobEndMessage', () => {
  it('says the state once when the summary opens with it', () => {
    expect(jobEndMessage('compile server', 'FAILED', 'Failed: compile server')).toBe(
      'compile server failed: compile server',
    );
    expect(jobEndMessage('job tree t1', 'ABORTED', 'Aborted due to a related job.')).toBe(
      'job tree t1 aborted due to a related job.',
    );
    expect(jobEndMessage('job tree t1', 'ABORTED', 'Aborted: the node is shutting down.')).toBe(
      'job tree t1 aborted: the node is shutting down.',
    );
  });

  it('adds the state to a summary that does not say it', () => {
    expect(jobEndMessage('job tree t1', 'ABORTED', 'Stopped by a person.')).toBe(
      'job tree t1 aborted: Stopped by a person.',
    );
    expect(jobEndMessage('Upload', 'FAILED', 'Aborted: too late')).toBe('Upload failed: Aborted: too late');
    expect(jobEndMessage('Upload', 'FAILED', 'Failedover to the spare')).toBe(
      'Upload failed: Failedover to the spare',
    );
    expect(jobEndMessage('Upload', 'FAILED', undefined)).toBe('Upload failed');
  });
});
