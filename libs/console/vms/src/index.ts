// The VM pages of the console: list with bulk actions, detail, create and edit, snapshots, consoles.
export { vmsRoutes } from './routes.js';
export { VmsPage } from './VmsPage.js';
export { VmDetailPage } from './VmDetailPage.js';
export { VmList } from './VmList.js';
export { HostFilter } from './HostFilter.js';
export { VM_STATES, VM_STATE_COLOR, VmStateLabel } from './states.js';
