import { api, unwrap } from '../api/client';
import { LoadedTable } from '../components/record-table';
import { useApi } from '../use-api';

/** Every user (with USER_LIST). */
export function UsersPage() {
  const users = useApi(() => unwrap(api.GET('/api/v1/users')), 'users');
  return (
    <main>
      <h1>Users</h1>
      <LoadedTable
        loaded={users}
        rowKey={(user) => user.id}
        columns={[
          { heading: 'Login', cell: (user) => user.login },
          { heading: 'Name', cell: (user) => user.name },
          { heading: 'Email', cell: (user) => user.email },
          { heading: 'Source', cell: (user) => user.authSource },
          { heading: 'Enabled', cell: (user) => (user.enabled ? 'yes' : 'no') },
        ]}
      />
    </main>
  );
}
