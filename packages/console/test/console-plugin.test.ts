import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@paasmaker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consolePlugin, loadConsoleAssets } from '../src';

/** A pacemaker API with and without the console plugin, over SQLite files of its own. */
describe('the console plugin on the pacemaker HTTP server', () => {
  let folder: string;
  let model: core.Model;
  let store: core.JobStore;
  const running: { api: core.PacemakerApi; jobs: core.JobEngine; kernel: core.Kernel; url: string }[] = [];

  async function startApi(plugins: core.PluginEntry[]) {
    const kernel = await core.createKernel({ plugins });
    const jobs = await core.createJobEngine({ kernel, store, logDirectory: path.join(folder, 'logs') });
    const api = core.createPacemakerApi({ kernel, model, jobs });
    const url = await api.listen();
    running.push({ api, jobs, kernel, url });
    return url;
  }

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-console-'));
    model = await core.createModel({ filename: path.join(folder, 'model.db') });
    store = core.createSqlJobStore({ filename: path.join(folder, 'jobs.db') });
  });
  afterAll(async () => {
    for (const { api, jobs, kernel } of running) {
      await api.close();
      await jobs.close();
      await kernel.close();
    }
    await store?.close();
    await model?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('serves the page with a strict Content-Security-Policy, and every built asset with its type', async () => {
    const url = await startApi([consolePlugin]);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBe(1);
    for (const asset of await loadConsoleAssets()) {
      const response = await fetch(`${url}${asset.urlPath}`);
      expect(response.status, asset.urlPath).toBe(200);
      expect(response.headers.get('content-type')).toBe(asset.contentType);
      expect(Buffer.from(await response.arrayBuffer()).equals(asset.body)).toBe(true);
      if (asset.immutable) expect(response.headers.get('cache-control')).toContain('immutable');
    }
    expect(scripts.every((script) => script.startsWith('/assets/'))).toBe(true);
  });

  it('leaves the API as it was: unknown paths get its JSON 404, API routes still answer', async () => {
    const url = await startApi([consolePlugin]);
    const unknown = await fetch(`${url}/api/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('E_API_ROUTE_NOT_FOUND');
    expect((await fetch(`${url}/assets/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/openapi.json`)).status).toBe(200);
  });

  it('is absent without the plugin: the pacemaker serves no page', async () => {
    const url = await startApi([]);
    expect((await fetch(`${url}/`)).status).toBe(404);
  });
});
