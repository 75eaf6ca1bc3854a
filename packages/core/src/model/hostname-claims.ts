import type { Knex } from 'knex';
import { HostnameClaimedError } from './hostname-claimed-error';
import type { Row } from './model-database';
import { modelTables } from './model-tables';

const { hostnameClaims, hostnames, instanceTypes, versions } = modelTables;

/** An instance type whose hostnames are written, and the application it belongs to. */
export interface HostnameHolder {
  readonly instanceTypeId: number;
  readonly instanceTypeName: string;
  readonly applicationId: number;
}

/**
 * Claims the hostnames for their holders' application, then replaces each holder's hostname
 * rows. The claim is a row per hostname under a unique index, so of two transactions claiming one
 * name for two applications the second waits for the first and then finds it taken:
 * {@link HostnameClaimedError}, and the caller's transaction rolls back. Names are claimed in
 * sorted order, so two transactions never wait for each other in a cycle. The caller holds the
 * application row's lock (`ModelDatabase.lockRow`), as every writer and releaser of its claims
 * does, so a release never misses a hostname a concurrent write of that application adds.
 */
export async function writeHostnames(
  trx: Knex.Transaction,
  applicationId: number,
  wanted: ReadonlyArray<{ holder: HostnameHolder; hostnames: readonly string[] }>,
): Promise<void> {
  const named = new Map<string, string>();
  for (const { holder, hostnames: names } of wanted)
    for (const name of names)
      if (!named.has(name.toLowerCase())) named.set(name.toLowerCase(), holder.instanceTypeName);
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
  for (const { holder, hostnames: names } of wanted) {
    await trx(hostnames).where({ instance_type_id: holder.instanceTypeId }).delete();
    const rows = [...new Set(names.map((name) => name.toLowerCase()))].map((hostname) => ({
      instance_type_id: holder.instanceTypeId,
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
export async function applicationOfInstanceType(trx: Knex.Transaction, instanceTypeId: number) {
  const row = (await trx(`${instanceTypes} as t`)
    .select('v.application_id')
    .join(`${versions} as v`, 'v.id', 't.version_id')
    .where('t.id', instanceTypeId)
    .first()) as Row | undefined;
  return row ? Number(row.application_id) : undefined;
}
