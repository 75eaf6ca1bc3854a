import type { IncomingMessage, ServerResponse } from 'node:http';
import { PaasmakerError } from '../../kernel/errors';
import type { JobStore } from '../job-store';
import type { JobLogFiles } from './job-log-files';
import { fetchNodeLog } from './node-log-fetch';

const LOG_PATH =
  /^\/jobs\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\/log$/;

/**
 * Answers `GET /jobs/<id>/log` on a node's job stream server with the whole log as text, 404 when
 * this node has none. Returns false for any other request, which it leaves alone.
 */
export function serveJobLogRequest(
  logs: JobLogFiles,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const jobId = LOG_PATH.exec(new URL(request.url ?? '/', 'http://node').pathname)?.[1];
  if (request.method !== 'GET' || !jobId) return false;
  logs.readWhole(jobId.toLowerCase()).then(
    (text) => {
      if (text === undefined) {
        response
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`No log of job ${jobId} here.\n`);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    },
    () => response.writeHead(500).end(),
  );
  return true;
}

/** Where {@link readJobLog} looks for a log. */
export interface JobLogSources {
  /** This node's id and logs. */
  nodeId: string;
  logs: JobLogFiles;
  store: Pick<JobStore, 'getJob' | 'nodes'>;
  /** The token other nodes' job stream servers ask for. */
  token?: string;
}

/**
 * The whole log of a job, from this node's files or, for a job another node ran, from that
 * node's job stream server over HTTP. `E_JOB_NOT_FOUND` for an unknown job,
 * `E_JOB_LOG_NOT_FOUND` when no node has its log, `E_JOB_LOG_UNAVAILABLE` when its node cannot
 * be reached.
 */
export async function readJobLog(sources: JobLogSources, jobId: string): Promise<string> {
  const local = await sources.logs.readWhole(jobId);
  if (local !== undefined) return local;
  const job = await sources.store.getJob(jobId);
  if (!job) throw new PaasmakerError('E_JOB_NOT_FOUND', `No job has the id ${jobId}.`);
  const streamUrl =
    job.nodeId === sources.nodeId ? undefined : (await sources.store.nodes())[job.nodeId]?.streamUrl;
  if (!streamUrl) throw new PaasmakerError('E_JOB_LOG_NOT_FOUND', `Job ${jobId} has no log yet.`);
  const url = new URL(streamUrl.replace(/^ws/, 'http'));
  url.pathname = `/jobs/${jobId}/log`;
  const fetched = await fetchNodeLog(url, sources.token, job.nodeId, `the log of job ${jobId}`);
  if (!fetched) throw new PaasmakerError('E_JOB_LOG_NOT_FOUND', `Job ${jobId} has no log yet.`);
  return fetched.text;
}
