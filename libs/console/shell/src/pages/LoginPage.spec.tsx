import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { healthyApi } from '../test/api-handlers.js';
import { renderConsole } from '../test/render-console.js';

const server = setupServer(...healthyApi);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function signIn(username: string, password: string) {
  const user = userEvent.setup();
  if (username) await user.type(screen.getByLabelText(/Username/), username);
  if (password) await user.type(screen.getByLabelText(/Password/), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('login page', () => {
  it('posts the credentials and reports a rejection', async () => {
    let sent: unknown;
    server.use(
      http.post('*/api/auth/login', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials' }, { status: 401 });
      }),
    );
    renderConsole('/login');
    await signIn('admin', 'wrong');
    expect(await screen.findByText('Wrong username or password.')).toBeInTheDocument();
    expect(sent).toEqual({ username: 'admin', password: 'wrong' });
  });

  it('says plainly when the server has no sign-in yet', async () => {
    server.use(
      http.post('*/api/auth/login', () =>
        HttpResponse.json({ statusCode: 404, error: 'Not Found', message: 'Cannot POST /api/auth/login' }, { status: 404 }),
      ),
    );
    renderConsole('/login');
    await signIn('admin', 'secret');
    expect(await screen.findByText('Sign-in is not enabled on this server yet')).toBeInTheDocument();
  });

  it('asks for both fields before calling the api', async () => {
    renderConsole('/login');
    await signIn('admin', '');
    expect(await screen.findByText('Enter your username and password.')).toBeInTheDocument();
  });

  it('signs in and leaves the page when the api accepts', async () => {
    server.use(http.post('*/api/auth/login', () => HttpResponse.json({ ok: true })));
    const { router } = renderConsole('/login');
    await signIn('admin', 'right');
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    expect(router.state.location.pathname).toBe('/');
  });
});
