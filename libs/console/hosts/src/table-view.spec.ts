import { describe, expect, it } from '@jest/globals';
import { SortByDirection } from '@patternfly/react-table';
import { act, renderHook } from '@testing-library/react';
import { useTableView, type SortValue } from './table-view.js';

interface Row {
  name: string;
  cpu: number | null;
}
const rows: Row[] = [
  { name: 'host-10', cpu: 5 },
  { name: 'host-9', cpu: null },
  { name: 'host-2', cpu: 80 },
];
const SORT_VALUES: readonly ((row: Row) => SortValue)[] = [(row) => row.name, (row) => row.cpu];

describe('useTableView', () => {
  it('sorts names naturally and missing values last in both directions', () => {
    const { result } = renderHook(() => useTableView(rows, SORT_VALUES));
    expect(result.current.pageItems.map((row) => row.name)).toEqual(['host-2', 'host-9', 'host-10']);

    const onSort = result.current.sortBy(1)?.onSort;
    act(() => onSort?.({} as never, 1, SortByDirection.asc, {} as never));
    expect(result.current.pageItems.map((row) => row.cpu)).toEqual([5, 80, null]);
    act(() => onSort?.({} as never, 1, SortByDirection.desc, {} as never));
    expect(result.current.pageItems.map((row) => row.cpu)).toEqual([80, 5, null]);
  });

  it('pages, and keeps the page within the rows left after a filter', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ name: `host-${i + 1}`, cpu: i }));
    const { result, rerender } = renderHook(({ items }) => useTableView(items, SORT_VALUES), { initialProps: { items: many } });
    act(() => result.current.pagination.onSetPage?.({} as never, 3));
    expect(result.current.pageItems.map((row) => row.name)).toEqual(many.slice(100).map((row) => row.name));
    rerender({ items: many.slice(0, 30) });
    expect(result.current.pagination.page).toBe(1);
    expect(result.current.pageItems).toHaveLength(30);
  });
});
