import type { RoutingTable } from '../routing-table';

const TOKEN = /^\S+$/;

/**
 * The routing table as the nginx router reads it: one line per hostname,
 * `<hostname>\t<instanceId> <host> <port> <versionTypeKey> <nodeId>\t…` (a hostname with no
 * instances is a line of its own, and answers 503). Throws a `TypeError` for a field with
 * whitespace, which the format cannot hold.
 */
export function routingTableText(table: RoutingTable): string {
  const lines: string[] = [];
  for (const hostname of table.hostnames()) {
    const fields = [hostname];
    for (const route of table.routes(hostname)) {
      const parts = [route.instanceId, route.host, String(route.port), route.versionTypeKey, route.nodeId];
      const bad = parts.find((part) => !TOKEN.test(part));
      if (bad !== undefined)
        throw new TypeError(
          `Route ${route.instanceId} of ${hostname} has a field the nginx router cannot hold: ${JSON.stringify(bad)}`,
        );
      fields.push(parts.join(' '));
    }
    lines.push(fields.join('\t'));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
