import type { User } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import type { Wire } from '../api/wire';
import { LoadedView } from '../components/loaded';
import { useApi } from '../use-api';

/** Every user (with USER_LIST). */
export function UsersPage() {
  const users = useApi(() => unwrap<Wire<User>[]>(api.GET('/api/v1/users')), 'users');
  return (
    <main>
      <h1>Users</h1>
      <LoadedView loaded={users}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th>Login</th>
                <th>Name</th>
                <th>Email</th>
                <th>Source</th>
                <th>Enabled</th>
              </tr>
            </thead>
            <tbody>
              {list.map((user) => (
                <tr key={user.id}>
                  <td>{user.login}</td>
                  <td>{user.name}</td>
                  <td>{user.email}</td>
                  <td>{user.authSource}</td>
                  <td>{user.enabled ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
    </main>
  );
}
