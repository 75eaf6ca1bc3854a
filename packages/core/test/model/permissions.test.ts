import { describe, expect, it } from 'vitest';
import { hasPermission, isPermission, PERMISSIONS, type PermissionGrant } from '../../src/model';

describe('hasPermission', () => {
  const grants: PermissionGrant[] = [
    { permission: 'WORKSPACE_VIEW', workspaceId: 1 },
    { permission: 'NODE_LIST', workspaceId: null },
  ];

  it('passes a workspace check on a grant on that workspace, or a global one', () => {
    expect(hasPermission(grants, 'WORKSPACE_VIEW', 1)).toBe(true);
    expect(hasPermission(grants, 'WORKSPACE_VIEW', 2)).toBe(false);
    expect(hasPermission(grants, 'NODE_LIST', 2)).toBe(true);
  });

  it('passes a check without a workspace only on a global grant', () => {
    expect(hasPermission(grants, 'WORKSPACE_VIEW')).toBe(false);
    expect(hasPermission(grants, 'WORKSPACE_VIEW', null)).toBe(false);
    expect(hasPermission(grants, 'NODE_LIST')).toBe(true);
  });

  it('fails on a missing grant', () => {
    expect(hasPermission([], 'USER_LIST')).toBe(false);
    expect(hasPermission(grants, 'USER_LIST', 1)).toBe(false);
  });

  it('knows the 26 permissions of the original', () => {
    expect(new Set(PERMISSIONS).size).toBe(26);
    expect(isPermission('HEALTH_CHECK')).toBe(true);
    expect(isPermission('ALL')).toBe(false);
  });
});
