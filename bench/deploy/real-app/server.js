// @ts-nocheck: deployed as plain JavaScript with its own dependencies, not part of the typed sources.
// The bench's real app: Express, lodash and date-fns loaded, one route.
const express = require('express');
const { format } = require('date-fns');
const { capitalize } = require('lodash');

const metadata = JSON.parse(process.env.PM_METADATA || '{}');
const version = metadata.application ? metadata.application.version : 'dev';
const app = express();
app.get('/', (_request, response) => {
  response
    .type('text/plain')
    .send(`${capitalize('real app')} version ${version} at ${format(new Date(), 'yyyy-MM-dd')}\n`);
});
const server = app.listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
