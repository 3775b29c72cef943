import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { LoginPage } from './LoginPage.js';

const me = {
  user: { id: '00000000-0000-4000-8000-000000000001', username: 'admin', displayName: 'Administrator' },
  csrfToken: 'csrf',
  totpEnabled: true,
  mustEnrollTotp: false,
  grants: [],
  session: { expiresAt: '2026-11-22T15:00:00.000Z', idleTimeoutSeconds: 900 },
};
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function renderLogin(next = '') {
  const router = createMemoryRouter(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '*', element: <p>arrived</p> },
    ],
    { initialEntries: [`/login${next}`] },
  );
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

async function fill(username: string, password: string) {
  const user = userEvent.setup();
  if (username) await user.type(screen.getByLabelText(/Username/), username);
  if (password) await user.type(screen.getByLabelText(/Password/), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

const unauthorized = (body: object) => HttpResponse.json({ statusCode: 401, error: 'Unauthorized', ...body }, { status: 401 });

describe('LoginPage', () => {
  it('reports wrong credentials', async () => {
    let sent: unknown;
    server.use(
      http.post(
        '*/api/auth/login',
        async ({ request }) => ((sent = await request.json()), unauthorized({ message: 'Wrong username or password' })),
      ),
    );
    renderLogin();
    await fill('admin', 'wrong');
    expect(await screen.findByText('Wrong username or password.')).toBeInTheDocument();
    expect(sent).toEqual({ username: 'admin', password: 'wrong' });
  });

  it('asks for the authenticator code when the account has one, then goes where the user was headed', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('*/api/auth/login', async ({ request }) => {
        const body = (await request.json()) as { totp?: string };
        bodies.push(body);
        return body.totp === '123456'
          ? HttpResponse.json(me)
          : unauthorized({ message: 'Enter the 6-digit code', details: [{ path: 'body.totp', message: 'required' }] });
      }),
    );
    const router = renderLogin('?next=%2Fhosts');
    const user = await fill('admin', 'right');
    await user.type(await screen.findByLabelText(/Authenticator code/), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('arrived')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/hosts');
    expect(bodies).toEqual([
      { username: 'admin', password: 'right' },
      { username: 'admin', password: 'right', totp: '123456' },
    ]);
  });

  it('accepts a recovery code in place of the authenticator code', async () => {
    let last: unknown;
    server.use(
      http.post('*/api/auth/login', async ({ request }) => {
        last = await request.json();
        return (last as { recoveryCode?: string }).recoveryCode
          ? HttpResponse.json(me)
          : unauthorized({ message: 'x', details: [{ path: 'body.totp', message: 'required' }] });
      }),
    );
    renderLogin();
    const user = await fill('admin', 'right');
    await user.type(await screen.findByLabelText(/Authenticator code/), 'ABCDE-12345');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('arrived')).toBeInTheDocument();
    expect(last).toEqual({ username: 'admin', password: 'right', recoveryCode: 'abcde-12345' });
  });

  it('never follows a next= that leaves the site', async () => {
    server.use(http.post('*/api/auth/login', () => HttpResponse.json({ ...me, totpEnabled: false })));
    const router = renderLogin('?next=%2F%2Fevil.example');
    await fill('admin', 'right');
    await screen.findByText('arrived');
    expect(router.state.location.pathname).toBe('/');
  });
});
