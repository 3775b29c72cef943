import { exportAudit, listAudit } from './audit.js';
import { login, logout, me, totpDisable, totpEnable, totpSetup } from './auth.js';
import { eventRoutes } from './events.js';
import { hostRoutes } from './hosts.js';
import { jobRoutes } from './jobs.js';
import { metricsRoutes } from './metrics.js';
import { migrationRoutes } from './migrations.js';
import type { RouteDef } from './route.js';
import { userRoutes } from './users.js';
import { vmLifecycleRoutes } from './vm-lifecycle.js';
import { vmConsoleRoutes } from './vm-consoles.js';
import { vmSnapshotRoutes } from './vm-snapshots.js';
import { vmRoutes } from './vms.js';
import { apiDocs, healthLive, healthReady, openApiDocument, prometheusMetrics, systemInfo } from './system.js';

/** Every REST route of the api. The OpenAPI document is generated from this list. */
export const allRoutes: readonly RouteDef[] = [
  healthLive,
  healthReady,
  systemInfo,
  prometheusMetrics,
  openApiDocument,
  apiDocs,
  login,
  logout,
  me,
  totpSetup,
  totpEnable,
  totpDisable,
  listAudit,
  exportAudit,
  ...userRoutes,
  ...hostRoutes,
  ...vmRoutes,
  ...vmLifecycleRoutes,
  ...vmSnapshotRoutes,
  ...vmConsoleRoutes,
  ...jobRoutes,
  ...migrationRoutes,
  ...metricsRoutes,
  ...eventRoutes,
];
