// @ts-check
// Not a speed experiment: the router's workers log LuaJIT's trace events (compiled traces, aborts
// and why) to /tmp/paasmaker-router-jit.log, to check that the per-request Lua is compiled.
import { replaced } from './no-log-phase.mjs';

export default {
  name: 'jit.v',
  lua: (/** @type {string} */ text) =>
    replaced(
      text,
      'function _M.init_worker(options)',
      `function _M.init_worker(options)
  package.path = "/usr/share/luajit-2.1.0-beta3/?.lua;" .. package.path
  require("jit.v").start("/tmp/paasmaker-router-jit.log")`,
    ),
};
