import path from 'node:path';

/** What an nginx router's configuration is made of. */
export interface NginxRouterConfig {
  /** Folder of its own: pid, temp folders, logs and the Lua module live here. */
  folder: string;
  host: string;
  port: number;
  /** Where the routing table is read from (a local replica, in a cluster). */
  redis: { host: string; port: number; db: number; prefix: string };
  /** Names this router's workers in `<prefix>loaded` (`<name>/<pid>`). */
  name: string;
  /** Seconds between checks of the table's serial. */
  refreshSeconds: number;
  /** Seconds an instance that refused a connection is tried last. */
  deadSeconds: number;
  workerProcesses: number;
  modulesDirectory: string;
}

const SAFE = /^[A-Za-z0-9_./:-]+$/;

/** A value written into the configuration: refused unless plainly safe (no quotes, spaces or `;`). */
function safe(value: string | number, what: string): string {
  const text = String(value);
  if (!SAFE.test(text))
    throw new TypeError(`${what} ${JSON.stringify(text)} cannot be written into nginx's configuration.`);
  return text;
}

/**
 * nginx's configuration for the router: Host-based routing in Lua (`paasmaker_router.lua`)
 * choosing the peer in `balancer_by_lua` (the only Lua run before the request is proxied), on an
 * upstream with a keep-alive pool, retrying another
 * instance when one refuses the connection, websockets passed through, `X-Forwarded-*` set.
 */
export function nginxRouterConfig(options: NginxRouterConfig): string {
  const folder = safe(options.folder, 'folder');
  const modules = safe(options.modulesDirectory, 'modules folder');
  const file = (name: string) => path.join(folder, name);
  const lua = `{ redis_host = "${safe(options.redis.host, 'Redis host')}", redis_port = ${safe(options.redis.port, 'Redis port')}, redis_db = ${safe(options.redis.db, 'Redis database')}, prefix = "${safe(options.redis.prefix, 'prefix')}", refresh = ${safe(options.refreshSeconds, 'refresh')}, dead_seconds = ${safe(options.deadSeconds, 'dead seconds')}, name = "${safe(options.name, 'name')}" }`;
  return `# Written by @paasmaker/core for one nginx router; rewritten at every start.
load_module ${modules}/ndk_http_module.so;
load_module ${modules}/ngx_http_lua_module.so;
daemon off;
worker_processes ${safe(options.workerProcesses, 'worker processes')};
pid ${file('nginx.pid')};
error_log ${file('error.log')} warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  # The Lua module's log phase would otherwise malloc_trim(1) every 1,000 requests, handing freed
  # heap back to the kernel only for the next requests to fault it in again: that, not the Lua
  # counting, was most of what the log phase cost (bench:nginx-router, variant no-malloc-trim).
  lua_malloc_trim 0;
  client_body_temp_path ${file('client_body_temp')};
  proxy_temp_path ${file('proxy_temp')};
  fastcgi_temp_path ${file('fastcgi_temp')};
  uwsgi_temp_path ${file('uwsgi_temp')};
  scgi_temp_path ${file('scgi_temp')};
  client_max_body_size 0;

  # Loaded by the master, before workers drop privileges (they may not be able to read the folder).
  init_by_lua_block { package.loaded.paasmaker_router = dofile("${file('paasmaker_router.lua')}") }
  lua_shared_dict paasmaker_dead 1m;
  # The last table loaded, for a worker nginx respawns (about 100 bytes per route).
  lua_shared_dict paasmaker_table 32m;
  init_worker_by_lua_block { require("paasmaker_router").init_worker(${lua}) }

  map $http_upgrade $paasmaker_connection {
    default upgrade;
    ''      '';
  }

  upstream paasmaker_instances {
    server 0.0.0.1;
    balancer_by_lua_block { require("paasmaker_router").balance() }
    keepalive 256;
  }

  server {
    listen ${safe(options.host, 'host')}:${safe(options.port, 'port')} reuseport;
    # At server level, so nginx's own answers (400 for a request without Host) are counted too.
    log_by_lua_block { require("paasmaker_router").log() }
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $paasmaker_connection;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Host $http_host;
    # Constants rather than $server_port and $scheme: nothing to format per request.
    proxy_set_header X-Forwarded-Port ${safe(options.port, 'port')};
    proxy_set_header X-Forwarded-Proto http;
    proxy_next_upstream error;
    proxy_connect_timeout 10s;
    proxy_read_timeout 3600s;
    proxy_buffering off;
    proxy_request_buffering off;
    # nginx's own refusal of a request without Host (HTTP/1.1), answered in plain text like the rest.
    error_page 400 = @paasmaker_answer;

    # Routed in the balancer alone; what it cannot route (no table yet, no Host, unknown host, no
    # instances, every instance refused) fails there, and the answer is chosen in Lua.
    location / {
      proxy_pass http://paasmaker_instances;
      error_page 500 502 = @paasmaker_answer;
    }
    location @paasmaker_answer {
      content_by_lua_block { require("paasmaker_router").answer() }
    }
    # A request that came before the worker's first table, once it has one.
    location @paasmaker_routed {
      proxy_pass http://paasmaker_instances;
    }
  }
}
`;
}
