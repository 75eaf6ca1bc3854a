import type { NodeReportResult, ReportedInstanceChange } from '../node-registry/node-registry';

const STRAY_REASONS = new Set(['unknown-instance', 'retired-instance']);

/**
 * What node reports told the health checks between runs: how often each instance was reported
 * ERROR, and which instances a heart runs that the model does not know or recorded DOWN (with how
 * many reports in a row named them). Fed by the node registry's callbacks; kept in memory.
 */
export class HealthSignals {
  readonly #errors = new Map<string, number>();
  readonly #unknown = new Map<string, Map<string, number>>();

  /** Counts the instances a report moved to ERROR. */
  instanceStates(changes: readonly ReportedInstanceChange[]): void {
    for (const change of changes)
      if (change.to === 'ERROR')
        this.#errors.set(change.instanceId, (this.#errors.get(change.instanceId) ?? 0) + 1);
  }

  /** Remembers the stray instances one node report named; those it no longer names are forgotten. */
  reported(result: NodeReportResult): void {
    const before = this.#unknown.get(result.node.name) ?? new Map<string, number>();
    const now = new Map<string, number>();
    for (const warning of result.warnings)
      if (STRAY_REASONS.has(warning.reason))
        now.set(warning.instanceId, (before.get(warning.instanceId) ?? 0) + 1);
    if (now.size) this.#unknown.set(result.node.name, now);
    else this.#unknown.delete(result.node.name);
  }

  /** Instances reported ERROR at least `times` times, with their counts. */
  failing(times: number): string[] {
    return [...this.#errors].filter(([, count]) => count >= times).map(([instanceId]) => instanceId);
  }

  /** Forgets an instance's ERROR reports (it was replaced, or is gone). */
  forgetErrors(instanceId: string): void {
    this.#errors.delete(instanceId);
  }

  /** Per node name, the stray instances at least `reports` reports in a row named. */
  strayInstances(reports: number): Map<string, string[]> {
    const found = new Map<string, string[]>();
    for (const [node, ids] of this.#unknown) {
      const seen = [...ids].filter(([, count]) => count >= reports).map(([id]) => id);
      if (seen.length) found.set(node, seen);
    }
    return found;
  }
}
