// @ts-check
// The router without reading `ngx.var.bytes_sent` per request (bytes counted as 0).
import { replaced } from './no-log-phase.mjs';

export default {
  name: 'no bytes_sent',
  lua: (/** @type {string} */ text) => replaced(text, 'c[2] = c[2] + (tonumber(var.bytes_sent) or 0)', ''),
};
