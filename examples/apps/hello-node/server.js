// A tiny web app for Paasmaker: answers on the port the heart gives it (PORT), says which
// version it is (from PM_METADATA) and finishes requests in flight when asked to stop.
const http = require('node:http');

const metadata = JSON.parse(process.env.PM_METADATA || '{}');
const version = metadata.application ? metadata.application.version : 'dev';
const greeting = process.env.GREETING || 'Hello';

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${greeting} from hello-node version ${version}\n`);
});

server.listen(Number(process.env.PORT || 3000), () => {
  console.log(`hello-node version ${version} listening on ${process.env.PORT || 3000}`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
