import { JobTree } from '../components/job-tree';
import { useMay } from '../console-context';

/** One job tree, live, with its logs; abort where the user may. */
export function JobPage({ treeId }: { treeId: string }) {
  const may = useMay();
  return (
    <main>
      <h1>Job tree</h1>
      <JobTree
        treeId={treeId}
        mayAbort={(workspaceId) => may('POST /api/v1/jobs/{jobId}/abort', workspaceId)}
      />
    </main>
  );
}
