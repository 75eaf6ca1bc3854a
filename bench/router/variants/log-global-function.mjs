// @ts-check
// The router's log phase calling a global function set at init, not `require(...)` per request.
import { replaced } from './no-log-phase.mjs';

export default {
  name: 'log global function',
  config: (/** @type {string} */ text) =>
    replaced(
      replaced(
        text,
        'log_by_lua_block { require("paasmaker_router").log() }',
        'log_by_lua_block { paasmaker_router_log() }',
      ),
      'init_by_lua_block { package.loaded.paasmaker_router = dofile(',
      'init_by_lua_block { paasmaker_router_log = function() return package.loaded.paasmaker_router.log() end; package.loaded.paasmaker_router = dofile(',
    ),
};
