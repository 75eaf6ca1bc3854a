import { mkdir, mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSpec } from '@paasmaker/core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ConsoleFixture, PASSWORD, startConsoleFixture } from './console-fixture';

// PAASMAKER_CONSOLE_SCREENSHOTS=1 writes the screenshots into docs/ (the README shows them).
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const SLOW = { timeout: 240_000, interval: 250 };

describe('the web console in Chromium', () => {
  let fx: ConsoleFixture;
  let shots: string;
  let admin: BrowserContext;
  let page: Page;
  let applicationId: number;

  const shoot = (name: string, target: Page = page) =>
    target.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

  async function logIn(context: BrowserContext, login: string): Promise<Page> {
    // Actions and waits get minutes, not Playwright's 30 s: the test machine may be loaded.
    context.setDefaultTimeout(120_000);
    const tab = await context.newPage();
    await tab.goto(`${fx.url}/`);
    await tab.getByLabel('Login').fill(login);
    await tab.getByLabel('Password').fill(PASSWORD);
    if (login === fx.adminLogin) await shoot('login', tab);
    await tab.getByRole('button', { name: 'Log in' }).click();
    await tab.getByRole('heading', { name: 'Workspaces' }).waitFor();
    return tab;
  }

  /** Waits until the job tree on the page has finished with `state`. */
  const treeEnds = (target: Page, state: string) =>
    vi.waitFor(async () => {
      const status = await target.locator('.tree-status').textContent();
      expect(status).toMatch(/: (SUCCESS|FAILED|ABORTED)/);
      expect(status).toContain(`: ${state}`);
    }, SLOW);

  beforeAll(async () => {
    shots = process.env.PAASMAKER_CONSOLE_SCREENSHOTS
      ? DOCS
      : await mkdtemp(path.join(tmpdir(), 'pm-shots-'));
    await mkdir(shots, { recursive: true });
    fx = await startConsoleFixture();
    admin = await fx.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await logIn(admin, fx.adminLogin);
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
  }, 120_000);

  it('logs in with a session cookie the page scripts cannot read', async () => {
    const cookies = await admin.cookies();
    const session = cookies.find((cookie) => cookie.name === 'paasmaker_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).not.toContain('paasmaker_session');
    await expect.poll(() => page.locator('a', { hasText: 'Shop team' }).count()).toBe(1);
    await expect.poll(() => page.locator('a', { hasText: 'Secret team' }).count()).toBe(1);
    await shoot('workspaces');
  });

  it('deploys the example app from git and shows its job tree turning green', async () => {
    await page.getByRole('link', { name: 'Shop team' }).click();
    await page.getByLabel('Git URL').fill(fx.helloRepo);
    await page.getByLabel('Branch').fill('main');
    await shoot('workspace');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.locator('ul.job-tree').waitFor();
    // The whole tree arrives at once, its jobs WAITING or further along.
    await expect.poll(() => page.locator('li.job-row').count()).toBeGreaterThan(3);
    await treeEnds(page, 'SUCCESS');
    const states = await page.locator('li.job-row .state').allTextContents();
    expect(states.every((state) => state === 'SUCCESS')).toBe(true);
    // Not every job writes a log: open each in turn until one shows its lines.
    const titles = page.locator('button.job-title');
    let shown = false;
    for (let index = (await titles.count()) - 1; index >= 0 && !shown; index -= 1) {
      await titles.nth(index).click();
      shown = await page
        .locator('pre.log-text')
        .filter({ hasText: /\S/ })
        .waitFor({ timeout: 15_000 })
        .then(
          () => true,
          () => false,
        );
    }
    expect(shown).toBe(true);
    await shoot('job-tree');
    const [application] = await fx.pacemaker.model.applications.list({ workspaceId: fx.workspaceA.id });
    if (!application) throw new Error('the deploy made no application');
    applicationId = application.id;
  }, 300_000);

  it("follows a running job's log as lines arrive, resumes it after a dropped connection, and aborts the tree", async () => {
    const treeId = await fx.pacemaker.jobs.createTree(
      { type: 'test.console.ticker', title: 'Tick', node: fx.pacemaker.jobs.nodeId } as JobSpec,
      { tags: { workspace: String(fx.workspaceA.id) } },
    );
    // A fresh page whose job stream goes through a route that can cut it, as a network would.
    const tab = await admin.newPage();
    const servers: { close(): Promise<void> }[] = [];
    await tab.routeWebSocket(/\/api\/v1\/jobs\/stream$/, (socket) => {
      servers.push(socket.connectToServer());
    });
    await tab.goto(`${fx.url}/#/jobs/${treeId}`);
    await tab.getByRole('button', { name: /Show the log of Tick/ }).click();
    const log = tab.locator('pre.log-text');
    const ticks = async () =>
      [...((await log.textContent()) ?? '').matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    await expect.poll(ticks, SLOW).toContain(2);
    const seen = (await ticks()).length;
    await expect.poll(async () => (await ticks()).length, SLOW).toBeGreaterThan(seen + 3);

    await servers[0]?.close();
    await expect.poll(() => servers.length, SLOW).toBeGreaterThan(1);
    const before = (await ticks()).length;
    await expect.poll(async () => (await ticks()).length, SLOW).toBeGreaterThan(before + 3);
    // Resumed from its byte offset: every tick once, none missing, none repeated.
    const all = await ticks();
    expect(all).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));

    await tab.getByRole('button', { name: 'Abort' }).click();
    await treeEnds(tab, 'ABORTED');
    await tab.close();
  });

  it('makes another version current from the application page', async () => {
    const started = await fx.pacemaker.actions.deploy(
      fx.workspaceA.id,
      { scm: 'paasmaker.scm.git', parameters: { location: fx.helloRepo, branch: 'main' } },
      { makeCurrent: false },
    );
    await vi.waitFor(async () => {
      const tree = await fx.pacemaker.jobs.getTree(started.treeId);
      expect(tree.jobs[0]?.state).toBe('SUCCESS');
    }, SLOW);
    await page.goto(`${fx.url}/#/applications/${applicationId}`);
    const makeCurrent = page.getByRole('button', { name: 'Make version 2 current' });
    await makeCurrent.waitFor();
    await makeCurrent.click();
    await treeEnds(page, 'SUCCESS');
    await page.goto(`${fx.url}/#/applications/${applicationId}`);
    await expect
      .poll(() => page.locator('tr[data-version="2"] td').nth(2).textContent(), SLOW)
      .toBe('current');
    await expect.poll(() => page.locator('tr[data-version="1"] td').nth(2).textContent()).toBe('');
  }, 300_000);

  it('scales the current version to 2 instances from its quantity field, and lists both running', async () => {
    await page.goto(`${fx.url}/#/applications/${applicationId}`);
    const quantity = page.getByLabel('Quantity of web in version 2');
    await quantity.waitFor();
    expect(await quantity.inputValue()).toBe('1');
    await quantity.fill('2');
    await page.getByRole('button', { name: 'Scale web of version 2' }).click();
    await treeEnds(page, 'SUCCESS');
    await expect
      .poll(async () => {
        await page.goto(`${fx.url}/#/applications/${applicationId}`);
        await page.reload();
        await page.locator('table.instances').waitFor();
        return page
          .locator('table.instances tbody tr', { hasText: '2 (current)' })
          .filter({ hasText: 'RUNNING' })
          .count();
      }, SLOW)
      .toBe(2);
    expect(await page.getByLabel('Quantity of web in version 2').inputValue()).toBe('2');
  }, 300_000);

  it("draws the router's stats of the current version, and they move after requests", async () => {
    const answer = await fetch(`${fx.url}/api/v1/applications/${applicationId}/instances`, {
      headers: { authorization: `Bearer ${fx.superToken}` },
    });
    const { urls } = ((await answer.json()) as { data: { urls: string[] } }).data;
    const hostname = new URL(urls[0] ?? '').hostname;
    const router = new URL(fx.node.router?.url ?? '');
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const call = request(
          { host: router.hostname, port: router.port, path: '/', headers: { host: hostname } },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        call.on('error', reject);
        call.end();
      });
    for (let sent = 0; sent < 20; sent += 1) expect(await get()).toBe(200);
    const totals = page.locator('.stats-totals').first();
    await expect
      .poll(async () => {
        await page.goto(`${fx.url}/#/applications/${applicationId}`);
        await page.reload();
        await totals.waitFor();
        return Number(await totals.getAttribute('data-requests'));
      }, SLOW)
      .toBeGreaterThanOrEqual(20);
    await page.locator('.stats-plot canvas').first().waitFor();
    await shoot('application');
  }, 300_000);

  it('shows a workspace-scoped viewer neither other workspaces nor controls it may not use; the API refuses them too', async () => {
    const context = await fx.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const viewer = await logIn(context, fx.viewerLogin);
      await expect.poll(() => viewer.locator('a', { hasText: 'Shop team' }).count()).toBe(1);
      expect(await viewer.locator('a', { hasText: 'Secret team' }).count()).toBe(0);
      for (const link of ['Nodes', 'Users', 'Roles'])
        expect(await viewer.getByRole('link', { name: link }).count()).toBe(0);

      await viewer.getByRole('link', { name: 'Shop team' }).click();
      await viewer.getByRole('link', { name: 'hello-node', exact: true }).waitFor();
      expect(await viewer.getByRole('button', { name: 'Deploy' }).count()).toBe(0);
      await viewer.getByRole('link', { name: 'hello-node', exact: true }).click();
      await viewer.locator('tr[data-version="1"]').waitFor();
      for (const name of [/^Start/, /^Stop/, /current$/, /^Delete/, /^Scale/, 'Roll back'])
        expect(await viewer.getByRole('button', { name }).count()).toBe(0);
      await viewer.locator('[data-instance-type="web"]').first().waitFor();
      expect(await viewer.getByLabel(/^Quantity of/).count()).toBe(0);

      await viewer.goto(`${fx.url}/#/workspaces/${fx.workspaceB.id}`);
      await viewer.getByRole('alert').first().waitFor();
      expect(await viewer.locator('body').textContent()).not.toContain('secret-app');

      const refused = await viewer.evaluate(async (url) => {
        const session = (await (await fetch('/api/v1/session')).json()) as { data: { csrfToken: string } };
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'x-paasmaker-csrf': session.data.csrfToken, 'content-type': 'application/json' },
          body: '{}',
        });
        return { status: response.status, body: await response.json() };
      }, `/api/v1/applications/${applicationId}/rollback`);
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'E_API_FORBIDDEN' } } });
    } finally {
      await context.close();
    }
  });

  it('draws a tree of 1,000 jobs and stays responsive (time to first render reported)', async () => {
    const children = Array.from({ length: 1000 }, (_, index) => ({
      type: 'test.console.ticker',
      title: `Job ${index + 1}`,
    }));
    const treeId = await fx.pacemaker.jobs.createTree(
      { type: 'test.console.ticker', title: 'Thousand', node: fx.pacemaker.jobs.nodeId, children } as JobSpec,
      { tags: { workspace: String(fx.workspaceA.id) }, start: false },
    );
    await page.goto(`${fx.url}/#/`);
    await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
    const started = await page.evaluate((id) => {
      const now = performance.now();
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/jobs/${id}`;
      return now;
    }, treeId);
    await page.locator('ul.job-tree[data-jobs="1001"]').waitFor({ timeout: 120_000 });
    const rendered = await page.evaluate(
      (id) => performance.getEntriesByName(`tree-rendered:${id}`)[0]?.startTime ?? Number.NaN,
      treeId,
    );
    const firstRenderMs = rendered - started;
    const clickStarted = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: /Show the log of Job 1000 / }).click();
    await page.locator('li.job-row.selected').waitFor();
    const selectMs = (await page.evaluate(() => performance.now())) - clickStarted;
    console.info(
      `1,001-job tree: first render ${firstRenderMs.toFixed(0)} ms after navigation; selecting a job ${selectMs.toFixed(0)} ms`,
    );
    expect(Number.isFinite(firstRenderMs)).toBe(true);
    expect(await page.locator('li.job-row').count()).toBe(1001);
  });

  it('lists the nodes, with their state', async () => {
    await page.goto(`${fx.url}/#/nodes`);
    await page.getByRole('cell', { name: 'console-browser' }).waitFor();
    expect(await page.locator('td .state').first().textContent()).toBe('ACTIVE');
    await shoot('nodes');
  });
});
