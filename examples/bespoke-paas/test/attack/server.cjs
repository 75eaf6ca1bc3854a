// @ts-nocheck: a fixture deployed as plain JavaScript, not part of the typed sources.
// The attacker's app: answers every request with the probe's findings (the cron calls /cron).
const http = require('node:http');
const { probe } = require('./probe.cjs');

http
  .createServer((request, response) => {
    const stage = request.url === '/cron' ? 'cron' : 'instance';
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`PROBE ${JSON.stringify(probe(stage))} END\n`);
  })
  .listen(Number(process.env.PORT));
