import type { Knex } from 'knex';
import { HostnameClaimedError } from './hostname-claimed-error';
import type { Row } from './model-database';
import { modelTables } from './model-tables';

const { hostnameClaims, hostnames, instanceTypes, versions } = modelTables;

/** The hostnames one instance type is to name. */
export interface HostnamesOfType {
  readonly instanceTypeId: number;
  /** For {@link HostnameClaimedError}: which type named a taken hostname. */
  readonly instanceTypeName: string;
  readonly hostnames: readonly string[];
}

/**
 * Claims the hostnames for the application the instance types belong to, then replaces each
 * type's hostname rows. The claim is a row per hostname under a unique index, so of two transactions claiming one
 * name for two applications the second waits for the first and then finds it taken:
 * {@link HostnameClaimedError}, and the caller's transaction rolls back. Names are claimed in
 * sorted order, so two transactions never wait for each other in a cycle. The caller holds the
 * application row's lock (`ModelDatabase.lockRow`), as every writer and releaser of its claims
 * does, so a release never misses a hostname a concurrent write of that application adds.
 */
export async function writeHostnames(
  trx: Knex.Transaction,
  applicationId: number,
  wanted: readonly HostnamesOfType[],
): Promise<void> {
  const named = new Map<string, string>();
  for (const type of wanted)
    for (const name of type.hostnames)
      if (!named.has(name.toLowerCase())) named.set(name.toLowerCase(), type.instanceTypeName);
  const sorted = [...named.keys()].sort();
  const now = Date.now();
  if (sorted.length > 0) {
    await trx(hostnameClaims)
      .insert(
        sorted.map((hostname) => ({
          hostname,
          application_id: applicationId,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict('hostname')
      .ignore();
    const [taken] = (await trx(hostnameClaims)
      .select('hostname')
      .whereIn('hostname', sorted)
      .whereNot({ application_id: applicationId })
      .orderBy('hostname')) as Row[];
    if (taken) {
      const hostname = String(taken.hostname);
      throw new HostnameClaimedError(hostname, named.get(hostname) ?? '?');
    }
  }
  for (const type of wanted) {
    await trx(hostnames).where({ instance_type_id: type.instanceTypeId }).delete();
    const rows = [...new Set(type.hostnames.map((name) => name.toLowerCase()))].map((hostname) => ({
      instance_type_id: type.instanceTypeId,
      hostname,
      created_at: now,
      updated_at: now,
    }));
    if (rows.length > 0) await trx(hostnames).insert(rows);
  }
  await releaseUnnamedClaims(trx, applicationId);
}

/** Frees the claims of an application that no hostname of its instance types names any more. */
export async function releaseUnnamedClaims(trx: Knex.Transaction, applicationId: number): Promise<void> {
  const stillNamed = trx(`${hostnames} as h`)
    .select('h.hostname')
    .join(`${instanceTypes} as t`, 't.id', 'h.instance_type_id')
    .join(`${versions} as v`, 'v.id', 't.version_id')
    .where('v.application_id', applicationId);
  await trx(hostnameClaims)
    .where({ application_id: applicationId })
    .whereNotIn('hostname', stillNamed)
    .delete();
}

/** The id of the application an instance type belongs to, or undefined when there is no such type. */
export async function applicationOfInstanceType(
  trx: Knex.Transaction,
  instanceTypeId: number,
): Promise<number | undefined> {
  const row = (await trx(`${instanceTypes} as t`)
    .select('v.application_id')
    .join(`${versions} as v`, 'v.id', 't.version_id')
    .where('t.id', instanceTypeId)
    .first()) as Row | undefined;
  return row ? Number(row.application_id) : undefined;
}
