import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient, QueryClientProvider, queryOptions } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createMemoryRouter, RouterProvider } from 'react-router';
import type { Page } from '@cockpit/contracts';
import type { ListFilter } from './filters.js';
import type { ListRequest } from './list-state.js';
import { useState } from 'react';
import { PagedList, type ListColumn, type ListView } from './PagedList.js';

interface Widget {
  id: string;
  name: string;
  state: 'on' | 'off';
}
const widgets: Widget[] = Array.from({ length: 250 }, (_, i) => ({
  id: String(i + 1),
  name: `w-${String(i + 1).padStart(3, '0')}`,
  state: i % 5 === 0 ? 'off' : 'on',
}));

/** Every request the list sent, as search parameters. */
const sent: Record<string, string>[] = [];
/** A keyset-paged api over `rows`, as the real lists answer: filters, sort, limit and cursor. */
function widgetApi(rows: readonly Widget[]) {
  return http.get('*/api/widgets', ({ request }) => {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    sent.push(query);
    const matching = rows
      .filter((row) => (!query['name'] || row.name.includes(query['name'])) && (!query['state'] || row.state === query['state']))
      .sort((a, b) => (query['sort'] === '-name' ? -1 : 1) * a.name.localeCompare(b.name));
    const start = query['cursor'] ? Number(query['cursor'].slice(1)) : 0;
    const limit = Number(query['limit'] ?? 100);
    const page: Page<Widget> = {
      items: matching.slice(start, start + limit),
      total: matching.length,
      nextCursor: start + limit < matching.length ? `c${start + limit}` : null,
    };
    return HttpResponse.json(page);
  });
}

const server = setupServer(widgetApi(widgets));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  sent.length = 0;
});
afterAll(() => server.close());

const widgetsQuery = (request: ListRequest) =>
  queryOptions({
    queryKey: ['widgets', request],
    queryFn: async ({ signal }): Promise<Page<Widget>> => {
      const search = new URLSearchParams({ ...request.filters, sort: request.sort, limit: String(request.limit) });
      if (request.cursor) search.set('cursor', request.cursor);
      const response = await fetch(`/api/widgets?${search.toString()}`, { signal });
      if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
      return (await response.json()) as Page<Widget>;
    },
  });

const COLUMNS: ListColumn<Widget>[] = [
  { title: 'Name', sortField: 'name', cell: (widget) => widget.name },
  { title: 'State', cell: (widget) => widget.state },
];
const FILTERS: ListFilter[] = [
  { kind: 'text', name: 'name', label: 'Filter widgets by name' },
  {
    kind: 'select',
    name: 'state',
    label: 'Filter widgets by state',
    anyLabel: 'All states',
    options: [
      { value: 'on', label: 'on' },
      { value: 'off', label: 'off' },
    ],
  },
];

/** The list with row checkboxes (the "off" widgets may not be selected) and a count of what is selected. */
function SelectableWidgets() {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  return (
    <PagedList
      label="Widgets"
      noun="widgets"
      columns={COLUMNS}
      defaultSort="name"
      query={widgetsQuery}
      rowKey={(widget) => widget.id}
      empty={{ title: 'No widgets yet' }}
      selection={{
        isSelected: (widget) => selected.has(widget.id),
        onSelect: (rows, on) =>
          setSelected((current) => {
            const next = new Set(current);
            for (const row of rows)
              if (on) next.add(row.id);
              else next.delete(row.id);
            return next;
          }),
        disabledReason: (widget) => (widget.state === 'off' ? 'It is off' : undefined),
        rowLabel: (widget) => `Select ${widget.name}`,
      }}
      toolbarItems={(view: ListView<Widget>) => (
        <span>
          {selected.size} selected of {view.page?.total ?? '…'}
        </span>
      )}
    />
  );
}

function renderList(path = '/widgets') {
  const router = createMemoryRouter(
    [
      {
        path: '/selectable',
        element: <SelectableWidgets />,
      },
      {
        path: '/widgets',
        element: (
          <PagedList
            label="Widgets"
            noun="widgets"
            columns={COLUMNS}
            filters={FILTERS}
            defaultSort="name"
            query={widgetsQuery}
            rowKey={(widget) => widget.id}
            empty={{ title: 'No widgets yet', body: 'Make one.' }}
          />
        ),
      },
    ],
    { initialEntries: [path] },
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router };
}

/** The first cell of each body row, top to bottom. */
function firstCells() {
  const [, ...rows] = within(screen.getByRole('grid', { name: 'Widgets' })).getAllByRole('row');
  return rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent);
}
/** What the paging controls say is shown ("1 - 100 of 250 widgets"), top and bottom. */
const rangeShown = () =>
  [...document.querySelectorAll('.pf-v6-c-pagination .pf-v6-c-menu-toggle__text')].map((text) =>
    text.textContent?.replace(/\s+/g, ' ').trim(),
  );
const nextPage = () => screen.getAllByRole('button', { name: 'Go to next page' })[0] as HTMLElement;
const previousPage = () => screen.getAllByRole('button', { name: 'Go to previous page' })[0] as HTMLElement;

