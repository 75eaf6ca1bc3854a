// @ts-check
// The router with nginx's default buffering of answers and request bodies, as the static column.
export default {
  name: 'proxy buffering on',
  config: (/** @type {string} */ text) =>
    text.replace(/^\s*proxy_buffering off;.*$/m, '').replace(/^\s*proxy_request_buffering off;.*$/m, ''),
};
