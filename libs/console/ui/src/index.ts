export { PagedList, type ListColumn, type ListView, type PagedListProps, type RowSelection } from './PagedList.js';
export { TextFilter, SelectFilter, TEXT_FILTER_DELAY_MS, type ListFilter } from './filters.js';
export { useListState, parseSort, PAGE_SIZES, DEFAULT_PAGE_SIZE, type ListRequest, type ListState } from './list-state.js';
export { useDebouncedValue } from './debounce.js';
export * from './format.js';
export { UsageBar } from './UsageBar.js';
export { DetailStatus } from './DetailStatus.js';
export { MetricsChart, canDrawCharts, type ChartSeries, type MetricsChartProps } from './MetricsChart.js';
export { MetricsPanel } from './MetricsPanel.js';
