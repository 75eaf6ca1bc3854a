// @ts-check
// What the router benches share: an nginx of their own with a generated config, and the CPU time
// an nginx (master and workers) has used, read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';

import { pickFreePort } from '@paasmaker/test-servers';

const nginxBin = process.env.PAASMAKER_TEST_NGINX_BIN ?? 'nginx';

/** @type {Set<() => number | undefined>} */
const started = new Set();
/**
 * Asks the nginx whose master pid `pid()` gives to quit when this bench exits, stopped or not:
 * one left behind by a bench that failed part way would keep serving and hold the bench's output
 * open (a `| tee` would never end).
 * @param {() => number | undefined} pid
 */
export function quitOnExit(pid) {
  if (started.size === 0)
    process.on('exit', () => {
      for (const master of started) {
        const pid = master();
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // Gone already.
        }
      }
    });
  started.add(pid);
}

/**
 * Starts an nginx of its own in `folder` (one worker, no access log) with `http` as the body of
 * its `http {}` block; resolves once it had 300 ms to bind. Stop it with `kill('SIGQUIT')`.
 * @param {string} folder
 * @param {string} http
 */
export async function plainNginx(folder, http) {
  const config = `daemon off;
worker_processes 1;
pid ${folder}/nginx.pid;
error_log ${folder}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${folder}/cbt; proxy_temp_path ${folder}/pt; fastcgi_temp_path ${folder}/ft;
  uwsgi_temp_path ${folder}/ut; scgi_temp_path ${folder}/st;
${http}
}
`;
  writeFileSync(path.join(folder, 'nginx.conf'), config);
  const child = spawn(
    nginxBin,
    ['-p', `${folder}/`, '-c', path.join(folder, 'nginx.conf'), '-e', `${folder}/error.log`],
    { stdio: 'inherit' },
  );
  quitOnExit(() => (child.exitCode === null ? child.pid : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return child;
}

/** An `http {}` body: a backend on `port` answering "hello world" itself, so it is never the bottleneck. */
export function helloBackend(/** @type {number} */ port) {
  return `  server { listen 127.0.0.1:${port}; location / { return 200 "hello world\\n"; } }`;
}

/** An `http {}` body: the static `proxy_pass` on `port` the routers are compared with (keep-alive upstream). */
export function staticProxyPass(/** @type {number} */ port, /** @type {number} */ backendPort) {
  return `  upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`;
}

/**
 * What every router bench compares against, started in subfolders of `folder`: a backend nginx
 * answering "hello world" and a static `proxy_pass` nginx in front of it, each on a free port.
 * @param {string} folder
 */
export async function backendAndStaticProxy(folder) {
  const backendPort = await pickFreePort();
  const staticPort = await pickFreePort();
  const backend = await plainNginx(await mkdtemp(path.join(folder, 'backend-')), helloBackend(backendPort));
  const staticProxy = await plainNginx(
    await mkdtemp(path.join(folder, 'static-')),
    staticProxyPass(staticPort, backendPort),
  );
  /** Stops both nginx (gracefully) and gives them 300 ms to exit. */
  const stop = async () => {
    staticProxy.kill('SIGQUIT');
    backend.kill('SIGQUIT');
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  return { backendPort, staticPort, staticProxy, stop };
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The pids of process `pid` and of its children, grandchildren … (an nginx master and its workers). */
function processTree(/** @type {number} */ pid) {
  const pids = [];
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    pids.push(next);
    try {
      const children = readFileSync(`/proc/${next}/task/${next}/children`, 'utf8').trim();
      if (children) pending.push(...children.split(' ').map(Number));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/**
 * CPU microseconds (user + system) used so far by process `pid` and its children (an nginx
 * master and its workers), from /proc; 10 ms resolution, so measure over seconds.
 * @param {number} pid
 * @returns {number}
 */
export function processTreeCpuMicros(pid) {
  let ticks = 0;
  for (const each of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${each}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process exited between listing and reading: its time is gone with it.
    }
  }
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}
