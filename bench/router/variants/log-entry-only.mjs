// @ts-check
// The router whose log phase only forgets the request's pick (nothing counted): what entering
// Lua in the log phase costs, against what the counting in it costs.
import { replaced } from './no-log-phase.mjs';

export default {
  name: 'log entry only',
  lua: (/** @type {string} */ text) =>
    replaced(
      text,
      'function _M.log()\n',
      'function _M.log()\n  picked[request_id()] = nil\n  do return end\n',
    ),
};
