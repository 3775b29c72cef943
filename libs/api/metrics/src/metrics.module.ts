import { Module } from '@nestjs/common';
import { SystemModule } from '@cockpit/api-system';
import { MetricsStore } from './metrics-store.service.js';

/** Stats history: batched writes into partitioned tables, rollups, retention, range queries. */
@Module({
  imports: [SystemModule],
  providers: [MetricsStore],
  exports: [MetricsStore],
})
export class MetricsHistoryModule {}
