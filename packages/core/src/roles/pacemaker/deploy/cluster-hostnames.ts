/** What an instance type's hostnames are made of. */
export interface HostnameParts {
  /** Version number. */
  version: number;
  instanceType: string;
  application: string;
  workspaceStub: string;
  /** The cluster's hostname, e.g. `paasmaker.localhost`. */
  clusterHostname: string;
}

/** `<version>.<type>.<application>.<workspace stub>.<cluster>`: routed for every version, current or not. */
export function versionHostname(parts: HostnameParts): string {
  return `${parts.version}.${typeHostname(parts)}`;
}

/** `<type>.<application>.<workspace stub>.<cluster>`: routed for the current version only. */
export function typeHostname(parts: HostnameParts): string {
  return `${parts.instanceType}.${parts.application}.${parts.workspaceStub}.${parts.clusterHostname}`.toLowerCase();
}

/**
 * The hostnames an instance is routed on (`yes`) and must not be routed on (`no`), as the
 * original's routing update did: the version hostname always; the type hostname and the
 * manifest's hostnames only while the version is current.
 */
export function instanceHostnames(
  parts: HostnameParts,
  manifestHostnames: readonly string[],
  isCurrent: boolean,
): { yes: string[]; no: string[] } {
  const currentOnly = [typeHostname(parts), ...manifestHostnames.map((name) => name.toLowerCase())];
  return isCurrent
    ? { yes: [versionHostname(parts), ...currentOnly], no: [] }
    : { yes: [versionHostname(parts)], no: currentOnly };
}
