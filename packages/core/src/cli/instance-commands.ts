import type { Command } from 'commander';
import type { InstanceView } from './api-client';
import { type CliContext, leaf, parseId, table } from './context';
import { CliError, EXIT } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function addInstanceCommands(program: Command, context: CliContext): void {
  const app = program.commands.find((command) => command.name() === 'app');
  if (!app) throw new Error('the app command group must be added first');

  leaf(
    app
      .command('instances')
      .description('list the instances of an application (every version) and the URLs it answers on')
      .argument('<app>', 'application id'),
    ['paasmaker app instances 7', 'paasmaker app instances 7 --json'],
  ).action(async (id: string, options: { json?: boolean }) => {
    const shown = await (await context.client()).listInstances(parseId(id, 'application id'));
    if (options.json) return context.json(shown);
    if (!shown.instances.length) context.print(`${shown.application} has no instances.`);
    else
      for (const line of table(
        ['UUID', 'VERSION', 'CURRENT', 'TYPE', 'STATE', 'NODE', 'PORT', 'URL'],
        shown.instances.map((i) => [
          i.uuid,
          i.version,
          i.isCurrent ? 'yes' : '',
          i.instanceType,
          i.state,
          i.node,
          i.port,
          i.url,
        ]),
      ))
        context.print(line);
    context.print(shown.urls.length ? `URLs: ${shown.urls.join(' ')}` : 'URLs: none (no current version)');
  });

  leaf(
    program
      .command('logs')
      .description(
        "print the logs of an application's current instances (or of one instance); --follow keeps printing until Ctrl-C",
      )
      .argument('<app>', 'application id')
      .option('--instance <uuid>', 'only this instance (of any version)')
      .option(
        '--follow',
        'keep printing new lines as they are written, until Ctrl-C or the instances are gone',
      ),
    ['paasmaker logs 7', 'paasmaker logs 7 --follow', 'paasmaker logs 7 --instance 0b5f9a3e-…'],
  ).action(async (id: string, options: { instance?: string; follow?: boolean; json?: boolean }) => {
    const applicationId = parseId(id, 'application id');
    if (options.instance !== undefined && !UUID.test(options.instance))
      throw new CliError(
        `--instance must be an instance UUID, not ${JSON.stringify(options.instance)}`,
        EXIT.usage,
      );
    const client = await context.client();
    const listed = await client.listInstances(applicationId);
    let chosen: InstanceView[];
    if (options.instance) {
      const wanted = options.instance.toLowerCase();
      chosen = listed.instances.filter((instance) => instance.uuid === wanted);
      if (!chosen.length)
        throw new CliError(
          `${listed.application} has no instance ${wanted} (see paasmaker app instances ${applicationId})`,
        );
    } else {
      chosen = listed.instances.filter((instance) => instance.isCurrent);
      if (!chosen.length)
        throw new CliError(
          `${listed.application} has no current version with instances: give --instance (see paasmaker app instances ${applicationId})`,
        );
    }
    const many = chosen.length > 1;
    let last: string | undefined;
    const print = (instance: InstanceView, { text, next }: { text: string; next: number }) => {
      if (!text) return;
      if (options.json) return context.json({ instance: instance.uuid, offset: next, text });
      if (many && last !== instance.uuid)
        context.io.stdout.write(
          `==> ${instance.instanceType} ${instance.uuid} (version ${instance.version}) <==\n`,
        );
      last = instance.uuid;
      context.io.stdout.write(text);
    };
    const offsets = new Map<string, number>();
    for (const instance of chosen) {
      const chunk = await client.instanceLog(applicationId, instance.uuid, 0);
      offsets.set(instance.uuid, chunk.next);
      print(instance, chunk);
    }
    if (!options.follow) return;
    const stop = new AbortController();
    void context.stopSignal().then(() => stop.abort());
    // One streamed response per instance; the command ends once every stream has.
    await Promise.all(
      chosen.map(async (instance) => {
        const from = offsets.get(instance.uuid) ?? 0;
        try {
          for await (const chunk of client.followInstanceLog(applicationId, instance.uuid, from, stop.signal))
            print(instance, chunk);
        } catch (error) {
          stop.abort();
          throw error;
        }
      }),
    );
  });
}
