// @ts-check
// The router forwarding only the headers the static `proxy_pass` column sets (no Upgrade,
// X-Forwarded-Host/Port/Proto): what the extra headers cost.
export default {
  name: 'static headers',
  config: (/** @type {string} */ text) =>
    text
      .replace(/^\s*proxy_set_header (Upgrade|X-Forwarded-Host|X-Forwarded-Port|X-Forwarded-Proto) .*$/gm, '')
      .replace('proxy_set_header Connection $paasmaker_connection', 'proxy_set_header Connection ""'),
};
