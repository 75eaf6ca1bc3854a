import type { JobRecord, JobState, TreeRecord } from '@paasmaker/core';
import { Component } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { jobStream } from '../api/job-stream';
import { LogView } from './log-view';
import { StateBadge } from './state-badge';

/** A job with how deep it sits, for one row of the tree. */
interface TreeRow {
  readonly job: JobRecord;
  readonly depth: number;
}

const FINISHED: ReadonlySet<JobState> = new Set(['SUCCESS', 'FAILED', 'ABORTED']);

/** Rows in the tree's own order (root first, depth-first), each with its depth. */
function rowsOf(tree: TreeRecord): TreeRow[] {
  const depth = new Map<string, number>();
  return tree.jobs.map((job) => {
    const level = job.parentId === null ? 0 : (depth.get(job.parentId) ?? 0) + 1;
    depth.set(job.id, level);
    return { job, depth: level };
  });
}

interface JobRowProps {
  readonly row: TreeRow;
  readonly selected: boolean;
  readonly mayAbort: boolean;
  onSelect(jobId: string): void;
  onAbort(jobId: string): void;
}

/** One job: a fixed-height row, redrawn only when its job or selection changed (1,000-job trees). */
class JobRow extends Component<JobRowProps> {
  override shouldComponentUpdate(next: JobRowProps): boolean {
    const now = this.props;
    return next.row !== now.row || next.selected !== now.selected || next.mayAbort !== now.mayAbort;
  }

  override render() {
    const { row, selected, mayAbort, onSelect, onAbort } = this.props;
    const { job } = row;
    return (
      <li
        class={`job-row${selected ? ' selected' : ''}`}
        style={{ paddingLeft: `${row.depth * 1.25 + 0.5}rem` }}
      >
        <StateBadge state={job.state} />
        <button
          type="button"
          class="job-title"
          aria-pressed={selected}
          aria-label={`Show the log of ${job.title} (${job.state})`}
          onClick={() => onSelect(job.id)}
        >
          {job.title}
        </button>
        <span class="job-summary">{job.summary ?? ''}</span>
        {mayAbort && !FINISHED.has(job.state) && job.parentId === null ? (
          <button type="button" class="danger" onClick={() => onAbort(job.id)}>
            Abort
          </button>
        ) : null}
      </li>
    );
  }
}

/**
 * A job tree that redraws live: the snapshot arrives whole, then each state change updates one
 * row. Rows have a fixed height and the log opens beside the tree, so nothing moves as the tree
 * grows. Arrow keys move between jobs; Enter or Space opens a job's log.
 */
export function JobTree({
  treeId,
  mayAbort,
}: {
  treeId: string;
  /** Whether the user may abort jobs of a tree tagged with this workspace (null: untagged). */
  mayAbort: (workspaceId: number | undefined) => boolean;
}) {
  const [tree, setTree] = useState<TreeRecord>();
  const [rows, setRows] = useState<TreeRow[]>([]);
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const stream = jobStream();
    return stream.followTree(treeId, (update) => {
      if (update.kind === 'error') return setError(update.message);
      if (update.kind === 'snapshot') {
        setTree(update.tree);
        setRows(rowsOf(update.tree));
        return;
      }
      const { event } = update;
      if (event.kind === 'created') stream.refreshTree(treeId);
      if (event.kind === 'state')
        setRows((current) =>
          current.map((row) =>
            row.job.id === event.jobId && row.job.state !== event.state
              ? { ...row, job: { ...row.job, state: event.state, summary: event.summary ?? row.job.summary } }
              : row,
          ),
        );
      if (event.kind === 'aborted') setTree((current) => current && { ...current, aborted: true });
    });
  }, [treeId]);

  useEffect(() => {
    if (rows.length > 0 && !performance.getEntriesByName(`tree-rendered:${treeId}`).length)
      performance.mark(`tree-rendered:${treeId}`, { detail: { jobs: rows.length } });
  }, [rows, treeId]);

  const abort = (jobId: string) => {
    unwrap(api.POST('/api/v1/jobs/{jobId}/abort', { params: { path: { jobId } }, body: {} })).catch(
      (failure: Error) => setError(failure.message),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [
      ...(event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button.job-title'),
    ];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      buttons[Math.max(0, Math.min(buttons.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
    event.preventDefault();
  };
  const root = rows[0]?.job;
  const workspaceTag = tree?.tags.find((tag) => tag.startsWith('workspace:'));
  const abortable =
    tree !== undefined &&
    mayAbort(workspaceTag ? Number(workspaceTag.slice('workspace:'.length)) : undefined);
  return (
    <section class="job-tree-view" aria-label="Job tree">
      <div class="job-tree-panel">
        <p class="tree-status" aria-live="polite">
          {root
            ? `${root.title}: ${root.state}${tree?.aborted ? ' (aborted)' : ''}`
            : 'Loading the job tree…'}
          {error ? <span class="error"> {error}</span> : null}
        </p>
        <ul class="job-tree" data-tree-id={treeId} data-jobs={rows.length} onKeyDown={onKeyDown}>
          {rows.map((row) => (
            <JobRow
              key={row.job.id}
              row={row}
              selected={row.job.id === selected}
              mayAbort={abortable}
              onSelect={setSelected}
              onAbort={abort}
            />
          ))}
        </ul>
      </div>
      <div class="job-log-panel">
        {selected ? <LogView jobId={selected} /> : <p>Choose a job to follow its log.</p>}
      </div>
    </section>
  );
}