describe('PagedList', () => {
  it('shows that it is loading, then the first page of 100 and the total', async () => {
    renderList();
    expect(screen.getByRole('progressbar', { name: 'Loading widgets' })).toBeInTheDocument();
    await waitFor(() => expect(firstCells()).toHaveLength(100));
    expect(firstCells()[0]).toBe('w-001');
    expect(rangeShown()[0]).toBe('1 - 100 of 250');
    expect(sent).toEqual([{ sort: 'name', limit: '100' }]);
  });

  it('shows a failed query as the error with a retry, never as an empty table', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('*/api/widgets', () => HttpResponse.json({ statusCode: 500, message: 'database down' }, { status: 500 }), {
        once: true,
      }),
    );
    renderList();
    expect(await screen.findByRole('heading', { name: 'Could not load the widgets' })).toBeInTheDocument();
    expect(screen.getByText('database down')).toBeInTheDocument();
    expect(screen.queryByText('No widgets yet')).not.toBeInTheDocument();
    expect(screen.queryByText(/match the filters/)).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(firstCells()[0]).toBe('w-001'));
    expect(screen.queryByText('database down')).not.toBeInTheDocument();
  });

  it('says what to do when there is nothing at all, and offers to clear filters when nothing matches', async () => {
    const user = userEvent.setup();
    server.use(widgetApi([]));
    renderList();
    expect(await screen.findByRole('heading', { name: 'No widgets yet' })).toBeInTheDocument();
    expect(screen.getByText('Make one.')).toBeInTheDocument();
    server.resetHandlers();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter widgets by state' }), 'off');
    await user.type(screen.getByRole('textbox', { name: 'Filter widgets by name' }), 'w-002');
    expect(await screen.findByRole('heading', { name: 'No widgets match the filters' })).toBeInTheDocument();
    await user.click(within(screen.getByRole('grid', { name: 'Widgets' })).getByRole('button', { name: 'Clear all filters' }));
    await waitFor(() => expect(firstCells()[0]).toBe('w-001'));
    expect(screen.getByRole('textbox', { name: 'Filter widgets by name' })).toHaveValue('');
  });

  it('pages forward with the server’s cursors and back through the ones it kept', async () => {
    const user = userEvent.setup();
    server.use(widgetApi(widgets.slice(0, 45)));
    renderList('/widgets?limit=20');
    await waitFor(() => expect(firstCells()[0]).toBe('w-001'));
    expect(rangeShown()[0]).toBe('1 - 20 of 45');
    expect(previousPage()).toBeDisabled();

    await user.click(nextPage());
    await waitFor(() => expect(firstCells()[0]).toBe('w-021'));
    await user.click(nextPage());
    await waitFor(() => expect(firstCells()[0]).toBe('w-041'));
    expect(firstCells()).toHaveLength(5);
    expect(rangeShown()[0]).toBe('41 - 45 of 45');
    expect(nextPage()).toBeDisabled();

    await user.click(previousPage());
    // The page kept in the cache shows at once, and is refreshed.
    expect(firstCells()[0]).toBe('w-021');
    await waitFor(() => expect(sent.map((query) => query['cursor'])).toEqual([undefined, 'c20', 'c40', 'c20']));
    await user.click(previousPage());
    await waitFor(() => expect(firstCells()[0]).toBe('w-001'));
    expect(previousPage()).toBeDisabled();
  });

  it('keeps filters and sort in the URL, starts from them, and goes back to the first page when they change', async () => {
    const user = userEvent.setup();
    const { router } = renderList('/widgets?state=off&sort=-name&limit=20');
    await waitFor(() => expect(firstCells()[0]).toBe('w-246'));
    expect(screen.getByRole('combobox', { name: 'Filter widgets by state' })).toHaveValue('off');
    expect(screen.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
    expect(rangeShown()[0]).toBe('1 - 20 of 50');

    await user.click(screen.getByRole('button', { name: 'Name' }));
    await waitFor(() => expect(firstCells()[0]).toBe('w-001'));
    expect(router.state.location.search).toBe('?state=off&limit=20');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter widgets by state' }), 'All states');
    await waitFor(() => expect(firstCells()[1]).toBe('w-002'));
    await user.click(nextPage());
    await waitFor(() => expect(firstCells()[0]).toBe('w-021'));
    await user.type(screen.getByRole('textbox', { name: 'Filter widgets by name' }), 'w-1');
    await waitFor(() => expect(router.state.location.search).toBe('?limit=20&name=w-1'));
    await waitFor(() => expect(firstCells()[0]).toBe('w-100'));
    expect(sent.at(-1)).toEqual({ name: 'w-1', sort: 'name', limit: '20' });
    expect(previousPage()).toBeDisabled();
  });

  it('ticks rows and the page’s selectable rows, leaving the disabled ones out', async () => {
    const user = userEvent.setup();
    renderList('/selectable?limit=20');
    await waitFor(() => expect(firstCells()).toHaveLength(20));
    expect(screen.getByText('0 selected of 250')).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Select w-002' }));
    expect(screen.getByText('1 selected of 250')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Select w-001' })).toBeDisabled();
    const pageBox = screen.getByRole('checkbox', { name: 'Select every one of the widgets on this page' });
    expect(pageBox).toHaveProperty('indeterminate', true);
    await user.click(pageBox);
    // 20 on the page, every fifth off.
    expect(screen.getByText('16 selected of 250')).toBeInTheDocument();
    expect(pageBox).toBeChecked();
    await user.click(pageBox);
    expect(screen.getByText('0 selected of 250')).toBeInTheDocument();
  });
});
