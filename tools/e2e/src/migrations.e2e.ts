import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCockpit, type CockpitProcess } from '@cockpit/dev-testing';
import { launchChromium, signedInPage } from './chromium.js';
import { AGENTS_ON_LOOPBACK } from './product.js';

const SCREENSHOTS = path.join(import.meta.dirname, '../../../tmp/e2e');
const ADMIN_PASSWORD = 'e2e-migrations-admin-password';
const VM = 'e2e-mover';

interface HostRow {
  id: string;
  name: string;
  cpuModel: string | null;
}

/**
 * Moving a VM in a real browser against `npm start` and its simulated fleet. Host i of the sim
 * fleet has CPU model i of its catalogue: sim-01 a Broadwell, sim-02 a Skylake, sim-03 a
 * Cascade Lake. A VM on sim-02 needing avx512f (set up over REST) cannot go to the Broadwell: the
 * wizard says so, naming the flag; it moves to sim-03, and the live view follows it to the end.
 */
describe('Migrations in a real browser, served by `npm start`', () => {
  let dataDir: string;
  let cockpit: CockpitProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let hosts: Map<string, HostRow>;
  let vmId: string;

  /** Signed in over REST, as another client would be. */
  async function restClient() {
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' };
    return async <T>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${url}${pathname}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cockpit-e2e-migrations-'));
    await chmod(dataDir, 0o755);
    await mkdir(SCREENSHOTS, { recursive: true });
    cockpit = startCockpit({
      DATA_DIR: dataDir,
      PORT: '0',
      COCKPIT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DEMO_FLEET_HOSTS: '3',
      HOST_ENROLL_DENY_NETWORKS: AGENTS_ON_LOOPBACK,
    });
    [url, browser] = await Promise.all([cockpit.ready(), launchChromium()]);

    // The setup, over REST: the fleet as the catalogue has it, and a VM on the Skylake needing avx512f.
    const api = await restClient();
    const listed = await api<{ items: HostRow[] }>('GET', '/api/hosts?limit=10');
    hosts = new Map(listed.body.items.map((host) => [host.name, host]));
    expect([...hosts.values()].map((host) => [host.name, host.cpuModel])).toEqual([
      ['sim-01', 'Broadwell-IBRS'],
      ['sim-02', 'Skylake-Server-IBRS'],
      ['sim-03', 'Cascadelake-Server'],
    ]);
    const created = await api<{ vm: { id: string; state: string } }>('POST', '/api/vms', {
      name: VM,
      hostId: hosts.get('sim-02')?.id,
      vcpus: 1,
      memoryMiB: 1024,
      cpu: { model: 'host-model', features: ['avx512f'] },
      // On the shared pool every sim host mounts: only CPU and memory state move.
      disks: [{ poolId: 'ceph-a', sizeBytes: 2 * 1024 ** 3 }],
      nics: [{ networkId: 'br-mgmt' }],
      start: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.vm.state).toBe('running');
    vmId = created.body.vm.id;

    page = await signedInPage(browser, url, { username: 'admin', password: ADMIN_PASSWORD, start: '/vms' }, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    cockpit?.child.kill('SIGTERM');
    await cockpit?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  const shoot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `migration-${name}.png`) });
  const wizard = () => page.getByRole('dialog', { name: `Migrate ${VM}` });
  const targetRow = (host: string) =>
    wizard()
      .getByRole('grid', { name: 'Target hosts' })
      .getByRole('row')
      .filter({ has: page.getByRole('radio', { name: `Move to ${host}` }) });

  it('opens the running VM and its Migrate wizard: the Broadwell host is refused, naming the CPU flag it lacks', async () => {
    await page.getByLabel('Filter VMs by name').fill(VM);
    await page.getByRole('grid', { name: 'Virtual machines' }).getByRole('link', { name: VM, exact: true }).click();
    await page.getByRole('heading', { name: VM }).first().waitFor();
    await page.getByRole('main').getByText('running', { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Migrate', exact: true }).click();

    const refused = targetRow('sim-01');
    await refused.getByText('refused', { exact: true }).waitFor({ timeout: 20_000 });
    await refused.getByText(/sim-01's CPU \(Broadwell-IBRS\) lacks avx512f/).waitFor();
    expect(await wizard().getByRole('radio', { name: 'Move to sim-01' }).isDisabled()).toBe(true);
    await targetRow('sim-03')
      .getByText(/^can move/)
      .waitFor();
    await shoot('targets');
  });

  it('picks the passing host, shows the options and the detected type, and starts', async () => {
    await wizard().getByRole('radio', { name: 'Move to sim-03' }).check();
    await wizard().getByRole('button', { name: 'Next' }).click();
    // The defaults, then a bandwidth limit so the live view has something to follow.
    expect(await wizard().getByLabel('Downtime limit (ms)').inputValue()).toBe('300');
    await wizard().getByLabel('Bandwidth limit (MiB/s)').fill('100');
    await wizard()
      .getByText(/only CPU and memory state move/)
      .waitFor();
    await wizard().getByRole('button', { name: 'Next' }).click();
    await wizard().getByLabel('The move').getByText('100 MiB/s').waitFor();
    await shoot('review');
    await wizard().getByRole('button', { name: 'Start migration' }).click();
    await page.waitForURL(/\/migrations\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: `${VM} to sim-03` }).waitFor();
  });

  it('follows it live, its chart growing from the progress events, to "succeeded"', async () => {
    const chart = page.getByRole('img', { name: /^Throughput and dirty rate/ });
    await chart.waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => Number(document.querySelector('figure[role="img"]')?.getAttribute('data-points')) >= 3,
      undefined,
      { timeout: 30_000 },
    );
    await shoot('live');
    await page.getByText(`Succeeded: ${VM} runs on sim-03`).waitFor({ timeout: 60_000 });
    await page.getByRole('main').getByText('succeeded', { exact: true }).first().waitFor();
    await page
      .getByLabel('Record')
      .getByText(/within the 300 ms limit/)
      .waitFor();
    await shoot('succeeded');

    const api = await restClient();
    const vm = await api<{ hostName: string; state: string }>('GET', `/api/vms/${vmId}`);
    expect(vm.body).toMatchObject({ hostName: 'sim-03', state: 'running' });
    expect(problems).toEqual([]);
  });
});
