import type { ClusterNode } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import type { Wire } from '../api/wire';
import { LoadedView } from '../components/loaded';
import { useApi } from '../use-api';

/** The cluster's nodes, with their health at a glance. */
export function NodesPage() {
  const nodes = useApi(() => unwrap<Wire<ClusterNode>[]>(api.GET('/api/v1/nodes')), 'nodes');
  return (
    <main>
      <h1>Nodes</h1>
      <LoadedView loaded={nodes}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Roles</th>
                <th>Route</th>
                <th>Score</th>
                <th>Last heard</th>
              </tr>
            </thead>
            <tbody>
              {list.map((node) => (
                <tr key={node.uuid}>
                  <td>{node.name}</td>
                  <td>
                    <span class={`state state-${node.state.toLowerCase()}`}>{node.state}</span>
                  </td>
                  <td>
                    {Object.entries(node.roles)
                      .filter(([, on]) => on)
                      .map(([role]) => role)
                      .join(', ')}
                  </td>
                  <td>
                    {node.route}:{node.apiPort}
                  </td>
                  <td>{node.score.toFixed(2)}</td>
                  <td>{node.lastHeardAt ? new Date(node.lastHeardAt).toLocaleString() : 'never'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
    </main>
  );
}
