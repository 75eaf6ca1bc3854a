import http from 'node:http';
import { PaasmakerError } from '../../../kernel/errors';
import { defineJobType, type JobTypeProvider } from '../../../kernel/providers/job-type-provider';
import type { Model } from '../../../model/create-model';

/** Job type of a cron run. */
export const CRON_JOB = 'paasmaker.job.cron';

const REQUEST_TIMEOUT_MS = 300_000;

/**
 * Runs one cron: requests its URI from the first RUNNING instance of its instance type, directly
 * (not through the router), with its HTTP basic credentials if any, and writes the response body
 * to the job log. A connection error or a status other than 2xx fails the job.
 */
export function cronJob(model: Model): JobTypeProvider {
  return defineJobType({
    parametersSchema: { type: 'object', required: ['cronId'], properties: { cronId: { type: 'integer' } } },
    async run(job) {
      const cron = await model.instanceTypes.cron(job.parameters.cronId);
      const [instance] = await model.instances.list({
        instanceTypeId: cron.instanceTypeId,
        state: 'RUNNING',
      });
      if (!instance?.port)
        throw new PaasmakerError(
          'E_INSTANCE_STATE',
          "Can't find any running instances to service this request.",
        );
      const node = await model.nodes.get(instance.nodeId);
      const url = `http://${node.route}:${instance.port}${cron.uri}`;
      job.log.info(`GET ${url}`);
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.get(
          url,
          {
            timeout: REQUEST_TIMEOUT_MS,
            signal: job.signal,
            ...(cron.username ? { auth: `${cron.username}:${cron.password ?? ''}` } : {}),
          },
          (response) => {
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => job.log.info(chunk.trimEnd()));
            response.on('end', () => resolve(response.statusCode ?? 0));
            response.on('error', reject);
          },
        );
        request.on('timeout', () => request.destroy(new Error('timed out')));
        request.on('error', reject);
      }).catch((error: unknown) => {
        throw new PaasmakerError(
          'E_INSTANCE_START',
          `Cron request to ${url} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      });
      if (status < 200 || status > 299)
        throw new PaasmakerError('E_INSTANCE_START', `Cron request to ${url} answered ${status}.`);
      return { summary: `GET ${cron.uri} answered ${status}.` };
    },
  });
}
