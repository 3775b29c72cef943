// Moving VMs in the console: the migrate wizard and storage moves on a VM's page, evacuation on a
// host's page, rebalancing, the migrations list and each migration's live view.
export { migrationsRoutes } from './routes.js';
export { MigrationsPage } from './MigrationsPage.js';
export { MigrationPage } from './MigrationPage.js';
export { VmMigrationActions } from './VmMigrationActions.js';
export { EvacuateHostButton } from './EvacuateHost.js';
export { MigrationStateLabel } from './states.js';
