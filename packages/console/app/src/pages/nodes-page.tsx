import { api, unwrap } from '../api/client';
import { LoadedTable } from '../components/record-table';
import { StateBadge } from '../components/state-badge';
import { useApi } from '../use-api';

/** The cluster's nodes, with their health at a glance. */
export function NodesPage() {
  const nodes = useApi(() => unwrap(api.GET('/api/v1/nodes')), 'nodes');
  return (
    <main>
      <h1>Nodes</h1>
      <LoadedTable
        loaded={nodes}
        rowKey={(node) => node.uuid}
        columns={[
          { heading: 'Name', cell: (node) => node.name },
          { heading: 'State', cell: (node) => <StateBadge state={node.state} /> },
          {
            heading: 'Roles',
            cell: (node) =>
              Object.entries(node.roles)
                .filter(([, on]) => on)
                .map(([role]) => role)
                .join(', '),
          },
          {
            heading: 'Route',
            cell: (node) => (
              <>
                {node.route}:{node.apiPort}
              </>
            ),
          },
          { heading: 'Score', cell: (node) => node.score.toFixed(2) },
          {
            heading: 'Last heard',
            cell: (node) => (node.lastHeardAt ? new Date(node.lastHeardAt).toLocaleString() : 'never'),
          },
        ]}
      />
    </main>
  );
}
