import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCockpit, type CockpitProcess } from '@cockpit/dev-testing';
import { launchChromium } from './chromium.js';

const SCREENSHOTS = path.join(import.meta.dirname, '../../../tmp/e2e');

describe('console in a real browser, served by `npm start`', () => {
  let dataDir: string;
  let cockpit: CockpitProcess;
  let url: string;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cockpit-e2e-'));
    await chmod(dataDir, 0o755);
    await mkdir(SCREENSHOTS, { recursive: true });
    cockpit = startCockpit({ DATA_DIR: dataDir, PORT: '0' });
    [url, browser] = await Promise.all([cockpit.ready(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    cockpit?.child.kill('SIGTERM');
    await cockpit?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(pathname: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
    const page = await context.newPage();
    // Script errors and CSP violations surface here; the console must have none.
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${url}${pathname}`);
    return page;
  }

  it('shows the shell: masthead, every section, a live connection and the api version', async () => {
    const page = await open('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' }).isVisible()).resolves.toBe(true);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Dashboard',
      'Hosts',
      'VMs',
      'Migrations',
      'Clusters',
      'Operations',
      'Audit',
      'Settings',
    ]);
    await page.getByText('Connected').waitFor();
    await page.getByText('0.1.0').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png') });

    await nav.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hosts' }).waitFor();
    await page.getByText('No hosts enrolled').waitFor();
    expect(new URL(page.url()).pathname).toBe('/hosts');
    await page.context().close();
    expect(problems).toEqual([]);
  });

  it('opens a deep link directly and follows a dark OS theme', async () => {
    const page = await open('/migrations', 'dark');
    await page.getByRole('heading', { level: 1, name: 'Migrations' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark'))).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'migrations-dark.png') });
    await page.context().close();
    expect(problems).toEqual([]);
  });

  it('serves the API docs UI', async () => {
    const page = await open('/api/docs');
    await page.getByText('Cockpit API').first().waitFor();
    await page.getByText('/api/health/ready').first().waitFor();
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
