export { PagedList, type ListColumn, type PagedListProps } from './PagedList.js';
export { TextFilter, SelectFilter, TEXT_FILTER_DELAY_MS, type ListFilter } from './filters.js';
export { useListState, parseSort, PAGE_SIZES, DEFAULT_PAGE_SIZE, type ListRequest, type ListState } from './list-state.js';
export { useDebouncedValue } from './debounce.js';
