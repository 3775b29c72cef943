import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startCockpit, type CockpitProcess } from '@cockpit/dev-testing';
import { launchChromium } from './chromium.js';
import { AGENTS_ON_LOOPBACK } from './product.js';

const ADMIN_PASSWORD = 'e2e-live-password-1';

describe('live updates across api instances, in a real browser', () => {
  let dataDir: string;
  let cockpit: CockpitProcess;
  let browser: Browser;
  let first: string;
  let second: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cockpit-e2e-live-'));
    await chmod(dataDir, 0o755);
    cockpit = startCockpit(
      {
        DATA_DIR: dataDir,
        PORT: '0',
        COCKPIT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DEMO_FLEET_HOSTS: '2',
        HOST_ENROLL_DENY_NETWORKS: AGENTS_ON_LOOPBACK,
      },
      ['--instances', '2'],
    );
    [, browser] = await Promise.all([cockpit.ready(), launchChromium()]);
    const instances = /Instances: #1 (\S+), #2 (\S+)/.exec(cockpit.output());
    [first, second] = [instances?.[1] ?? '', (instances?.[2] ?? '').replace(/,$/, '')];
  });

  afterAll(async () => {
    await browser?.close();
    cockpit?.child.kill('SIGTERM');
    await cockpit?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows a VM state change made through the REST API on the other instance without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${first}/vms`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const table = page.getByRole('grid', { name: 'Virtual machines' });
    // A row with a VM in it (the table shows a loading row first).
    await table.getByRole('row').nth(1).getByRole('link').first().waitFor();

    // Another client, on the other instance, over REST.
    const login = await fetch(`${second}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' };
    // The first running VM by name: on the console's first page (sorted by name) too.
    const running = (await (await fetch(`${second}/api/vms?state=running&limit=1`, { headers })).json()) as {
      items: { id: string; name: string }[];
    };
    const vm = running.items[0];
    if (!vm) throw new Error('no running VM in the demo fleet');
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: vm.name, exact: true }) });
    await row.getByText('running', { exact: true }).waitFor();
    const reloads: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) reloads.push(frame.url());
    });

    const paused = await fetch(`${second}/api/vms/${vm.id}/actions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'pause' }),
    });
    expect(paused.status).toBe(200);
    await row.getByText('paused', { exact: true }).waitFor({ timeout: 10_000 });
    expect(reloads).toEqual([]);
    await context.close();
    expect(problems).toEqual([]);
  });
});
