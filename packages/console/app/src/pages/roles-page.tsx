import { api, unwrap } from '../api/client';
import { LoadedTable } from '../components/record-table';
import { useMay } from '../console-context';
import { useApi } from '../use-api';

/** Roles and their permissions; who holds them where (with ROLE_ASSIGN). */
export function RolesPage() {
  const may = useMay();
  const roles = useApi(() => unwrap(api.GET('/api/v1/roles')), 'roles');
  const mayListAllocations = may('GET /api/v1/role-allocations');
  const allocations = useApi(
    () => (mayListAllocations ? unwrap(api.GET('/api/v1/role-allocations')) : Promise.resolve([])),
    'allocations',
  );
  return (
    <main>
      <h1>Roles</h1>
      <LoadedTable
        loaded={roles}
        rowKey={(role) => role.id}
        columns={[
          { heading: 'Role', cell: (role) => role.name },
          { heading: 'Permissions', cell: (role) => role.permissions.join(', '), class: 'permissions' },
        ]}
      />
      {mayListAllocations ? (
        <>
          <h2>Allocations</h2>
          <LoadedTable
            loaded={allocations}
            rowKey={(allocation) => allocation.id}
            columns={[
              { heading: 'User', cell: (allocation) => allocation.userId },
              {
                heading: 'Role',
                cell: (allocation) =>
                  roles.data?.find((role) => role.id === allocation.roleId)?.name ?? allocation.roleId,
              },
              { heading: 'Workspace', cell: (allocation) => allocation.workspaceId ?? 'every workspace' },
            ]}
          />
        </>
      ) : null}
    </main>
  );
}
