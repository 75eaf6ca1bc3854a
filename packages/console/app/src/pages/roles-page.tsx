import type { Role, RoleAllocation } from '@paasmaker/core';
import { api, unwrap } from '../api/client';
import type { Wire } from '../api/wire';
import { LoadedView } from '../components/loaded';
import { useMay } from '../console-context';
import { useApi } from '../use-api';

/** Roles and their permissions; who holds them where (with ROLE_ASSIGN). */
export function RolesPage() {
  const may = useMay();
  const roles = useApi(() => unwrap<Wire<Role>[]>(api.GET('/api/v1/roles')), 'roles');
  const mayListAllocations = may('GET /api/v1/role-allocations');
  const allocations = useApi(
    () =>
      mayListAllocations
        ? unwrap<Wire<RoleAllocation>[]>(api.GET('/api/v1/role-allocations'))
        : Promise.resolve([]),
    'allocations',
  );
  return (
    <main>
      <h1>Roles</h1>
      <LoadedView loaded={roles}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th>Role</th>
                <th>Permissions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((role) => (
                <tr key={role.id}>
                  <td>{role.name}</td>
                  <td class="permissions">{role.permissions.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
      {mayListAllocations ? (
        <>
          <h2>Allocations</h2>
          <LoadedView loaded={allocations}>
            {(list) => (
              <table>
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Role</th>
                    <th>Workspace</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((allocation) => (
                    <tr key={allocation.id}>
                      <td>{allocation.userId}</td>
                      <td>
                        {roles.data?.find((role) => role.id === allocation.roleId)?.name ?? allocation.roleId}
                      </td>
                      <td>{allocation.workspaceId ?? 'every workspace'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </LoadedView>
        </>
      ) : null}
    </main>
  );
}
