export { hostsRoutes } from './routes.js';
export { HostsPage } from './HostsPage.js';
export { HostDetailPage } from './HostDetailPage.js';
export { FleetSummaryCards } from './FleetSummaryCards.js';
