import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { Group, Me, Role, RoleBinding, User, type Page } from '@cockpit/contracts';
import { AccessAdminPage } from './AccessAdminPage.js';

const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const at = '2026-11-22T12:00:00.000Z';
const users = Array.from({ length: 150 }, (_, i) =>
  User.parse({
    id: id('00000000', i + 1),
    username: `user-${String(i + 1).padStart(3, '0')}`,
    displayName: `User ${i + 1}`,
    disabled: i === 1,
    groups: [],
    createdAt: at,
  }),
);
const [, vera] = users as [User, User];
const operators = Group.parse({ id: id('40000000', 1), name: 'operators', members: [vera.id] });
const viewer = Role.parse({
  id: id('50000000', 1),
  name: 'Viewer',
  permissions: ['host.view'],
  builtIn: true,
  requireTotp: false,
});
const admin = Role.parse({
  id: id('50000000', 2),
  name: 'Administrator',
  permissions: ['user.admin'],
  builtIn: true,
  requireTotp: true,
});
const bindings = [
  RoleBinding.parse({
    id: id('60000000', 1),
    subjectType: 'user',
    subjectId: vera.id,
    roleId: viewer.id,
    scope: '/',
    createdAt: at,
  }),
  RoleBinding.parse({
    id: id('60000000', 2),
    subjectType: 'group',
    subjectId: operators.id,
    roleId: admin.id,
    scope: '/',
    createdAt: at,
  }),
];
const me = Me.parse({
  user: { id: users[0]?.id, username: 'user-001', displayName: 'User 1' },
  csrfToken: 'csrf',
  totpEnabled: true,
  mustEnrollTotp: false,
  grants: [{ scope: '/', permissions: ['user.admin'] }],
  session: { expiresAt: at, idleTimeoutSeconds: 900 },
});

/** Each list request, as path and query. */
const asked: { path: string; query: Record<string, string> }[] = [];
/** A page as the api answers it: a name/id filter, `limit` rows from the `o<offset>` cursor (in the rows' order). */
function page<T extends object>(
  rows: readonly T[],
  request: Request,
  matches: (row: T, query: URLSearchParams) => boolean,
): Page<T> {
  const url = new URL(request.url);
  asked.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
  const matching = rows.filter((row) => matches(row, url.searchParams));
  const start = Number(url.searchParams.get('cursor')?.slice(1) ?? 0);
  const end = start + Number(url.searchParams.get('limit') ?? 100);
  return { items: matching.slice(start, end), total: matching.length, nextCursor: end < matching.length ? `o${end}` : null };
}
const nameContains = (name: string, query: URLSearchParams) => name.includes(query.get('name') ?? '');

const server = setupServer(
  http.get('*/api/auth/me', () => HttpResponse.json(me)),
  http.get('*/api/users', ({ request }) => HttpResponse.json(page(users, request, (u, q) => nameContains(u.username, q)))),
  http.get('*/api/groups', ({ request }) => HttpResponse.json(page([operators], request, (g, q) => nameContains(g.name, q)))),
  http.get('*/api/roles', ({ request }) => HttpResponse.json(page([admin, viewer], request, (r, q) => nameContains(r.name, q)))),
  http.get('*/api/role-bindings', ({ request }) =>
    HttpResponse.json(page(bindings, request, (b, q) => !q.get('roleId') || b.roleId === q.get('roleId'))),
  ),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  asked.length = 0;
});
afterAll(() => server.close());

function renderAccess(path = '/settings') {
  const router = createMemoryRouter([{ path: '/settings', element: <AccessAdminPage /> }], { initialEntries: [path] });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router };
}

/** The first cell of each body row of the table. */
function firstCells(name: string) {
  const [, ...rows] = within(screen.getByRole('grid', { name })).getAllByRole('row');
  return rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent);
}
const listAsked = (path: string) => asked.filter((request) => request.path === path).map((request) => request.query);

describe('Users and access', () => {
  it('lists users a page at a time from the server, filtered by name in the address', async () => {
    const user = userEvent.setup();
    const { router } = renderAccess();
    await waitFor(() => expect(firstCells('Users')).toHaveLength(100));
    expect(firstCells('Users')[0]).toBe('user-001');
    expect(listAsked('/api/users')).toEqual([{ sort: 'username', limit: '100' }]);

    await user.click(screen.getAllByRole('button', { name: 'Go to next page' })[0] as HTMLElement);
    await waitFor(() => expect(firstCells('Users')[0]).toBe('user-101'));

    await user.type(screen.getByRole('textbox', { name: 'Filter users by name' }), 'user-14');
    await waitFor(() => expect(firstCells('Users')).toEqual(users.slice(139, 149).map((u) => u.username)));
    expect(router.state.location.search).toBe('?name=user-14');
    expect(listAsked('/api/users').at(-1)).toEqual({ name: 'user-14', sort: 'username', limit: '100' });
  });

  it('disables a user and shows the list as the server has it then', async () => {
    const user = userEvent.setup();
    let sent: unknown;
    server.use(
      http.patch('*/api/users/:userId', async ({ request, params }) => {
        sent = { userId: params['userId'], body: await request.json() };
        return HttpResponse.json({ ...users[0], disabled: true });
      }),
    );
    renderAccess();
    await waitFor(() => expect(firstCells('Users')[0]).toBe('user-001'));
    const before = listAsked('/api/users').length;
    const [firstRow] = within(screen.getByRole('grid', { name: 'Users' }))
      .getAllByRole('row')
      .slice(1);
    await user.click(within(firstRow as HTMLElement).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(sent).toEqual({ userId: users[0]?.id, body: { disabled: true } }));
    await waitFor(() => expect(listAsked('/api/users').length).toBeGreaterThan(before));
  });

  it('shows why the users could not be loaded, with a retry, never an empty list', async () => {
    server.use(
      http.get('*/api/users', () =>
        HttpResponse.json({ statusCode: 500, error: 'Internal Server Error', message: 'database down' }, { status: 500 }),
      ),
    );
    renderAccess();
    expect(await screen.findByRole('heading', { name: 'Could not load the users' })).toBeInTheDocument();
    expect(screen.getByText('database down')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.queryByText('No users')).not.toBeInTheDocument();
  });

  it('names who holds which role in the bindings, filters them by role, and each tab starts unfiltered', async () => {
    const user = userEvent.setup();
    const { router } = renderAccess('/settings?tab=bindings');
    await waitFor(() => expect(firstCells('Role bindings')).toEqual(['user user-002', 'group operators']));
    const table = screen.getByRole('grid', { name: 'Role bindings' });
    expect(within(table).getByText('Viewer')).toBeInTheDocument();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter role bindings by role' }), 'Administrator');
    await waitFor(() => expect(firstCells('Role bindings')).toEqual(['group operators']));
    expect(router.state.location.search).toBe(`?tab=bindings&roleId=${admin.id}`);

    await user.click(screen.getByRole('tab', { name: 'Groups' }));
    await waitFor(() => expect(firstCells('Groups')).toEqual(['operators']));
    expect(router.state.location.search).toBe('?tab=groups');
    expect(within(screen.getByRole('grid', { name: 'Groups' })).getByText('user-002')).toBeInTheDocument();
  });
});
