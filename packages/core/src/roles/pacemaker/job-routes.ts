import { readJobLog } from '../../jobs/logs/job-log-http';
import { callerMay } from './api-caller';
import { jobAbortedData, treeData, treeListData } from './api-data-schemas';
import { type ApiContext, type ApiRoute, defineRoute } from './api-route';
import { jobAbortBody, jobIdParams, jobListQuery } from './api-schemas';

/** The workspace a job tree's tags name (`workspace:<id>`), or null. */
export function workspaceOfTags(tags: readonly string[]): number | null {
  for (const tag of tags) {
    const match = /^workspace:([1-9][0-9]{0,15})$/.exec(tag);
    if (match) return Number(match[1]);
  }
  return null;
}

/** Job trees: list by tag, read, abort, logs, and how to reach the job stream. */
export function jobRoutes({ jobs, jobStreamPath, nodeToken }: ApiContext): ApiRoute<never, never, never>[] {
  const routes = [
    defineRoute<Record<string, never>, undefined, { tag: string; limit: number; offset: number }>({
      method: 'GET',
      path: '/jobs',
      schema: { querystring: jobListQuery, data: treeListData },
      async handler({ caller, query }) {
        const { tag, limit, offset } = query;
        if (callerMay(caller, 'WORKSPACE_VIEW')) return jobs.listTrees({ tag, limit, offset });
        // Workspace-scoped callers see the trees of their workspaces only; untagged trees are cluster business.
        const visible = (await jobs.listTrees({ tag })).trees.filter((tree) => {
          const workspaceId = workspaceOfTags(tree.tags);
          return workspaceId !== null && callerMay(caller, 'WORKSPACE_VIEW', workspaceId);
        });
        return { trees: visible.slice(offset, offset + limit), total: visible.length };
      },
    }),
    defineRoute<{ jobId: string }>({
      method: 'GET',
      path: '/jobs/:jobId/tree',
      schema: { params: jobIdParams, data: treeData },
      async handler({ params }) {
        const job = await jobs.getJob(params.jobId);
        return jobs.getTree(job.treeId);
      },
    }),
    defineRoute<{ jobId: string }, { reason?: string } | undefined>({
      method: 'POST',
      path: '/jobs/:jobId/abort',
      schema: { params: jobIdParams, body: jobAbortBody, data: jobAbortedData },
      async handler({ params, body, caller }) {
        const job = await jobs.getJob(params.jobId);
        const by = caller.kind === 'user' ? `user ${caller.userId}` : `the ${caller.kind} token`;
        await jobs.abort(params.jobId, body?.reason ?? `Aborted by ${by}.`);
        return { jobId: params.jobId, treeId: job.treeId };
      },
    }),
    defineRoute<{ jobId: string }>({
      method: 'GET',
      path: '/jobs/:jobId/log',
      schema: { params: jobIdParams },
      produces: 'text/plain',
      async handler({ params }) {
        await jobs.getJob(params.jobId);
        return readJobLog(
          { nodeId: jobs.nodeId, logs: jobs.logs, store: jobs.store, token: nodeToken },
          params.jobId,
        );
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/jobs/stream',
      async handler() {
        return {
          path: jobStreamPath,
          upgrade: 'websocket',
          authorization: 'the same credentials as the API (Authorization header)',
          messages: ['log.subscribe', 'log.unsubscribe', 'tree.subscribe', 'tree.unsubscribe'],
        };
      },
    }),
  ];
  return routes as unknown as ApiRoute<never, never, never>[];
}
