import type { Command } from 'commander';
import { formatJobTree, formatProgress } from '../jobs/job-tree-format';
import { isTreeFinished } from '../jobs/job-tree-waiter';
import type { JobState } from '../kernel/providers/lifecycle-events';
import type { ApiClient, TreeView } from './api-client';
import { type CliContext, leaf, table } from './context';
import { CliError, EXIT } from './errors';
import { followJobLog } from './job-log-follow';
import { patientReader } from './patient-reader';
import { type TreeChangeSignal, treeChangeSignal } from './tree-change-signal';
import { treeFailure } from './tree-failure';

const positiveInteger = (name: string) => (value: string) => {
  if (!/^[1-9][0-9]{0,6}$/.test(value)) throw new CliError(`${name} must be a positive integer`, EXIT.usage);
  return Number(value);
};

export function addJobCommands(program: Command, context: CliContext): void {
  const job = program
    .command('job')
    .description('job trees: list, show, abort, follow; job logs')
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker job list --tag workspace:3\n  $ paasmaker job follow <job id>\n  $ paasmaker job log <job id>\n',
    );

  leaf(
    job
      .command('list')
      .description('list job trees carrying a tag, newest first')
      .requiredOption('--tag <key:value>', 'e.g. workspace:3 or application:7')
      .option('--limit <n>', 'at most this many (1–500)', positiveInteger('--limit'), 50)
      .option('--offset <n>', 'skip this many', (v) => Number.parseInt(v, 10), 0),
    ['paasmaker job list --tag workspace:3', 'paasmaker job list --tag workspace:3 --limit 5 --json'],
  ).action(async (options: { tag: string; limit: number; offset: number; json?: boolean }) => {
    if (!/^[^:]+:.+$/.test(options.tag))
      throw new CliError(`--tag expects key:value, not ${JSON.stringify(options.tag)}`, EXIT.usage);
    const result = await (await context.client()).listJobs({
      tag: options.tag,
      limit: options.limit,
      offset: options.offset,
    });
    if (options.json) return context.json(result);
    if (!result.trees.length) return context.print(`No job trees tagged ${options.tag}.`);
    for (const line of table(
      ['TREE', 'STATE', 'TITLE', 'CREATED'],
      result.trees.map((t) => [t.treeId, t.state, t.title, new Date(t.createdAt).toISOString()]),
    ))
      context.print(line);
    if (result.total > result.trees.length) context.print(`(${result.trees.length} of ${result.total})`);
  });

  leaf(
    job
      .command('show')
      .description('show the tree a job belongs to')
      .argument('<jobId>', 'any job id of the tree'),
    ['paasmaker job show 6c1f…', 'paasmaker job show 6c1f… --json'],
  ).action(async (jobId: string, options: { json?: boolean }) => {
    const tree = await (await context.client()).getJobTree(jobId);
    if (options.json) return context.json(tree);
    for (const line of [...formatJobTree(tree), formatProgress(tree)]) context.print(line);
  });

  leaf(
    job
      .command('abort')
      .description('abort the tree a job belongs to')
      .argument('<jobId>', 'any job id of the tree')
      .option('--reason <text>', 'why (recorded on the aborted jobs)'),
    ['paasmaker job abort 6c1f… --reason "wrong version"'],
  ).action(async (jobId: string, options: { reason?: string; json?: boolean }) => {
    const result = await (await context.client()).abortJob(jobId, options.reason);
    if (options.json) return context.json(result);
    context.print(`Aborted job tree ${result.treeId}.`);
  });

  leaf(
    job
      .command('follow')
      .description(
        `show a job tree live until it finishes; exits ${EXIT.jobFailed} when it ends FAILED or ABORTED`,
      )
      .argument('<jobId>', 'any job id of the tree')
      .option(
        '--interval <ms>',
        'how often to poll when the job stream websocket is unavailable',
        positiveInteger('--interval'),
        500,
      ),
    ['paasmaker job follow 6c1f…', 'paasmaker job follow 6c1f… --json   # the finished tree as JSON'],
  ).action(async (jobId: string, options: { interval: number; json?: boolean }) => {
    const failure = treeFailure(await followTree(await context.client(), jobId, context, options));
    if (failure) throw failure;
  });

  leaf(
    job
      .command('log')
      .description(
        "print a job's log (from the node that ran it); --follow prints new lines until the job ends",
      )
      .argument('<jobId>', 'the job id (paasmaker job show lists them with --json)')
      .option('--follow', 'keep printing new lines until the job has finished'),
    ['paasmaker job log 6c1f…', 'paasmaker job log 6c1f… --follow'],
  ).action(async (jobId: string, options: { follow?: boolean }) => {
    const client = await context.client();
    if (options.follow) await followJobLog(client, jobId, context);
    else context.io.stdout.write(await client.jobLog(jobId));
  });
}

/**
 * Follows a tree until it finishes: re-read whenever the job stream websocket says it changed
 * (every `interval` ms instead when the websocket cannot be used). While the pacemaker is slow or
 * unreachable it keeps following, saying so on stderr (see {@link patientReader}); the websocket
 * reconnects by itself. On a terminal the tree and a progress line are redrawn in place;
 * elsewhere every state change is one plain line (`RUNNING  Compile`) and the finished tree is
 * printed at the end. With `json`, only the finished tree is printed, as JSON.
 */
export async function followTree(
  client: ApiClient,
  jobId: string,
  context: CliContext,
  options: { interval: number; json?: boolean },
): Promise<TreeView> {
  const out = context.io.stdout;
  const seen = new Map<string, JobState>();
  let drawnLines = 0;
  let lastDrawing = '';
  const draw = (tree: TreeView) => {
    const lines = [...formatJobTree(tree), formatProgress(tree)];
    const text = lines.join('\n');
    if (text === lastDrawing) return;
    lastDrawing = text;
    out.write(`${drawnLines ? `\x1b[${drawnLines}F\x1b[J` : ''}${text}\n`);
    drawnLines = lines.length;
  };
  const reader = patientReader(context, client.url, `follow it again with paasmaker job follow ${jobId}`);
  let changes: TreeChangeSignal | undefined;
  try {
    for (;;) {
      const tree = await reader.read((timeoutMs) => client.getJobTree(jobId, { timeoutMs }));
      const done = isTreeFinished(tree);
      if (!options.json) {
        if (out.isTTY) draw(tree);
        else {
          for (const job of tree.jobs) {
            if (seen.get(job.id) === job.state) continue;
            seen.set(job.id, job.state);
            const summary = job.summary && job.state !== 'RUNNING' ? ` — ${job.summary}` : '';
            out.write(`${job.state.padEnd(8)} ${job.title}${summary}\n`);
          }
          if (done) for (const line of [...formatJobTree(tree), formatProgress(tree)]) out.write(`${line}\n`);
        }
      }
      if (done) {
        if (options.json) context.json(tree);
        return tree;
      }
      // Changes are pushed over the job stream; polling stays as the fallback.
      changes ??= treeChangeSignal(client.url, client.bearer, tree.treeId);
      await changes.next(changes.pushing ? PUSHED_FALLBACK_MS : options.interval);
    }
  } finally {
    await changes?.close();
  }
}

/** While changes are pushed, the tree is still re-read this often in case an event was missed. */
const PUSHED_FALLBACK_MS = 5000;
