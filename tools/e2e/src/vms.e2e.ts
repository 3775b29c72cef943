import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCockpit, type CockpitProcess } from '@cockpit/dev-testing';
import { launchChromium, signedInPage } from './chromium.js';
import { AGENTS_ON_LOOPBACK } from './product.js';

const SCREENSHOTS = path.join(import.meta.dirname, '../../../tmp/e2e');
const ADMIN_PASSWORD = 'e2e-vms-admin-password';
const VM = 'e2e-web';

/**
 * A VM's life in a real browser against `npm start`: the wizard creates it, the detail page starts
 * it and its chart moves, the serial console answers a command, the VNC console draws the screen,
 * a snapshot is taken and reverted, and the VM is deleted.
 */
describe('VMs in a real browser, served by `npm start`', () => {
  let dataDir: string;
  let cockpit: CockpitProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** Once deleted, the VM's own page may still ask for it once and hear 404: that is the truth, not a fault. */
  let deletedVmPath: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cockpit-e2e-vms-'));
    await chmod(dataDir, 0o755);
    await mkdir(SCREENSHOTS, { recursive: true });
    cockpit = startCockpit({
      DATA_DIR: dataDir,
      PORT: '0',
      COCKPIT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DEMO_FLEET_HOSTS: '2',
      HOST_ENROLL_DENY_NETWORKS: AGENTS_ON_LOOPBACK,
    });
    [url, browser] = await Promise.all([cockpit.ready(), launchChromium()]);
    // A deleted VM's page asks for it once more and hears 404: expected.
    page = await signedInPage(
      browser,
      url,
      { username: 'admin', password: ADMIN_PASSWORD, start: '/vms' },
      problems,
      (status, pathname) => Boolean(status === 404 && deletedVmPath && pathname.startsWith(deletedVmPath)),
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    cockpit?.child.kill('SIGTERM');
    await cockpit?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  const shoot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `vm-${name}.png`) });
  const powerButton = (name: string) => page.getByRole('group', { name: 'Power' }).getByRole('button', { name, exact: true });
  const stateShown = (state: string) =>
    page.getByRole('main').getByText(state, { exact: true }).first().waitFor({ timeout: 20_000 });

  it('creates a VM in the wizard and shows where Cockpit placed it and why', async () => {
    await page.getByRole('button', { name: 'Create VM' }).click();
    const wizard = page.getByRole('dialog');
    await wizard.getByLabel('Name').fill(VM);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('vCPUs').fill('2');
    await wizard.getByLabel('Memory (MiB)').fill('1024');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Pool of new disk 1').fill('local');
    await wizard.getByLabel('Size of new disk 1 in GiB').fill('8');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Bridge of new network interface 1').fill('br-mgmt');
    await wizard.getByRole('button', { name: 'Next' }).click();
    // Created shut off: the detail page starts it.
    await wizard.getByLabel('Start it once created').uncheck();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Create' }).click();
    const answer = page.getByRole('dialog');
    await answer.getByRole('heading', { name: new RegExp(`Cockpit placed ${VM} on sim-0[12]`) }).waitFor();
    await answer.getByText(/has the most free memory/).waitFor();
    await shoot('placed');
    await answer.getByRole('link', { name: `Open ${VM}` }).click();
    await page.getByRole('heading', { name: VM }).first().waitFor();
    await stateShown('shutoff');
  });

  it('starts it and its live chart moves', async () => {
    await powerButton('Start').click();
    await stateShown('running');
    const chart = page.locator('figure[role="img"]').first();
    await chart.waitFor();
    const before = Number(await chart.getAttribute('data-points'));
    // The demo fleet samples every few seconds; the chart grows without a reload.
    await page.waitForFunction(
      (points) => Number(document.querySelector('figure[role="img"]')?.getAttribute('data-points')) > points,
      before,
      { timeout: 30_000 },
    );
    await shoot('running');
  });

  it('types a command in the serial console and sees the answer', async () => {
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('button', { name: 'Serial' }).click();
    await page.getByText(/Connected as admin to e2e-web on sim-0[12]/).waitFor({ timeout: 15_000 });
    const terminal = page.getByLabel(`Serial console of ${VM}`);
    await terminal.click();
    await page.keyboard.type('echo e2e-marker-42');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (document.querySelector('.xterm-rows')?.textContent?.split('e2e-marker-42').length ?? 0) >= 3,
      undefined,
      { timeout: 10_000 },
    );
    await shoot('serial');
  });

  it('opens the VNC console and sees the VM’s screen drawn on the canvas', async () => {
    await page.getByRole('button', { name: 'Graphical (VNC)' }).click();
    await page.getByText(/Connected as admin to e2e-web/).waitFor({ timeout: 15_000 });
    const screen = page.getByRole('application', { name: `Screen of ${VM}` });
    await screen.locator('canvas').first().waitFor();
    // Non-blank: the canvas holds more than one colour (the guest's text on its background).
    const colours = await page.waitForFunction(
      () => {
        const canvas = document.querySelector<HTMLCanvasElement>('[role="application"] canvas');
        if (!canvas || !canvas.width || !canvas.height) return 0;
        const context = canvas.getContext('2d');
        if (!context) return 0;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        const seen = new Set<number>();
        for (let i = 0; i < data.length && seen.size < 10; i += 4 * 7)
          seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
        return seen.size >= 2 ? seen.size : 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    expect(Number(await colours.jsonValue())).toBeGreaterThanOrEqual(2);
    await shoot('vnc');
  });

  it('takes a snapshot with memory, powers off, and the revert brings it back running', async () => {
    await page.getByRole('tab', { name: /^Snapshots/ }).click();
    await page.getByRole('button', { name: 'Take snapshot' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('before-off');
    await dialog.getByRole('button', { name: 'Take snapshot' }).click();
    await page.getByRole('grid', { name: 'Snapshots' }).getByText('before-off').waitFor();
    await powerButton('Power off').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Power off' }).click();
    await stateShown('shutoff');
    await page.getByRole('button', { name: 'Revert to before-off' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revert' }).click();
    await stateShown('running');
    await shoot('reverted');
  });

  it('deletes the VM, and it is gone from the list', async () => {
    await powerButton('Power off').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Power off' }).click();
    await stateShown('shutoff');
    deletedVmPath = `/api${new URL(page.url()).pathname}`;
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/\/vms$/);
    await page.getByLabel('Filter VMs by name').fill(VM);
    await page
      .getByText(/No VMs match|nothing matches/i)
      .first()
      .waitFor({ timeout: 10_000 });
    await shoot('deleted');
    expect(problems).toEqual([]);
  });
});
