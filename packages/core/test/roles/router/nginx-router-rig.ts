import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nginxSettings, redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { freePort } from '../../../src/node/free-port';
import {
  type NginxRouter,
  publishRoutingTable,
  type RoutingTable,
  type RoutingTablePublisher,
  startNginxRouter,
} from '../../../src/roles/router/index';

/** An nginx router reading `table` from the test Redis, under a key prefix of its own. */
export interface NginxRouterRig {
  readonly port: number;
  /** The test Redis, where the table and the router's stats are. */
  readonly redis: Redis;
  readonly prefix: string;
  readonly publisher: RoutingTablePublisher;
  readonly router: NginxRouter;
  /** The end of nginx's error log, for a failure's message. */
  errorLog(): Promise<string>;
  /** Stops nginx and the publisher, deletes the prefix's keys and the folder. */
  close(): Promise<void>;
}

let started = 0;

/** Starts nginx with the Lua router over `table`, published to the test Redis (`--servers redis,nginx`). */
export async function startNginxRouterRig(table: RoutingTable): Promise<NginxRouterRig> {
  started += 1;
  const prefix = `pm:router:rig-${process.pid}-${started}:`;
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-rig-'));
  const redis = new Redis(redisUrl());
  const publisher = await publishRoutingTable({ table, redis, prefix, checkMs: 100 });
  const { hostname, port: redisPort } = new URL(redisUrl());
  const port = await freePort('127.0.0.1');
  const { bin, modulesDir } = nginxSettings();
  const router = await startNginxRouter({
    folder,
    port,
    nginxBinary: bin,
    modulesDirectory: modulesDir,
    redis: { host: hostname, port: Number(redisPort), prefix },
    refreshSeconds: 0.1,
  });
  return {
    port,
    redis,
    prefix,
    publisher,
    router,
    errorLog: async () =>
      (await readFile(path.join(folder, 'error.log'), 'utf8').catch(() => '')).slice(-3000),
    async close() {
      await router.close();
      await publisher.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
