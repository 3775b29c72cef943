import { useState } from 'react';
import { useSearchParams } from 'react-router';

export const PAGE_SIZES = [20, 50, 100, 200] as const;
/** The api's default page size. */
export const DEFAULT_PAGE_SIZE = 100;

/** What one page request of a list asks for: its filters, sort, size, and where it starts. */
export interface ListRequest {
  /** The filters that are set, by name (those not set are absent). */
  filters: Readonly<Record<string, string>>;
  /** A sort field, `-field` for descending. */
  sort: string;
  limit: number;
  /** The previous page's `nextCursor`; absent on the first page. */
  cursor?: string;
}

export interface ListStateOptions {
  /** The filters this list has, by name (each is a search parameter). */
  filterNames: readonly string[];
  defaultSort: string;
  /**
   * Put before each search parameter, for a page showing more than one list (`tokens.sort`); ''
   * (the default) for a page's main list, so links like `/vms?state=running` work.
   */
  paramPrefix?: string;
}

/**
 * A server-paged list's state: filters, sort and page size in the URL's search parameters (a
 * reload or a shared link keeps them; other parameters, such as a tab, are left alone), and the
 * cursors of the pages walked through so far, to step back (keyset cursors only lead forward).
 * Changing a filter, the sort or the page size goes back to the first page.
 */
export function useListState({ filterNames, defaultSort, paramPrefix = '' }: ListStateOptions) {
  const [searchParams, setSearchParams] = useSearchParams();
  const param = (name: string) => `${paramPrefix}${name}`;

  const filters: Record<string, string> = {};
  for (const name of filterNames) {
    const value = searchParams.get(param(name));
    if (value) filters[name] = value;
  }
  const sort = searchParams.get(param('sort')) || defaultSort;
  const requestedSize = Number(searchParams.get(param('limit')));
  const limit = (PAGE_SIZES as readonly number[]).includes(requestedSize) ? requestedSize : DEFAULT_PAGE_SIZE;

  // The cursors belong to one combination of filters, sort and size: another starts afresh.
  const listKey = JSON.stringify([filters, sort, limit]);
  const [walked, setWalked] = useState<{ listKey: string; cursors: readonly string[] }>({ listKey, cursors: [] });
  const cursors = walked.listKey === listKey ? walked.cursors : [];

  const update = (changes: Record<string, string | undefined>) =>
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(changes)) {
          if (value) next.set(param(name), value);
          else next.delete(param(name));
        }
        return next;
      },
      { replace: true },
    );

  const request: ListRequest = { filters, sort, limit, ...(cursors.length ? { cursor: cursors.at(-1) } : {}) };
  return {
    request,
    /** 1 on the first page. */
    pageNumber: cursors.length + 1,
    hasFilters: Object.keys(filters).length > 0,
    setFilter: (name: string, value: string) => update({ [name]: value || undefined }),
    clearFilters: () => update(Object.fromEntries(filterNames.map((name) => [name, undefined]))),
    setSort: (next: string) => update({ sort: next === defaultSort ? undefined : next }),
    setPageSize: (size: number) => update({ limit: size === DEFAULT_PAGE_SIZE ? undefined : String(size) }),
    /** On to the page that starts at `nextCursor` (the current page's). */
    nextPage: (nextCursor: string) => setWalked({ listKey, cursors: [...cursors, nextCursor] }),
    previousPage: () => setWalked({ listKey, cursors: cursors.slice(0, -1) }),
    firstPage: () => setWalked({ listKey, cursors: [] }),
  };
}

export type ListState = ReturnType<typeof useListState>;

/** `name` / `-name` → the field and its direction. */
export function parseSort(sort: string): { field: string; direction: 'asc' | 'desc' } {
  return sort.startsWith('-') ? { field: sort.slice(1), direction: 'desc' } : { field: sort, direction: 'asc' };
}
