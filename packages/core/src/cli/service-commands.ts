import type { Command } from 'commander';
import { type CliContext, leaf, parseId, table } from './context';

export function addServiceCommands(program: Command, context: CliContext): void {
  const service = program
    .command('service')
    .description('services of a workspace: list, delete')
    .addHelpText('after', '\nExamples:\n  $ paasmaker service list 3\n  $ paasmaker service delete 12\n');

  leaf(
    service
      .command('list')
      .description(
        'list the services of a workspace (credentials only in --json, with SERVICE_CREDENTIAL_VIEW)',
      )
      .argument('<workspace>', 'workspace id'),
    ['paasmaker service list 3', 'paasmaker service list 3 --json'],
  ).action(async (workspace: string, options: { json?: boolean }) => {
    const services = await (await context.client()).listServices(parseId(workspace, 'workspace id'));
    if (options.json) return context.json(services);
    if (!services.length) return context.print('No services.');
    for (const line of table(
      ['ID', 'NAME', 'PROVIDER', 'STATE'],
      services.map((s) => [s.id, s.name, s.provider, s.state]),
    ))
      context.print(line);
  });

  leaf(
    service
      .command('delete')
      .description(
        'remove the resource behind a service (its database...) and the service; no version may use it',
      )
      .argument('<id>', 'service id'),
    ['paasmaker service delete 12'],
  ).action(async (id: string, options: { json?: boolean }) => {
    const serviceId = parseId(id, 'service id');
    await (await context.client()).deleteService(serviceId);
    if (options.json) context.json({ deleted: serviceId });
    else context.print(`Deleted service ${serviceId} and the resource behind it.`);
  });
}
