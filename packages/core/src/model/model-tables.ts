/** Names of the organisation model's tables; every one starts with `pm_` so they can share a database. */
export const modelTables = {
  workspaces: 'pm_workspaces',
  services: 'pm_services',
  applications: 'pm_applications',
  versions: 'pm_application_versions',
  versionServices: 'pm_version_services',
  instanceTypes: 'pm_instance_types',
  hostnames: 'pm_instance_type_hostnames',
  hostnameClaims: 'pm_hostname_claims',
  crons: 'pm_instance_type_crons',
  nodes: 'pm_nodes',
  instances: 'pm_instances',
  users: 'pm_users',
  apiKeys: 'pm_api_keys',
  roles: 'pm_roles',
  rolePermissions: 'pm_role_permissions',
  roleAllocations: 'pm_role_allocations',
  migrations: 'pm_model_migrations',
} as const;

/** A unique index of the model, named so that a violation can say which field clashed. */
export interface UniqueConstraint {
  /** Index name (PostgreSQL reports it). */
  readonly name: string;
  readonly table: string;
  /** Indexed columns (SQLite reports them). */
  readonly columns: readonly string[];
  /** Only rows matching this SQL predicate are indexed (a partial index). */
  readonly where?: string;
  /** What clashed, for the error message: `workspace name`, `application name in its workspace`. */
  readonly field: string;
  /** The migration that creates it; none: the first. */
  readonly migration?: string;
}

const t = modelTables;

/** Every unique index of the model; the migrations create them from this list. */
export const uniqueConstraints: readonly UniqueConstraint[] = [
  { name: 'pm_workspaces_name_unique', table: t.workspaces, columns: ['name'], field: 'workspace name' },
  { name: 'pm_workspaces_stub_unique', table: t.workspaces, columns: ['stub'], field: 'workspace stub' },
  {
    name: 'pm_services_name_unique',
    table: t.services,
    columns: ['workspace_id', 'name'],
    field: 'service name in its workspace',
  },
  {
    name: 'pm_applications_name_unique',
    table: t.applications,
    columns: ['workspace_id', 'name'],
    field: 'application name in its workspace',
  },
  {
    name: 'pm_application_versions_number_unique',
    table: t.versions,
    columns: ['application_id', 'number'],
    field: 'version number of its application',
  },
  {
    name: 'pm_application_versions_current_unique',
    table: t.versions,
    columns: ['application_id'],
    where: 'is_current = 1',
    field: 'current version of its application',
  },
  {
    name: 'pm_version_services_unique',
    table: t.versionServices,
    columns: ['version_id', 'service_id'],
    field: 'service binding of the version',
  },
  {
    name: 'pm_instance_types_name_unique',
    table: t.instanceTypes,
    columns: ['version_id', 'name'],
    field: 'instance type name in its version',
  },
  {
    name: 'pm_instance_type_hostnames_unique',
    table: t.hostnames,
    columns: ['instance_type_id', 'hostname'],
    field: 'hostname of the instance type',
  },
  {
    name: 'pm_hostname_claims_hostname_unique',
    table: t.hostnameClaims,
    columns: ['hostname'],
    field: 'hostname claim',
    migration: '0003_hostname_claims',
  },
  { name: 'pm_nodes_uuid_unique', table: t.nodes, columns: ['uuid'], field: 'node UUID' },
  {
    name: 'pm_nodes_route_port_unique',
    table: t.nodes,
    columns: ['route', 'api_port'],
    field: 'node route and API port',
  },
  { name: 'pm_instances_uuid_unique', table: t.instances, columns: ['uuid'], field: 'instance UUID' },
  { name: 'pm_users_login_unique', table: t.users, columns: ['login'], field: 'user login' },
  { name: 'pm_users_email_unique', table: t.users, columns: ['email'], field: 'user email' },
  { name: 'pm_api_keys_hash_unique', table: t.apiKeys, columns: ['key_hash'], field: 'API key' },
  { name: 'pm_roles_name_unique', table: t.roles, columns: ['name'], field: 'role name' },
  {
    name: 'pm_role_permissions_unique',
    table: t.rolePermissions,
    columns: ['role_id', 'permission'],
    field: 'permission of the role',
  },
  {
    name: 'pm_role_allocations_workspace_unique',
    table: t.roleAllocations,
    columns: ['user_id', 'role_id', 'workspace_id'],
    where: 'workspace_id IS NOT NULL',
    field: 'role allocation on that workspace',
  },
  {
    name: 'pm_role_allocations_global_unique',
    table: t.roleAllocations,
    columns: ['user_id', 'role_id'],
    where: 'workspace_id IS NULL',
    field: 'cluster-wide role allocation',
  },
];
