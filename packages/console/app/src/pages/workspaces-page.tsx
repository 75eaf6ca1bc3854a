import { api, unwrap } from '../api/client';
import { LoadedView } from '../components/loaded';
import { href } from '../hash-route';
import { useApi } from '../use-api';

/** The workspaces the user may view. */
export function WorkspacesPage() {
  const workspaces = useApi(() => unwrap(api.GET('/api/v1/workspaces')), 'workspaces');
  return (
    <main>
      <h1>Workspaces</h1>
      <LoadedView loaded={workspaces}>
        {(list) =>
          list.length === 0 ? (
            <p>No workspace you may view.</p>
          ) : (
            <ul class="cards">
              {list.map((workspace) => (
                <li key={workspace.id}>
                  <a href={href('workspaces', workspace.id)}>{workspace.name}</a>{' '}
                  <code>{workspace.stub}</code>
                </li>
              ))}
            </ul>
          )
        }
      </LoadedView>
    </main>
  );
}
