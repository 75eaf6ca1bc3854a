import type { Knex } from 'knex';
import { PaasmakerError } from '../kernel/errors';
import { ModelDatabase, ModelTable, type Row, rowTimestamps } from './model-database';
import { modelTables } from './model-tables';
import {
  hasPermission,
  isPermission,
  PERMISSIONS,
  type Permission,
  type PermissionGrant,
} from './permissions';

/** A named set of permissions. */
export interface Role {
  readonly id: number;
  readonly name: string;
  /** Sorted, no duplicates. */
  readonly permissions: Permission[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a role is made of; `'ALL'` stands for every permission. */
export interface RoleInput {
  name: string;
  permissions: readonly Permission[] | 'ALL';
}

/** A role given to a user on one workspace, or on the whole cluster when `workspaceId` is null. */
export interface RoleAllocation {
  readonly id: number;
  readonly userId: number;
  readonly roleId: number;
  readonly workspaceId: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

function toRoleRow(row: Row): Omit<Role, 'permissions'> {
  return {
    id: Number(row.id),
    name: String(row.name),
    ...rowTimestamps(row),
  };
}

function toAllocation(row: Row): RoleAllocation {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    roleId: Number(row.role_id),
    workspaceId: row.workspace_id == null ? null : Number(row.workspace_id),
    ...rowTimestamps(row),
  };
}

/** The permissions of a role input, checked, sorted and without duplicates. */
function permissionList(permissions: RoleInput['permissions']): Permission[] {
  if (permissions === 'ALL') return [...PERMISSIONS].sort();
  for (const permission of permissions) {
    if (!isPermission(permission))
      throw new PaasmakerError(
        'E_MODEL_INVALID',
        `${JSON.stringify(permission)} is not a permission; use one of ${PERMISSIONS.join(', ')}.`,
      );
  }
  return [...new Set(permissions)].sort();
}

const { roles, rolePermissions, roleAllocations } = modelTables;

/** Roles, their permissions, and who holds them where. Deleting a role deletes its allocations. */
export class RoleRepository {
  private readonly rows: ModelTable<Omit<Role, 'permissions'>>;
  private readonly allocationRows: ModelTable<RoleAllocation>;

  private readonly db: ModelDatabase;

  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  constructor(source: Knex | ModelDatabase) {
    const db = ModelDatabase.of(source);
    this.db = db;
    this.rows = new ModelTable(db, roles, 'role', toRoleRow);
    this.allocationRows = new ModelTable(db, roleAllocations, 'role allocation', toAllocation);
  }

  /** Creates a role; `E_MODEL_CONFLICT` when the name is taken, `E_MODEL_INVALID` for an unknown permission. */
  async create(input: RoleInput): Promise<Role> {
    const permissions = permissionList(input.permissions);
    return this.db.transaction('create role', async (trx) => {
      const role = await this.rows.insert({ name: input.name }, trx);
      await this.writePermissions(trx, role.id, permissions);
      return { ...role, permissions };
    });
  }

  /** The role `id` with its permissions; `E_MODEL_NOT_FOUND` when there is none. */
  async get(id: number): Promise<Role> {
    const role = await this.rows.get(id);
    return { ...role, permissions: (await this.permissionsByRole([id])).get(id) ?? [] };
  }

  /** Every role with its permissions. */
  async list(): Promise<Role[]> {
    const found = await this.rows.list();
    const permissions = await this.permissionsByRole(found.map((role) => role.id));
    return found.map((role) => ({ ...role, permissions: permissions.get(role.id) ?? [] }));
  }

  /** Renames the role and/or replaces its permissions. */
  async update(id: number, changes: Partial<RoleInput>): Promise<Role> {
    const permissions = changes.permissions === undefined ? undefined : permissionList(changes.permissions);
    return this.db.transaction(`update role ${id}`, async (trx) => {
      const role = await this.rows.update(id, { name: changes.name }, trx);
      if (permissions) {
        await trx(rolePermissions).where({ role_id: id }).delete();
        await this.writePermissions(trx, id, permissions);
      }
      return { ...role, permissions: permissions ?? (await this.permissionsByRole([id], trx)).get(id) ?? [] };
    });
  }

  /** Deletes the role and its allocations. */
  delete(id: number): Promise<void> {
    return this.rows.delete(id);
  }

  /** Gives `roleId` to `userId` on `workspaceId`, or cluster-wide when it is null or left out. */
  allocate(input: { userId: number; roleId: number; workspaceId?: number | null }): Promise<RoleAllocation> {
    return this.allocationRows.insert({
      user_id: input.userId,
      role_id: input.roleId,
      workspace_id: input.workspaceId ?? null,
    });
  }

  /** Takes an allocation away. */
  unallocate(id: number): Promise<void> {
    return this.allocationRows.delete(id);
  }

  /** Allocations of a user and/or on a workspace (`null`: the cluster-wide ones). */
  allocations(
    filter: { userId?: number; roleId?: number; workspaceId?: number | null } = {},
  ): Promise<RoleAllocation[]> {
    return this.db.run('list role allocations', async (knex) => {
      const query = knex(roleAllocations).orderBy('id');
      if (filter.userId !== undefined) query.where({ user_id: filter.userId });
      if (filter.roleId !== undefined) query.where({ role_id: filter.roleId });
      if (filter.workspaceId === null) query.whereNull('workspace_id');
      else if (filter.workspaceId !== undefined) query.where({ workspace_id: filter.workspaceId });
      return ((await query) as Row[]).map(toAllocation);
    });
  }

  /** Every permission `userId` holds through its allocations, each cluster-wide or on one workspace. */
  permissionsOf(userId: number): Promise<PermissionGrant[]> {
    return this.db.run(`read permissions of user ${userId}`, async (knex) => {
      const rows = (await knex(`${roleAllocations} as a`)
        .join(`${rolePermissions} as p`, 'p.role_id', 'a.role_id')
        .where('a.user_id', userId)
        .distinct('p.permission', 'a.workspace_id')
        .orderBy(['p.permission', 'a.workspace_id'])) as Row[];
      return rows
        .filter((row) => isPermission(row.permission))
        .map((row) => ({
          permission: row.permission as Permission,
          workspaceId: row.workspace_id == null ? null : Number(row.workspace_id),
        }));
    });
  }

  /** {@link hasPermission} on the user's current grants. */
  async can(userId: number, permission: Permission, workspaceId?: number | null): Promise<boolean> {
    return hasPermission(await this.permissionsOf(userId), permission, workspaceId);
  }

  private async writePermissions(
    trx: Knex.Transaction,
    roleId: number,
    permissions: readonly Permission[],
  ): Promise<void> {
    if (permissions.length === 0) return;
    const now = Date.now();
    await trx(rolePermissions).insert(
      permissions.map((permission) => ({ role_id: roleId, permission, created_at: now, updated_at: now })),
    );
  }

  private async permissionsByRole(
    ids: readonly number[],
    q?: Knex.Transaction,
  ): Promise<Map<number, Permission[]>> {
    const result = new Map<number, Permission[]>();
    if (ids.length === 0) return result;
    const rows = (await this.db.run('read role permissions', (knex) =>
      (q ?? knex)(rolePermissions).whereIn('role_id', ids).orderBy(['role_id', 'permission']),
    )) as Row[];
    for (const row of rows) {
      const list = result.get(Number(row.role_id)) ?? [];
      list.push(row.permission as Permission);
      result.set(Number(row.role_id), list);
    }
    return result;
  }
}
