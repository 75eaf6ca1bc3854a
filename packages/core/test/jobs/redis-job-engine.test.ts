import { randomUUID } from 'node:crypto';
import { createRedisJobStore, type JobStore } from '@paasmaker/core';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { describeJobEngineConformance } from './job-engine-conformance';

describeJobEngineConformance('Redis', async () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const url = redisUrl();
  return {
    open: async (): Promise<JobStore> => createRedisJobStore({ url, keyPrefix }),
    async cleanUp() {
      const redis = new Redis(url);
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
});
