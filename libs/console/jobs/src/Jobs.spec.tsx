import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { JobDetail } from '@cockpit/contracts';
import { hostIdOf, makeJob, makeMe, makeTarget } from '@cockpit/console-api/testing';
import { jobsApi, progressEvent, renderJobs, requests } from './test/api.js';

const running = makeJob(1, { done: 3, total: 10 });
const queued = makeJob(2, { total: 5, state: 'queued', startedAt: null });
const finished = makeJob(3, { done: 4, total: 4, title: 'Reboot 4 VMs' });
const big = makeJob(4, { done: 120, total: 250, title: 'Start 250 VMs' });
const targets = { [big.id]: Array.from({ length: 250 }, (_, i) => makeTarget(i + 1, i >= 120 ? 'pending' : undefined)) };

const server = setupServer(...jobsApi([running, queued, finished, big], targets));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

const jobsAsked = () => requests.filter((r) => r.path === '/api/jobs').map((r) => r.query);
const targetRows = async () => {
  const table = await screen.findByRole('grid', { name: 'Job targets' });
  const [, ...rows] = within(table).getAllByRole('row');
  return rows;
};

describe('running jobs in the masthead', () => {
  it('counts the user’s own active jobs and lists each with its progress, leading to its page', async () => {
    const user = userEvent.setup();
    const { router } = renderJobs('/jobs');
    const toggle = await screen.findByRole('button', { name: 'Running jobs: 3' });
    expect(jobsAsked()).toContainEqual({ active: 'true', mine: 'true', limit: '10' });
    await user.click(toggle);
    const menu = within(screen.getByRole('menu', { name: 'Your running jobs' }));
    expect(menu.getByRole('menuitem', { name: /Start 10 VMs/ })).toHaveTextContent('running: 3 of 10 done: 3 succeeded');
    expect(menu.getByRole('menuitem', { name: /Start 5 VMs/ })).toHaveTextContent('queued: 0 of 5 done');
    expect(menu.queryByRole('menuitem', { name: /Reboot 4 VMs/ })).not.toBeInTheDocument();
    await user.click(menu.getByRole('menuitem', { name: /Start 10 VMs/ }));
    expect(router.state.location.pathname).toBe(`/jobs/${running.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Start 10 VMs' })).toBeInTheDocument();
  });

  it('follows job.progress events instead of polling', async () => {
    const jobs: JobDetail[] = [running];
    server.use(...jobsApi(jobs));
    const { live } = renderJobs('/jobs');
    expect(await screen.findByRole('button', { name: 'Running jobs: 1' })).toBeInTheDocument();
    act(() => live.latest.goLive());
    const asked = jobsAsked().length;
    jobs[0] = { ...running, state: 'succeeded', progress: { ...running.progress, done: 10, succeeded: 10 } };
    act(() => live.latest.receive('event', progressEvent(jobs[0] as JobDetail)));
    expect(await screen.findByRole('button', { name: 'Running jobs: 0' })).toBeInTheDocument();
    expect(jobsAsked().length).toBeGreaterThan(asked);
  });

  it('says so when the jobs cannot be loaded, and that none run when none do', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('*/api/jobs', () =>
        HttpResponse.json({ statusCode: 503, error: 'Unavailable', message: 'database down' }, { status: 503 }),
      ),
    );
    renderJobs('/vms/x');
    await user.click(await screen.findByRole('button', { name: 'Jobs: could not load them' }));
    expect(screen.getByRole('menuitem', { name: /Could not load your jobs/ })).toHaveTextContent('database down');

    await user.keyboard('{Escape}');
    cleanup();
    server.use(...jobsApi([finished]));
    renderJobs('/vms/x');
    await user.click(await screen.findByRole('button', { name: 'Running jobs: 0' }));
    expect(screen.getByRole('menuitem', { name: 'None of your jobs is running' })).toBeInTheDocument();
  });

  it('is not shown to someone who may not view jobs', async () => {
    server.use(...jobsApi([running], {}, makeMe([{ scope: '/', permissions: ['vm.view'] }])));
    renderJobs('/vms/x');
    expect(await screen.findByText('A VM’s page')).toBeInTheDocument();
    await waitFor(() => expect(requests.some((r) => r.path === '/api/auth/me')).toBe(true));
    expect(screen.queryByRole('button', { name: /jobs/i })).not.toBeInTheDocument();
    expect(jobsAsked()).toEqual([]);
  });
});

describe('job page', () => {
  it('shows its progress, who started it, and each target’s result, paged, filtered by state, linked to the VM', async () => {
    const user = userEvent.setup();
    renderJobs(`/jobs/${big.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Start 250 VMs' })).toBeInTheDocument();
    const bar = screen.getByRole('progressbar', { name: 'Progress of Start 250 VMs' });
    expect(bar).toHaveAttribute('aria-valuenow', '48');
    expect(bar).toHaveAttribute('aria-valuetext', '120 of 250 done: 120 succeeded');
    await waitFor(async () => expect(await targetRows()).toHaveLength(100));
    const [first] = await targetRows();
    // Grouped by the VM's host: named, linked.
    expect(await within(first as HTMLElement).findByRole('link', { name: 'host-002' })).toHaveAttribute(
      'href',
      `/hosts/${hostIdOf(2)}`,
    );
    expect(within(first as HTMLElement).getByRole('link', { name: 'vm-001' })).toHaveAttribute(
      'href',
      `/vms/${targets[big.id]?.[0]?.targetId}`,
    );

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter targets by state' }), 'failed');
    const failed = targets[big.id]?.filter((target) => target.state === 'failed') ?? [];
    await waitFor(async () => expect(await targetRows()).toHaveLength(failed.length));
    expect((await targetRows())[0]).toHaveTextContent('host answered 409: the VM is running');
    expect(requests.filter((r) => r.path.endsWith('/targets')).at(-1)?.query).toEqual({
      state: 'failed',
      sort: 'label',
      limit: '100',
    });
  });

  it('cancels a running job, then shows it cancelling', async () => {
    const user = userEvent.setup();
    let job: JobDetail = running;
    server.use(
      http.get('*/api/jobs/:jobId', () => HttpResponse.json(job)),
      http.post('*/api/jobs/:jobId/cancel', ({ request }) => {
        requests.push({ method: 'POST', path: new URL(request.url).pathname, query: {} });
        job = { ...running, state: 'cancelling' };
        return HttpResponse.json(job);
      }),
    );
    renderJobs(`/jobs/${running.id}`);
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByRole('button', { name: 'Cancelling…' })).toHaveAttribute('aria-disabled', 'true');
    expect(requests).toContainEqual({ method: 'POST', path: `/api/jobs/${running.id}/cancel`, query: {} });
  });

  it('shows why a cancel was refused', async () => {
    const user = userEvent.setup();
    server.use(
      http.post('*/api/jobs/:jobId/cancel', () =>
        HttpResponse.json({ statusCode: 409, error: 'Conflict', message: 'The job has finished' }, { status: 409 }),
      ),
    );
    renderJobs(`/jobs/${running.id}`);
    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('Could not cancel: The job has finished')).toBeInTheDocument();
  });

  it('offers no Cancel for a finished job, and a disabled one with the reason to who may not cancel', async () => {
    const user = userEvent.setup();
    renderJobs(`/jobs/${finished.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Reboot 4 VMs' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();

    cleanup();
    server.use(...jobsApi([running], {}, makeMe([{ scope: '/', permissions: ['vm.view', 'job.view'] }])));
    renderJobs(`/jobs/${running.id}`);
    const cancel = await screen.findByRole('button', { name: 'Cancel job' });
    expect(cancel).toHaveAttribute('aria-disabled', 'true');
    await user.hover(cancel);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Cancelling a job needs the job.cancel permission');
  });

  it('shows why the targets could not be loaded rather than an empty table, and an unknown job plainly', async () => {
    server.use(
      http.get('*/api/jobs/:jobId/targets', () =>
        HttpResponse.json({ statusCode: 500, error: 'Internal', message: 'targets table locked' }, { status: 500 }),
      ),
    );
    renderJobs(`/jobs/${big.id}`);
    expect(await screen.findByRole('heading', { name: 'Could not load the targets' })).toBeInTheDocument();
    expect(screen.getByText('targets table locked')).toBeInTheDocument();
    expect(screen.queryByText('No targets')).not.toBeInTheDocument();

    cleanup();
    renderJobs('/jobs/40000000-0000-4000-8000-0000000000ff');
    expect(await screen.findByRole('heading', { name: 'No such job' })).toBeInTheDocument();
  });
});

describe('jobs page', () => {
  it('lists the jobs newest first, each leading to its page, and filters them', async () => {
    const user = userEvent.setup();
    renderJobs('/jobs');
    const table = await screen.findByRole('grid', { name: 'Jobs' });
    expect(await within(table).findByRole('link', { name: 'Reboot 4 VMs' })).toHaveAttribute('href', `/jobs/${finished.id}`);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter jobs by who started them' }), 'Started by me');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter jobs by state' }), 'succeeded');
    await waitFor(() =>
      expect(jobsAsked().at(-1)).toEqual({ state: 'succeeded', mine: 'true', sort: '-createdAt', limit: '100' }),
    );
    await waitFor(() => expect(within(table).queryByRole('link', { name: 'Start 10 VMs' })).not.toBeInTheDocument());
  });
});
