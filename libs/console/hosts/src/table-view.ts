import type { PaginationProps } from '@patternfly/react-core';
import type { ThProps } from '@patternfly/react-table';
import { useMemo, useState } from 'react';

export type SortValue = string | number | null | undefined;
export type SortDirection = 'asc' | 'desc';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Numbers by value, text naturally ("host-9" before "host-10"). */
function compareValues(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
}

export const PER_PAGE_OPTIONS = [20, 50, 100, 200].map((value) => ({ title: String(value), value }));

/**
 * Sorting and paging of an in-memory list, as PatternFly's Table and Pagination take them.
 * `sortValues[i]` gives column i's sort key (undefined: not sortable); missing values sort last
 * whichever the direction. Filtering is the caller's (with useMemo), who calls `toFirstPage` when
 * a filter changes.
 */
export function useTableView<T>(
  items: readonly T[],
  sortValues: readonly (((item: T) => SortValue) | undefined)[],
  initialSort: { index: number; direction: SortDirection } = { index: 0, direction: 'asc' },
  initialPerPage = 50,
) {
  const [sort, setSort] = useState(initialSort);
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(initialPerPage);

  const sorted = useMemo(() => {
    const key = sortValues[sort.index];
    if (!key) return items;
    const sign = sort.direction === 'asc' ? 1 : -1;
    // Compute each key once: with hundreds of rows, a comparator that recomputes them is the cost.
    const keyed = items.map((item) => ({ item, value: key(item) }));
    keyed.sort((x, y) => {
      const xMissing = x.value === null || x.value === undefined;
      const yMissing = y.value === null || y.value === undefined;
      if (xMissing || yMissing) return Number(xMissing) - Number(yMissing);
      return sign * compareValues(x.value as string | number, y.value as string | number);
    });
    return keyed.map(({ item }) => item);
  }, [items, sortValues, sort]);

  // A filter that leaves fewer rows must not strand the user on an empty page.
  const lastPage = Math.max(1, Math.ceil(sorted.length / perPage));
  const currentPage = Math.min(page, lastPage);
  const pageItems = useMemo(
    () => sorted.slice((currentPage - 1) * perPage, currentPage * perPage),
    [sorted, currentPage, perPage],
  );

  const sortBy = (columnIndex: number): ThProps['sort'] =>
    sortValues[columnIndex]
      ? {
          columnIndex,
          sortBy: { index: sort.index, direction: sort.direction, defaultDirection: 'asc' },
          onSort: (_event, index, direction) => setSort({ index, direction }),
        }
      : undefined;

  const pagination: PaginationProps = {
    itemCount: sorted.length,
    page: currentPage,
    perPage,
    perPageOptions: PER_PAGE_OPTIONS,
    onSetPage: (_event, next) => setPage(next),
    onPerPageSelect: (_event, next, nextPage) => (setPerPage(next), setPage(nextPage)),
  };

  return { pageItems, sortBy, pagination, toFirstPage: () => setPage(1), total: sorted.length };
}
