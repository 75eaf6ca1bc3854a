// @ts-check
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileExists, findExecutable, requireExecutable } from '../executables.mjs';
import { httpGet } from '../network-probes.mjs';
import { runToCompletion } from '../run-to-completion.mjs';
import { serverLogPath } from '../server-log.mjs';
import { spawnServerProcess } from '../server-process.mjs';
import { waitUntilReady } from '../wait-until-ready.mjs';

const modulesDir = '/usr/lib/nginx/modules';
const luaModules = ['ndk_http_module.so', 'ngx_http_lua_module.so'];
// Debian's lua-nginx-redis: `require "nginx.redis"` (OpenResty calls it resty.redis).
const redisClientForLua = '/usr/share/lua/5.1/nginx/redis.lua';

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const nginx = {
  name: 'nginx',
  debianPackages: ['nginx', 'libnginx-mod-http-lua', 'lua-nginx-redis'],
  isInstalled: () =>
    findExecutable('nginx') !== undefined &&
    luaModules.every((module) => fileExists(join(modulesDir, module))) &&
    fileExists(redisClientForLua),

  async start({ dataDir, port }) {
    const bin = requireExecutable('nginx');
    const configFile = join(dataDir, 'nginx.conf');
    const log = serverLogPath(dataDir);
    await writeFile(configFile, config(dataDir, port));
    // -e: before reading the config, nginx logs to a system path that may not be writable.
    const prefixArgs = ['-p', `${dataDir}/`, '-c', configFile, '-e', log];
    await runToCompletion(bin, ['-t', '-q', ...prefixArgs]);
    const server = spawnServerProcess(bin, prefixArgs, { logFile: log, cwd: dataDir });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(async () => (await httpGet(`${url}/lua`))?.body === 'lua ok\n', {
        what: `nginx to answer "lua ok" on ${url}/lua`,
        server,
      });
      const redisCheck = await httpGet(`${url}/lua-redis`);
      if (redisCheck?.body !== 'nginx.redis ok\n') {
        throw new Error(`require "nginx.redis" failed in Lua: ${redisCheck?.status} ${redisCheck?.body}`);
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      env: {
        PAASMAKER_TEST_NGINX_BIN: bin,
        PAASMAKER_TEST_NGINX_MODULES_DIR: modulesDir,
        PAASMAKER_TEST_NGINX_URL: url,
      },
      stop: () => server.stop('SIGQUIT'),
    };
  },
};

/**
 * @param {string} dataDir
 * @param {number} port
 */
function config(dataDir, port) {
  return `${luaModules.map((module) => `load_module ${join(modulesDir, module)};`).join('\n')}
daemon off;
worker_processes 1;
pid ${join(dataDir, 'nginx.pid')};
error_log ${serverLogPath(dataDir)} notice;

events {
  worker_connections 256;
}

http {
  access_log off;
  client_body_temp_path ${join(dataDir, 'client_body_temp')};
  proxy_temp_path ${join(dataDir, 'proxy_temp')};
  fastcgi_temp_path ${join(dataDir, 'fastcgi_temp')};
  uwsgi_temp_path ${join(dataDir, 'uwsgi_temp')};
  scgi_temp_path ${join(dataDir, 'scgi_temp')};

  server {
    listen 127.0.0.1:${port};

    location /lua {
      content_by_lua_block { ngx.say("lua ok") }
    }

    location /lua-redis {
      content_by_lua_block {
        local redis = require "nginx.redis"
        ngx.say(type(redis.new) == "function" and "nginx.redis ok" or "nginx.redis has no new()")
      }
    }
  }
}
`;
}
