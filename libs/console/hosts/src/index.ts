export { hostsRoutes } from './routes.js';
export { HostsPage } from './HostsPage.js';
export { HostDetailPage } from './HostDetailPage.js';
export { VmsPage } from './VmsPage.js';
export { VmDetailPage } from './VmDetailPage.js';
export { FleetSummaryCards } from './FleetSummaryCards.js';
export { MetricsChart, type ChartSeries, type MetricsChartProps } from './MetricsChart.js';
