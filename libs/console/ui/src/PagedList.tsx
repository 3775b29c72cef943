import {
  Alert,
  AlertActionLink,
  Bullseye,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Pagination,
  Spinner,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
  type PaginationProps,
  type PaginationToggleTemplateProps,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { keepPreviousData, useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import { memo, useCallback, useEffect, useRef, type ReactNode } from 'react';
import type { Page } from '@cockpit/contracts';
import { FilterControl, type ListFilter } from './filters.js';
import { PAGE_SIZES, parseSort, useListState, type ListRequest, type ListState } from './list-state.js';

export interface ListColumn<T> {
  title: string;
  /** For a column without a visible title (row actions). */
  screenReaderTitle?: string;
  /** The server's sort field for this column; without it, the column does not sort. */
  sortField?: string;
  cell: (row: T) => ReactNode;
  width?: ThProps['width'];
}

/**
 * Row checkboxes: the list draws them and the page's "select all" box, the feature keeps what is
 * selected (it may reach beyond the page: "all matching the filter").
 */
export interface RowSelection<T> {
  isSelected: (row: T) => boolean;
  /** The rows (one, or the page's) ticked or unticked. */
  onSelect: (rows: readonly T[], selected: boolean) => void;
  /** A row that may not be selected (its box is disabled), and why (its box's description). */
  disabledReason?: (row: T) => string | undefined;
  /** The row's box's accessible name: "Select vm-001". */
  rowLabel: (row: T) => string;
}

/** What the toolbar items of a list may need: the request shown, its page, whether that is the request's. */
export interface ListView<T> {
  request: ListRequest;
  page: Page<T> | undefined;
  /** The page shown is the previous request's, while this one loads. */
  stale: boolean;
  pageNumber: number;
}

export interface PagedListProps<T, K extends QueryKey = QueryKey> {
  /** The table's accessible name ("Hosts"). */
  label: string;
  /** What is listed, in the plural and lower case, for messages ("hosts"). */
  noun: string;
  /** Keep them the same between renders (a constant, or useMemo): rows re-render only when their row changes. */
  columns: readonly ListColumn<T>[];
  filters?: readonly ListFilter[];
  defaultSort: string;
  /** The page query for a request, under a key that holds the request. */
  query: (request: ListRequest) => UseQueryOptions<Page<T>, Error, Page<T>, K>;
  rowKey: (row: T) => string;
  /** Shown when the list is empty without any filter ("No hosts enrolled" and what to do). */
  empty: { title: string; body?: ReactNode };
  paramPrefix?: string;
  /** More toolbar items after the filters (given what the list shows, for a selection's actions). */
  toolbarItems?: ReactNode | ((view: ListView<T>) => ReactNode);
  /** Between the toolbar and the table: a banner about the selection, say. */
  banner?: (view: ListView<T>) => ReactNode;
  selection?: RowSelection<T>;
  variant?: 'default' | 'compact';
}

interface RowProps<T> {
  row: T;
  columns: readonly ListColumn<T>[];
  /** With a selection: whether the row is ticked, and the box's name and disabled reason. */
  selected?: boolean;
  selectId?: string;
  selectLabel?: string;
  disabledReason?: string;
  onSelect?: (row: T, selected: boolean) => void;
}

/**
 * A row's (or the page's) box. A plain input in PatternFly's check classes: PatternFly's Checkbox
 * turns "some selected" (null) into an uncontrolled input.
 */
function SelectCell({
  id,
  label,
  checked,
  disabledReason,
  onChange,
}: {
  id: string;
  label: string;
  /** null: some of the page's rows. */
  checked: boolean | null;
  disabledReason?: string;
  onChange: (checked: boolean) => void;
}) {
  const setIndeterminate = useCallback(
    (input: HTMLInputElement | null) => {
      if (input) input.indeterminate = checked === null;
    },
    [checked],
  );
  return (
    <div className="pf-v6-c-check pf-m-standalone">
      <input
        ref={setIndeterminate}
        id={id}
        className="pf-v6-c-check__input"
        type="checkbox"
        aria-label={label}
        checked={checked === true}
        disabled={!!disabledReason}
        title={disabledReason}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
    </div>
  );
}

const Row = memo(function Row<T>({ row, columns, selected, selectId, selectLabel, disabledReason, onSelect }: RowProps<T>) {
  return (
    <Tr isRowSelected={selected}>
      {onSelect && (
        <Td className="pf-v6-c-table__check">
          <SelectCell
            id={selectId ?? ''}
            label={selectLabel ?? 'Select'}
            checked={!!selected}
            disabledReason={disabledReason}
            onChange={(next) => onSelect(row, next)}
          />
        </Td>
      )}
      {columns.map((column) => (
        <Td key={column.title || column.screenReaderTitle} dataLabel={column.title || column.screenReaderTitle}>
          {column.cell(row)}
        </Td>
      ))}
    </Tr>
  );
}) as <T>(props: RowProps<T>) => ReactNode;

/** One row across the table, for the loading, error and empty states. */
function WholeRow({ span, children }: { span: number; children: ReactNode }) {
  return (
    <Tr>
      <Td colSpan={span}>{children}</Td>
    </Tr>
  );
}

function sortFor<T>(columns: readonly ListColumn<T>[], index: number, state: ListState): ThProps['sort'] {
  const field = columns[index]?.sortField;
  if (!field) return undefined;
  const current = parseSort(state.request.sort);
  const sortedIndex = columns.findIndex((column) => column.sortField === current.field);
  return {
    columnIndex: index,
    sortBy: { index: sortedIndex < 0 ? undefined : sortedIndex, direction: current.direction, defaultDirection: 'asc' },
    onSort: (_event, _index, direction) => state.setSort(direction === 'desc' ? `-${field}` : field),
  };
}

/** "1 - 100 of 100,000": the total with its thousands marked. */
function RangeShown({ firstIndex = 0, lastIndex = 0, itemCount = 0, ofWord = 'of' }: PaginationToggleTemplateProps) {
  return (
    <>
      <b>
        {firstIndex.toLocaleString()} - {lastIndex.toLocaleString()}
      </b>{' '}
      {ofWord} <b>{itemCount.toLocaleString()}</b>
    </>
  );
}

/**
 * Paging controls for keyset pages: previous and next (there is no jumping to page n), the range
 * shown and the total, and the page size. The item count is kept consistent with the cursors, so
 * "next" is offered exactly when the server gave a next cursor.
 */
function pagination<T>(
  state: ListState,
  page: Page<T> | undefined,
  { stale, widgetId }: { stale: boolean; widgetId: string },
): PaginationProps {
  const { pageNumber, request } = state;
  const before = (pageNumber - 1) * request.limit;
  const itemCount = !page ? 0 : page.nextCursor ? Math.max(page.total, before + request.limit + 1) : before + page.items.length;
  return {
    widgetId,
    isCompact: true,
    isDisabled: !page,
    itemCount,
    page: pageNumber,
    perPage: request.limit,
    perPageOptions: PAGE_SIZES.map((size) => ({ title: String(size), value: size })),
    toggleTemplate: RangeShown,
    onSetPage: (_event, next) => {
      // A stale page (the previous request's, shown while this one loads) has another page's cursor.
      if (next > pageNumber && page?.nextCursor && !stale) state.nextPage(page.nextCursor);
      else if (next < pageNumber) state.previousPage();
    },
    onPerPageSelect: (_event, size) => state.setPageSize(size),
  };
}

/**
 * A list the server pages: a toolbar with filters, sortable column headers, previous/next paging
 * with the total, and distinct loading, error, empty and "nothing matches" states. A query that
 * failed shows the error with a retry, never an empty table. Filters, sort and page size live in
 * the URL (see useListState).
 */
export function PagedList<T, K extends QueryKey = QueryKey>({
  label,
  noun,
  columns,
  filters = [],
  defaultSort,
  query,
  rowKey,
  empty,
  paramPrefix,
  toolbarItems,
  banner,
  selection,
  variant = 'compact',
}: PagedListProps<T, K>) {
  const state = useListState({ filterNames: filters.map((filter) => filter.name), defaultSort, paramPrefix });
  const result = useQuery({ ...query(state.request), placeholderData: keepPreviousData });
  const page = result.data;
  const busy = result.isFetching;
  /** The previous request's page, shown while this one loads. */
  const stale = result.isPlaceholderData;
  const span = columns.length + (selection ? 1 : 0);
  const view: ListView<T> = { request: state.request, page, stale, pageNumber: state.pageNumber };
  // Rows are memoised: they get one callback that stays the same, reading the current selection.
  const latestSelection = useRef(selection);
  useEffect(() => {
    latestSelection.current = selection;
  });
  const selectRow = useCallback((row: T, selected: boolean) => latestSelection.current?.onSelect([row], selected), []);
  const selectable = selection && page ? page.items.filter((row) => !selection.disabledReason?.(row)) : [];
  const selectedOnPage = selection ? selectable.filter((row) => selection.isSelected(row)).length : 0;
  const widgetId = `${paramPrefix ?? ''}${noun.replace(/\W+/g, '-')}-pagination`;

  let body: ReactNode;
  if (result.isError && !page) {
    body = (
      <WholeRow span={span}>
        <EmptyState titleText={`Could not load the ${noun}`} headingLevel="h2" status="danger" variant="sm">
          <EmptyStateBody>{result.error.message}</EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="primary" onClick={() => void result.refetch()} isLoading={busy} isDisabled={busy}>
                Try again
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      </WholeRow>
    );
  } else if (!page) {
    body = (
      <WholeRow span={span}>
        <Bullseye>
          <Spinner size="lg" aria-label={`Loading ${noun}`} />
        </Bullseye>
      </WholeRow>
    );
  } else if (!page.items.length) {
    body = (
      <WholeRow span={span}>
        {state.pageNumber > 1 ? (
          <EmptyState titleText={`No more ${noun} on this page`} headingLevel="h2" variant="sm">
            <EmptyStateBody>They changed since the previous page was loaded.</EmptyStateBody>
            <EmptyStateFooter>
              <Button variant="link" onClick={state.firstPage}>
                Back to the first page
              </Button>
            </EmptyStateFooter>
          </EmptyState>
        ) : state.hasFilters ? (
          <EmptyState titleText={`No ${noun} match the filters`} headingLevel="h2" variant="sm">
            <EmptyStateFooter>
              <Button variant="link" onClick={state.clearFilters}>
                Clear all filters
              </Button>
            </EmptyStateFooter>
          </EmptyState>
        ) : (
          <EmptyState titleText={empty.title} headingLevel="h2" variant="sm">
            {empty.body && <EmptyStateBody>{empty.body}</EmptyStateBody>}
          </EmptyState>
        )}
      </WholeRow>
    );
  } else {
    body = page.items.map((row) => (
      <Row
        key={rowKey(row)}
        row={row}
        columns={columns}
        {...(selection && {
          selected: selection.isSelected(row),
          selectId: `${widgetId}-select-${rowKey(row)}`,
          selectLabel: selection.rowLabel(row),
          disabledReason: selection.disabledReason?.(row),
          onSelect: selectRow,
        })}
      />
    ));
  }

  return (
    <>
      <Toolbar>
        <ToolbarContent>
          {filters.length > 0 && (
            <ToolbarGroup variant="filter-group">
              {filters.map((filter) => (
                <ToolbarItem key={filter.name}>
                  <FilterControl
                    filter={filter}
                    value={state.request.filters[filter.name] ?? ''}
                    onChange={(value) => state.setFilter(filter.name, value)}
                  />
                </ToolbarItem>
              ))}
              {state.hasFilters && (
                <ToolbarItem>
                  <Button variant="link" onClick={state.clearFilters}>
                    Clear all filters
                  </Button>
                </ToolbarItem>
              )}
            </ToolbarGroup>
          )}
          {typeof toolbarItems === 'function' ? toolbarItems(view) : toolbarItems}
          {stale && (
            <ToolbarItem alignSelf="center">
              <Spinner size="md" aria-label={`Updating the ${noun}`} />
            </ToolbarItem>
          )}
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            <Pagination {...pagination(state, page, { stale, widgetId: `${widgetId}-top` })} />
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {result.isError && page && (
        <Alert
          variant="danger"
          isInline
          title={`Could not refresh the ${noun}: ${result.error.message}`}
          actionLinks={<AlertActionLink onClick={() => void result.refetch()}>Try again</AlertActionLink>}
        />
      )}
      {banner?.(view)}
      <Table aria-label={label} variant={variant === 'compact' ? 'compact' : undefined} aria-busy={busy}>
        <Thead>
          <Tr>
            {selection && (
              <Th className="pf-v6-c-table__check" aria-label={`Select the ${noun} on this page`}>
                <SelectCell
                  id={`${widgetId}-select-page`}
                  label={`Select every one of the ${noun} on this page`}
                  checked={selectedOnPage === 0 ? false : selectedOnPage === selectable.length ? true : null}
                  disabledReason={selectable.length ? undefined : `No ${noun} here can be selected`}
                  onChange={(next) => selection.onSelect(selectable, next)}
                />
              </Th>
            )}
            {columns.map((column, index) => (
              <Th
                key={column.title || column.screenReaderTitle}
                sort={sortFor(columns, index, state)}
                width={column.width}
                screenReaderText={column.title ? undefined : column.screenReaderTitle}
              >
                {column.title}
              </Th>
            ))}
          </Tr>
        </Thead>
        <Tbody>{body}</Tbody>
      </Table>
      {page && page.items.length > 0 && (
        <Pagination {...pagination(state, page, { stale, widgetId: `${widgetId}-bottom` })} variant="bottom" />
      )}
    </>
  );
}
