import { AuditRecordEntity } from '@cockpit/api-audit';
import { authEntities } from '@cockpit/api-auth';
import { ApiInstanceEntity, HostEntity, inventoryEntities } from '@cockpit/api-hosts';
import type { SchemaDefinition } from '@cockpit/api-core';
import { GroupsAndTokens1795321289814 } from './migrations/1795321289814-GroupsAndTokens.js';
import { Totp1795321528133 } from './migrations/1795321528133-Totp.js';
import { RequireTotp1795322294259 } from './migrations/1795322294259-RequireTotp.js';
import { Hosts1795322734301 } from './migrations/1795322734301-Hosts.js';
import { Collector1795323319885 } from './migrations/1795323319885-Collector.js';
import { Inventory1795326522792 } from './migrations/1795326522792-Inventory.js';
import { MetricsTables1795326522793 } from './migrations/1795326522793-MetricsTables.js';
import { Events1795329098961 } from './migrations/1795329098961-Events.js';
import { SessionSecondFactor1795331000000 } from './migrations/1795331000000-SessionSecondFactor.js';
import { PagedListIndexes1796121276174 } from './migrations/1796121276174-PagedListIndexes.js';
import { EventEntity } from '@cockpit/api-events';
import { jobEntities } from '@cockpit/api-jobs';
import { Jobs1796200000000 } from './migrations/1796200000000-Jobs.js';
import { VmLifecycle1796200000001 } from './migrations/1796200000001-VmLifecycle.js';
import { ConsoleTickets1796200000002 } from './migrations/1796200000002-ConsoleTickets.js';
import { Migrations1796200000003 } from './migrations/1796200000003-Migrations.js';
import { VmCounts1796200000004 } from './migrations/1796200000004-VmCounts.js';
import { VmHostIndexes1796200000005 } from './migrations/1796200000005-VmHostIndexes.js';
import { vmEntities } from '@cockpit/api-vms';
import { migrationEntities } from '@cockpit/api-migrations';
import { AuthAndAudit1795320832492 } from './migrations/1795320832492-AuthAndAudit.js';

/**
 * Every entity and migration of the api, in one place: the api's DataSource, the migration
 * generator and the drift check all read this, so they cannot disagree. Feature modules add their
 * entities here as they land; migrations live in ./migrations and are only ever appended.
 */
export const schema: SchemaDefinition = {
  entities: [
    ...authEntities,
    AuditRecordEntity,
    HostEntity,
    ApiInstanceEntity,
    ...inventoryEntities,
    EventEntity,
    ...jobEntities,
    ...vmEntities,
    ...migrationEntities,
  ],
  migrations: [
    AuthAndAudit1795320832492,
    GroupsAndTokens1795321289814,
    Totp1795321528133,
    RequireTotp1795322294259,
    Hosts1795322734301,
    Collector1795323319885,
    Inventory1795326522792,
    MetricsTables1795326522793,
    Events1795329098961,
    SessionSecondFactor1795331000000,
    PagedListIndexes1796121276174,
    Jobs1796200000000,
    VmLifecycle1796200000001,
    ConsoleTickets1796200000002,
    Migrations1796200000003,
    VmCounts1796200000004,
    VmHostIndexes1796200000005,
  ],
};
