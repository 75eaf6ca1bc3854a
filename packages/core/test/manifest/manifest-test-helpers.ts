import { ManifestError } from '../../src/manifest';

/** The spec's example manifest (section 4.2), re-worded for a Node app. */
export const nodeAppManifest = `manifest:
  format: 1

application:
  name: shop.example.com
  tags:
    team: storefront
  prepare:
    runtime:
      plugin: paasmaker.runtime.node
      version: "20"
    commands:
      - plugin: paasmaker.prepare.shell
        name: build
        parameters:
          commands:
            - npm ci
            - npm run build

instances:
  - name: web
    quantity: 2
    runtime:
      plugin: paasmaker.runtime.node
      version: 20
      parameters:
        command: node server.js
    startup:
      - plugin: paasmaker.startup.shell
        parameters:
          commands:
            - node migrate.js
    placement:
      plugin: paasmaker.placement.default
    hostnames:
      - shop.example.com
      - "*.shop.example.com"
    crons:
      - runspec: "*/5 * * * *"
        uri: /tasks/cleanup
        username: cron
        password: s3cret
    health_check:
      path: /health
      timeout: 30

  - name: worker
    runtime:
      plugin: paasmaker.runtime.node
      version: "20.11"
      parameters:
        command: node worker.js
    standalone: true
    exclusive: true

services:
  - name: maindb
    plugin: paasmaker.service.mysql
  - name: settings
    plugin: paasmaker.service.parameters
    parameters:
      feature_x: enabled
`;

/** A smallest valid manifest; append lines to it (they go on from line 6). */
export const minimalManifest = `manifest: {format: 1}
application: {name: hello}
instances:
  - name: web
    runtime: {plugin: paasmaker.runtime.node, version: "20"}
`;

/** The {@link ManifestError} `run` throws; fails the test if it throws nothing or something else. */
export function manifestErrorOf(run: () => unknown): ManifestError {
  try {
    run();
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

/** The problems of a manifest that must fail, as `line field: message` strings. */
export function problemLines(run: () => unknown): string[] {
  return manifestErrorOf(run).problems.map((p) => `${p.line} ${p.field}: ${p.message}`);
}
