export { DEFAULT_TENANT_LIMITS, type Tenant, type TenantKey, type TenantLimits } from './tenant';
export { tenantArgv } from './tenant-command';
export { currentTenant, runAsTenant } from './tenant-context';
export { ALWAYS_PASSED_VARIABLES, tenantBaseEnvironment } from './tenant-environment';
export { DATA_FOLDER_LAYOUT, giveToTenant, lockDataFolder, takeFromTenant } from './tenant-folders';
export { SINGLE_TENANT_WARNING, type TenantIsolationOptions, TenantUsers } from './tenant-users';
